/**
 * A multi Flow whose members BBC's ingest_hls.py wrote with --force-start-time, as published
 * (issue 60), played on its page in headless Chromium: ffmpeg's test pattern and tone as MPEG-TS
 * renditions, each ingested by the script onto one timeline. The audio's offsets drift by a
 * nanosecond every few segments; its playlist must not break there, or hls.js holds the audio
 * back for ever and the page spins. It plays: the clock advances, frames and audio are decoded.
 * The same audio edited with real jumps of its offset (5 discontinuities, none in the video)
 * is audio hls.js can never line up: the page says so, instead of spinning, and stays usable.
 * Screenshot: .tmp/ui-screenshots/offsets-unplayable.png.
 */
import { randomUUID } from 'node:crypto';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, launchChromium } from '../../tools/chromium.ts';
import { ADMIN_PASSWORD, ADMIN_TOKEN, ADMIN_USER, startAuthServer } from '../auth/auth.fixture.ts';
import { SLOW_TEST_MS } from '../helpers/deadlines.ts';
import { type TestServer, tempDir } from '../helpers/server.ts';
import { stopAll } from '../helpers/stop.ts';
import {
  BBC_T0,
  bbcGate,
  bbcIngest,
  discontinuities,
  type IngestedSegment,
  timestamp,
} from '../hls/hls.bbc.ts';
import { generateTracks, putMultiFlow, TRACK_FIELDS } from '../hls/hls.tracks.ts';
import { buildUi, screenshotPath } from './ui.fixture.ts';
import { newTab, pageErrorsChecked, signIn } from './ui.tabs.ts';

interface PageVideo {
  currentTime: number;
  paused: boolean;
  networkState: number;
  muted: boolean;
  readyState: number;
  webkitAudioDecodedByteCount: number;
  getVideoPlaybackQuality(): { totalVideoFrames: number };
  play(): Promise<void>;
  pause(): void;
}
declare const document: { querySelector(selector: 'video'): PageVideo | null };

const gate = bbcGate();
const available = chromiumAvailable('web UI ts_offset browser tests') && !gate.skip;
const S = 1_000_000_000n;
const T0 = BBC_T0;
const AUTH = { authorization: `Bearer ${ADMIN_TOKEN}` };

describe.skipIf(!available)(`a multi Flow written by ingest_hls.py --force-start-time${gate.note}`, () => {
  let server: TestServer;
  let browser: Browser;
  let scratch: ReturnType<typeof tempDir>;
  let context: BrowserContext | undefined;
  const videoId = randomUUID();
  const audioId = randomUUID();
  const editedId = randomUUID();
  const multiId = randomUUID();
  const brokenId = randomUUID();
  const pageErrors = pageErrorsChecked();

  beforeAll(async () => {
    if (gate.missing.length > 0) throw new Error(`BBC's example clients need ${gate.missing.join('; ')}`);
    scratch = tempDir('tams-ui-offsets-');
    const built = buildUi(`${scratch.path}/ui`);
    await generateTracks(scratch.path, 21, []);
    await built;
    server = await startAuthServer({ TAMS_UI_DIR: `${scratch.path}/ui` });
    const target = { origin: server.url, username: ADMIN_USER, password: ADMIN_PASSWORD };
    await bbcIngest(target, scratch.path, '0', videoId, 'Pattern', T0);
    await bbcIngest(target, scratch.path, '1', audioId, 'Tone', T0);

    // The audio again, its offset moved on by 10 ms every fourth segment.
    const listed = await server.get<IngestedSegment[]>(`/flows/${audioId}/segments`, {
      headers: AUTH,
      query: { limit: 1000 },
    });
    expect(listed.status, listed.text).toBe(200);
    const made = await server.put(
      `/flows/${editedId}`,
      {
        id: editedId,
        source_id: randomUUID(),
        label: 'Tone, cut',
        container: 'audio/mp2t',
        ...TRACK_FIELDS.audio,
      },
      { headers: AUTH },
    );
    expect(made.status, made.text).toBe(201);
    // From the first segment's offset, without the script's drift: jumps and nothing else.
    const [sec = '0', ns = '0'] = (listed.body[0]?.ts_offset ?? '0:0').split(':');
    const base = BigInt(sec) * S + BigInt(ns);
    const edit = listed.body.map((s, i) => ({
      object_id: s.object_id,
      timerange: s.timerange,
      ts_offset: timestamp(base + BigInt(Math.floor(i / 4)) * 10_000_000n),
    }));
    const posted = await server.post(`/flows/${editedId}/segments`, edit, { headers: AUTH });
    expect(posted.status, posted.text).toBe(201);
    const playlist = await server.get(`/flows/${editedId}/hls.m3u8`, { headers: AUTH });
    expect(discontinuities(playlist.text)).toEqual([4, 8, 12, 16, 20]);

    for (const id of [videoId, audioId, editedId]) {
      const closed = await server.put(`/flows/${id}/tags/flow_status`, JSON.stringify('closed_complete'), {
        headers: AUTH,
      });
      expect(closed.status, closed.text).toBe(204);
    }
    await putMultiFlow(
      server,
      multiId,
      [
        { id: videoId, role: 'video' },
        { id: audioId, role: 'audio' },
      ],
      AUTH,
      { label: 'Pattern and tone' },
    );
    await putMultiFlow(
      server,
      brokenId,
      [
        { id: videoId, role: 'video' },
        { id: editedId, role: 'audio' },
      ],
      AUTH,
      { label: 'Pattern and cut tone' },
    );
    browser = await launchChromium();
  }, SLOW_TEST_MS);

  afterAll(() => stopAll(context, browser, server, scratch));

  async function open(flowId: string): Promise<Page> {
    let page: Page;
    ({ context, page } = await newTab(browser, pageErrors));
    await signIn(page, server.url, ADMIN_TOKEN);
    await page.goto(`${server.url}/ui/flows/${flowId}`);
    return page;
  }

  const play = (page: Page) =>
    page.locator('video').evaluate((v: PageVideo) => {
      v.muted = true;
      // Not awaited: a video that never gets media never settles play()'s promise.
      v.play().catch(() => undefined);
    });

  it('plays: the clock advances, with frames and audio decoded', async () => {
    const page = await open(multiId);
    await page.locator('video[data-ready="true"]').waitFor();
    await play(page);
    await page.waitForFunction(() => (document.querySelector('video')?.currentTime ?? 0) > 2);
    const element = page.locator('video');
    await element.evaluate((v: PageVideo) => v.pause());
    const decoded = await element.evaluate((v: PageVideo) => ({
      frames: v.getVideoPlaybackQuality().totalVideoFrames,
      audioBytes: v.webkitAudioDecodedByteCount,
    }));
    expect(decoded.frames).toBeGreaterThan(0);
    expect(decoded.audioBytes).toBeGreaterThan(0);
    expect(await page.locator('.player .error').count()).toBe(0);
  });

  it('says why audio breaking where its video does not cannot play, and stays usable', async () => {
    const page = await open(brokenId);
    await play(page);
    const alert = page.locator('.player .error[role="alert"]');
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(
      /^Playback failed: the audio breaks \(EXT-X-DISCONTINUITY\) 5 times and the video 0 times/,
    );
    // The page answers; nothing played, and the video no longer waits to.
    // The alert is shown as the player stops: the video's state follows within the same error.
    const state = () =>
      page.locator('video').evaluate((v: PageVideo) => ({
        readyState: v.readyState,
        networkState: v.networkState,
        paused: v.paused,
      }));
    // NETWORK_EMPTY: no source, so no spinner either.
    await expect.poll(state).toEqual({ readyState: 0, networkState: 0, paused: true });
    // Play pressed again once it has failed: it stays paused, not "playing" nothing.
    await play(page);
    await expect.poll(state).toEqual({ readyState: 0, networkState: 0, paused: true });
    await page.getByTestId('flow-meta').waitFor();
    await page.screenshot({ path: screenshotPath('offsets-unplayable') });
  });
});
