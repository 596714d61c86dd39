/**
 * The web UI's Recordings page, in headless Chromium, against a server recording a real live
 * source: MPEG-TS sent over UDP in real time by a second ffmpeg (a test pattern and two tones).
 * An administrator starts a job from the page (fragmented MP4 segments with init objects), watches
 * it record (state, segments, lag, read again every 2 s), opens the job's multi Flow, which plays
 * live (hls.js, the init segments as EXT-X-MAP), stops the job and deletes it,
 * its Flows staying. A source the allow-list refuses is refused in the dialog with the server's
 * reason; a label a client gave is shown as text; a reader sees the jobs and no control, and the
 * API refuses the reader's writes. Screenshots go to .tmp/ui-screenshots/.
 */

import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable } from '../../tools/chromium.ts';
import { killChild, spawnChild } from '../helpers/children.ts';
import { SLOW_TEST_MS, WAIT_MS } from '../helpers/deadlines.ts';
import { closedPort } from '../helpers/ports.ts';
import { tempDir } from '../helpers/server.ts';
import { FFMPEG, ffmpegAvailable } from '../hls/hls.media.ts';
import { makeSource } from '../recorder/recorder.media.ts';
import { screenshotPath } from './ui.fixture.ts';
import { bearer, openSignedIn, read, refused, startWritesRig, type WritesRig } from './ui.writes.fixture.ts';

/** What the page's functions read of it (they run in the browser). */
declare const document: { querySelector(selector: 'video'): { readyState: number } | null };

const available = chromiumAvailable('web UI recordings') && ffmpegAvailable();

interface Job {
  id: string;
  state: string;
  want: string;
  label?: string;
  container: string;
  segments_written: number;
  flow_ids: { multi: string; video?: string; audio: string[] };
}

describe.skipIf(!available)('web UI: the Recordings page', () => {
  let rig: WritesRig;
  let sender: ChildProcess | undefined;
  let port: number;
  const scratch = tempDir('tams-ui-recordings-');

  beforeAll(async () => {
    const source = join(scratch.path, 'live.ts');
    await makeSource(source, 30);
    rig = await startWritesRig({
      TAMS_RECORDER: 'true',
      TAMS_RECORDER_ALLOW: '127.0.0.1',
      TAMS_RECORDER_PROBE_SECONDS: '10',
      TAMS_WORKER_IDLE_MS: '100',
    });
    port = await closedPort();
    sender = spawnChild(
      FFMPEG,
      [
        ...['-hide_banner', '-loglevel', 'error', '-nostdin', '-re', '-stream_loop', '-1', '-i', source],
        ...['-map', '0', '-c', 'copy', '-f', 'mpegts', `udp://127.0.0.1:${port}?pkt_size=1316`],
      ],
      { stdio: 'ignore' },
    );
  }, SLOW_TEST_MS);

  afterAll(async () => {
    if (sender) await killChild(sender);
    await rig?.close();
    scratch.remove();
  });
  afterEach(() => {
    expect(rig.pageErrors.splice(0)).toEqual([]);
  });

  const jobs = async () => read<Job[]>(rig, '/recordings');
  const row = (page: Page, id: string) => page.getByTestId('recordings').locator(`tr[data-id="${id}"]`);

  async function openRecordings(token: string) {
    const opened = await openSignedIn(rig, token);
    await opened.page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Recordings' })
      .click();
    await opened.page.getByRole('heading', { name: 'Recordings' }).waitFor();
    return opened;
  }

  it(
    'starts a job, shows it recording, plays its Flow live, stops it and deletes it',
    async () => {
      const { context, page } = await openRecordings(rig.tokens.admin);
      try {
        await page.getByText('No recording job.').waitFor();
        await page.getByRole('button', { name: 'New recording' }).click();
        const dialog = page.getByTestId('recording-dialog');
        await dialog.getByLabel(/^Source/).fill(`udp://127.0.0.1:${port}`);
        await dialog.getByLabel(/^Label/).fill('Studio A');
        await dialog.getByLabel(/^Fragmented MP4/).check();
        await dialog.getByRole('button', { name: 'Record' }).click();
        await dialog.waitFor({ state: 'detached' });

        const [made] = await jobs();
        expect(made).toMatchObject({ label: 'Studio A', want: 'record', container: 'video/mp4' });
        const id = (made as Job).id;
        // Read again every 2 s: recording, with segments counted.
        const recording = row(page, id);
        await page.getByTestId('recordings').locator(`tr[data-id="${id}"][data-state="recording"]`).waitFor({
          timeout: WAIT_MS,
        });
        await expect
          .poll(
            async () =>
              Number((await recording.getByTestId('recording-segments').textContent())?.replace(/,/g, '')),
            {
              timeout: WAIT_MS,
            },
          )
          .toBeGreaterThanOrEqual(3);
        expect(await recording.textContent()).toContain('udp · udp://127.0.0.1:');
        await page.screenshot({ path: screenshotPath('recordings-recording'), fullPage: true });

        // Its multi Flow plays live.
        const job = await read<Job>(rig, `/recordings/${id}`);
        await recording.getByRole('link', { name: 'Play live' }).click();
        await page.waitForURL(`**/ui/flows/${job.flow_ids.multi}`);
        await page.locator('video[data-ready="true"][data-live="true"]').waitFor({ timeout: WAIT_MS });
        // Frames decoded from the fragments (HAVE_CURRENT_DATA), not only a playlist loaded.
        await page.waitForFunction(() => (document.querySelector('video')?.readyState ?? 0) >= 2, undefined, {
          timeout: WAIT_MS,
        });
        await page.screenshot({ path: screenshotPath('recordings-live') });
        const [segment] = await read<{ init_object?: { object_id: string } }[]>(
          rig,
          `/tams/v8.2/flows/${job.flow_ids.video}/segments?limit=1`,
        );
        expect(segment?.init_object?.object_id).toMatch(/^[0-9a-f-]{36}$/);
        await page.goBack();
        await page.getByRole('heading', { name: 'Recordings' }).waitFor();

        // Stopped: the segment in progress registered, Start offered instead of Stop.
        await row(page, id).getByRole('button', { name: 'Stop recording Studio A' }).click();
        await page.getByTestId('recordings').locator(`tr[data-id="${id}"][data-state="stopped"]`).waitFor({
          timeout: WAIT_MS,
        });
        await row(page, id).getByRole('button', { name: 'Start recording Studio A' }).waitFor();
        expect((await read<Job>(rig, `/recordings/${id}`)).state).toBe('stopped');

        // Deleted: the job goes, what it recorded stays.
        await row(page, id).getByRole('button', { name: 'Delete recording Studio A' }).click();
        const confirm = page.getByTestId('delete-recording-dialog');
        expect(await confirm.textContent()).toContain('stay');
        await confirm.getByRole('button', { name: 'Delete the job' }).click();
        await page.getByText('No recording job.').waitFor();
        await read(rig, `/recordings/${id}`, rig.tokens.admin, 404);
        const video = await read<{ id: string }>(rig, `/tams/v8.2/flows/${job.flow_ids.video}`);
        expect(video.id).toBe(job.flow_ids.video);
      } finally {
        await context.close();
      }
    },
    SLOW_TEST_MS,
  );

  it("refuses a source the allow-list does not admit, with the server's reason, and shows labels as text", async () => {
    const { context, page } = await openRecordings(rig.tokens.admin);
    try {
      await page.getByRole('button', { name: 'New recording' }).click();
      const dialog = page.getByTestId('recording-dialog');
      await dialog.getByLabel(/^Source/).fill('udp://10.20.30.40:5000');
      await dialog.getByRole('button', { name: 'Record' }).click();
      const error = dialog.getByTestId('write-error');
      await error.waitFor();
      expect(await error.textContent()).toMatch(/^Starting the recording: 4\d\d .*10\.20\.30\.40/);
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      expect(await jobs()).toEqual([]);

      // A label is the client's text: shown as such, never as markup (the job waits on a port
      // nothing sends to).
      const label = '<img src=x onerror="document.title=\'owned\'">';
      const quiet = await closedPort();
      const made = await rig.server.post<Job>(
        '/recordings',
        { source: { url: `udp://127.0.0.1:${quiet}` }, label },
        bearer(rig.tokens.admin),
      );
      expect(made.status, made.text).toBe(201);
      const shown = row(page, made.body.id);
      await shown.waitFor({ timeout: WAIT_MS });
      expect(await shown.textContent()).toContain(label);
      expect(await shown.locator('img').count()).toBe(0);
      expect(await page.title()).not.toBe('owned');
      const deleted = await rig.server.request(
        'DELETE',
        `/recordings/${made.body.id}`,
        bearer(rig.tokens.admin),
      );
      expect(deleted.status).toBe(204);
    } finally {
      await context.close();
    }
  });

  it('shows a reader the jobs without a control, and the API refuses the reader', async () => {
    const made = await rig.server.post<Job>(
      '/recordings',
      { source: { url: `udp://127.0.0.1:${await closedPort()}` }, label: 'Studio B' },
      bearer(rig.tokens.admin),
    );
    expect(made.status, made.text).toBe(201);
    const { context, page } = await openRecordings(rig.tokens.reader);
    try {
      const shown = row(page, made.body.id);
      await shown.waitFor();
      expect(await shown.textContent()).toContain('Studio B');
      expect(await page.getByRole('button', { name: 'New recording' }).count()).toBe(0);
      expect(await shown.getByRole('button').count()).toBe(0);
      await refused(rig, 'POST', '/recordings', rig.tokens.reader, { source: { url: 'udp://127.0.0.1:9' } });
      await refused(rig, 'POST', `/recordings/${made.body.id}/stop`, rig.tokens.reader, {});
      await refused(rig, 'DELETE', `/recordings/${made.body.id}`, rig.tokens.reader);
    } finally {
      await context.close();
      await rig.server.request('DELETE', `/recordings/${made.body.id}`, bearer(rig.tokens.admin));
    }
  });
});
