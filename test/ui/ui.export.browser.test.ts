/**
 * The Flow page's download of a timerange (issue 50) in headless Chromium, on real media made by
 * ffmpeg here (MPEG-TS, and fragmented MP4 with an init segment) and ingested through the API:
 * the range's start and end set at the player's position by clicks on the timeline, the file
 * downloaded by Chromium, its bytes the stored objects' and ffprobe decoding the frames of the
 * segments it holds; the token sent in the Authorization header, never in a URL; a principal
 * without read offered no download; a response the server cuts off reported, and no file saved.
 * Screenshots go to .tmp/ui-screenshots/.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseTimeRange, TimeRange } from '../../src/time/index.ts';
import { chromiumAvailable, launchChromium } from '../../tools/chromium.ts';
import { ADMIN_TOKEN, bearer, startAuthServer } from '../auth/auth.fixture.ts';
import { SLOW_TEST_MS } from '../helpers/deadlines.ts';
import { type TestServer, tempDir } from '../helpers/server.ts';
import { stopAll } from '../helpers/stop.ts';
import { type Ingested, ingest } from '../hls/hls.ingest.ts';
import { FFPROBE, ffmpegAvailable, type GeneratedStream, generateStream } from '../hls/hls.media.ts';
import { buildUi, screenshotPath } from './ui.fixture.ts';
import { newTab, pageErrorsChecked, signIn, type Tab } from './ui.tabs.ts';

const available = chromiumAvailable('web UI export browser tests') && ffmpegAvailable();
const S = 1_000_000_000n;
const T0 = 1_700_000_037n * S;
const AUTH = bearer(ADMIN_TOKEN);
const KINDS = ['mpegts', 'fmp4'] as const;

/** Video frames ffprobe decodes in a file. */
async function videoFrames(file: string): Promise<number> {
  const { stdout } = await promisify(execFile)(FFPROBE, [
    ...['-v', 'error', '-count_frames', '-select_streams', 'v'],
    ...['-show_entries', 'stream=nb_read_frames', '-print_format', 'json'],
    file,
  ]);
  const streams = (JSON.parse(stdout) as { streams: { nb_read_frames?: string }[] }).streams;
  return Number(streams[0]?.nb_read_frames);
}

describe.skipIf(!available)('download of a timerange on the Flow page (Chromium)', () => {
  let server: TestServer;
  let browser: Browser;
  let scratch: ReturnType<typeof tempDir>;
  let readerToken: string;
  let writerToken: string;
  const streams = {} as Record<(typeof KINDS)[number], GeneratedStream>;
  const flows = {} as Record<(typeof KINDS)[number], Ingested>;

  beforeAll(async () => {
    scratch = tempDir('tams-ui-export-');
    const built = buildUi(`${scratch.path}/ui`);
    for (const kind of KINDS) {
      await mkdir(`${scratch.path}/${kind}`);
      streams[kind] = await generateStream(`${scratch.path}/${kind}`, kind, 6);
    }
    await built;
    server = await startAuthServer({ TAMS_UI_DIR: `${scratch.path}/ui` });
    const admin = server.runtime.auth.admin;
    readerToken = (await admin.createToken({ name: 'viewer', scopes: ['read'] })).token;
    writerToken = (await admin.createToken({ name: 'ingest', scopes: ['write'] })).token;
    const sourceId = randomUUID();
    for (const kind of KINDS) {
      flows[kind] = await ingest(server, streams[kind], {
        sourceId,
        start: T0,
        headers: AUTH,
        label: `${kind} studio feed`,
      });
    }
    browser = await launchChromium();
  }, SLOW_TEST_MS);

  afterAll(() => stopAll(browser, server, scratch));

  const pageErrors = pageErrorsChecked();

  /** A new tab signed in with `token`, whose uncaught errors fail the test. */
  async function open(token: string): Promise<Tab> {
    const tab = await newTab(browser, pageErrors, { acceptDownloads: true });
    await signIn(tab.page, server.url, token);
    return tab;
  }

  const timestamp = (text: string | null) => {
    const [s, ns] = (text ?? '').split(':');
    return BigInt(s ?? '0') * S + BigInt(ns ?? '0');
  };
  const playhead = async (page: Page) =>
    timestamp(await page.locator('.tl-playhead').getAttribute('data-time'));

  /** Clicks the timeline at TAMS time `t` and waits for the playhead to be there (within a pixel). */
  async function seekTo(page: Page, t: bigint): Promise<bigint> {
    const svg = page.locator('svg.tl-svg');
    const box = await svg.boundingBox();
    if (!box) throw new Error('the timeline is not shown');
    const start = timestamp(await svg.getAttribute('data-view-start'));
    const end = timestamp(await svg.getAttribute('data-view-end'));
    const x = box.x + (Number(t - start) / Number(end - start)) * box.width;
    await page.mouse.click(x, box.y + box.height * 0.7);
    const pixel = (end - start) / BigInt(Math.round(box.width));
    await expect
      .poll(async () => {
        const at = await playhead(page);
        return (at > t ? at - t : t - at) <= pixel;
      })
      .toBe(true);
    return playhead(page);
  }

  for (const kind of KINDS) {
    it(`${kind}: downloads the range set at the player, as the stored objects' bytes`, async () => {
      const { context, page } = await open(readerToken);
      const flow = flows[kind];
      const stream = streams[kind];
      const urls: { method: string; url: string; authorization?: string }[] = [];
      page.on('request', (r) => {
        if (new URL(r.url()).pathname.endsWith('/export')) {
          urls.push({ method: r.method(), url: r.url(), authorization: r.headers().authorization });
        }
      });
      try {
        await page.goto(`${server.url}/ui/flows/${flow.flowId}`);
        await page.locator('[data-testid="flow-export"]').waitFor();
        await page.locator('video[data-ready="true"]').waitFor();
        // The whole Flow: nothing marked on the timeline.
        expect(await page.locator('rect.tl-range').count()).toBe(0);
        // In a second and a half, out three and a half seconds in: segments 1, 2 and 3, whole.
        const from = await seekTo(page, T0 + (3n * S) / 2n);
        await page.getByRole('button', { name: 'Start at player' }).click();
        const to = await seekTo(page, T0 + (7n * S) / 2n);
        await page.getByRole('button', { name: 'End at player' }).click();
        const range = TimeRange.from(from, to, { endInclusive: false });
        await expect.poll(() => page.locator('.export-range code').textContent()).toBe(range.format());
        // The range chosen is the timeline's range (the one segment deletion takes), from the
        // start to the end set; no second band.
        expect(await page.locator('rect.tl-highlight').count()).toBe(0);
        const band = page.locator('rect.tl-range');
        expect(timestamp(await band.getAttribute('data-start'))).toBe(from);
        expect(timestamp(await band.getAttribute('data-end'))).toBe(to);
        // Drawn there, give or take its 2 px outline.
        const marked = await band.boundingBox();
        const svg = page.locator('svg.tl-svg');
        const track = await svg.boundingBox();
        const viewStart = timestamp(await svg.getAttribute('data-view-start'));
        const viewEnd = timestamp(await svg.getAttribute('data-view-end'));
        const xOf = (t: bigint) =>
          (track?.x ?? 0) + (Number(t - viewStart) / Number(viewEnd - viewStart)) * (track?.width ?? 0);
        expect(Math.abs((marked?.x ?? 0) - xOf(from))).toBeLessThanOrEqual(1.5);
        expect(Math.abs((marked?.x ?? 0) + (marked?.width ?? 0) - xOf(to))).toBeLessThanOrEqual(1.5);

        // Before any download, what the file will hold: the three segments, whole.
        await expect
          .poll(() => page.getByTestId('export-file').textContent())
          .toBe(
            'The file holds 3 whole segments: 2023-11-14 22:13:21.000 → 2023-11-14 22:13:24.000 UTC (3 s).',
          );
        const downloading = page.waitForEvent('download');
        await page.getByTestId('export-download').click();
        const download = await downloading;
        const file = `${scratch.path}/${download.suggestedFilename()}`;
        await download.saveAs(file);
        await expect.poll(() => page.getByTestId('export-status').textContent()).toMatch(/^Saved /);

        const held = flow.segments.filter((s) => range.overlaps(parseTimeRange(s.timerange)));
        expect(held.length).toBe(3);
        const bytes = await readFile(file);
        const expected = Buffer.concat([...(stream.init ? [stream.init] : []), ...held.map((s) => s.bytes)]);
        expect(bytes.equals(expected)).toBe(true);
        expect(await videoFrames(file)).toBe(75);
        expect(download.suggestedFilename()).toMatch(
          new RegExp(`^${kind}-studio-feed_20231114T221321Z_PT3S\\.${kind === 'mpegts' ? 'ts' : 'mp4'}$`),
        );
        // One GET for the file (HEADs for what it holds); the token in the Authorization
        // header of each, in no URL.
        expect(urls.filter((r) => r.method === 'GET')).toHaveLength(1);
        for (const request of urls) {
          expect(request.authorization).toBe(`Bearer ${readerToken}`);
          expect(request.url).not.toContain('access_token');
        }
        await page.screenshot({ path: screenshotPath(`flow-export-${kind}`), fullPage: true });
      } finally {
        await context.close();
      }
    });
  }

  it('offers no download to a principal without read, which the API refuses too', async () => {
    const { context, page } = await open(writerToken);
    try {
      await page.goto(`${server.url}/ui/flows/${flows.mpegts.flowId}`);
      await page.getByRole('alert').first().waitFor();
      expect(await page.locator('[data-testid="flow-export"]').count()).toBe(0);
      const res = await server.get(`/flows/${flows.mpegts.flowId}/export`, { headers: bearer(writerToken) });
      expect(res.status).toBe(403);
      await page.screenshot({ path: screenshotPath('flow-export-no-read') });
    } finally {
      await context.close();
    }
  });

  it('says why the server refuses a range before any download', async () => {
    // A segment whose object only a client-registered URL reaches: the server does not fetch it.
    const flowId = randomUUID();
    const flow = { id: flowId, source_id: randomUUID(), format: 'urn:x-nmos:format:multi' };
    await server.put(
      `/flows/${flowId}`,
      { ...flow, container: 'video/mp2t', label: 'elsewhere' },
      { headers: AUTH },
    );
    const timerange = `[${T0 / S}:0_${T0 / S + 1n}:0)`;
    const url = 'http://media.invalid/a.ts';
    const posted = await server.post(
      `/flows/${flowId}/segments`,
      { object_id: `external-${randomUUID()}`, timerange, get_urls: [{ url }] },
      { headers: AUTH },
    );
    expect(posted.status, posted.text).toBe(201);
    const { context, page } = await open(readerToken);
    try {
      await page.goto(`${server.url}/ui/flows/${flowId}`);
      await expect
        .poll(() => page.getByTestId('export-refused').textContent())
        .toMatch(/^400 The export cannot read 1 segment of the timerange: .*registered by a client/);
      expect(await page.getByTestId('export-download').isDisabled()).toBe(true);
      await page.screenshot({ path: screenshotPath('flow-export-refused'), fullPage: true });
    } finally {
      await context.close();
    }
  });

  it('reports a download the server cuts off, and saves no file', async () => {
    const flow = await ingest(server, streams.mpegts, {
      sourceId: randomUUID(),
      start: T0,
      headers: AUTH,
      label: 'damaged feed',
    });
    // The fourth object loses its bytes in storage: the server stops the file there.
    const page0 = await server.runtime.store.segments.page(flow.flowId, TimeRange.ETERNITY, {
      reverse: false,
      limit: 10,
    });
    const lost = page0.items[3]?.storage;
    if (lost === undefined) throw new Error('the fourth segment has no stored object');
    await server.runtime.media.get(lost.id)?.delete(lost.path);

    const { context, page } = await open(readerToken);
    const downloads: string[] = [];
    page.on('download', (d) => downloads.push(d.suggestedFilename()));
    try {
      await page.goto(`${server.url}/ui/flows/${flow.flowId}`);
      await page.getByTestId('export-download').click();
      const alert = page.locator('[data-testid="flow-export"] [role="alert"]');
      await expect
        .poll(() => alert.textContent())
        .toMatch(/^The download (broke off after \d+ kB|failed): no file was saved/);
      expect(downloads).toEqual([]);
      await page.screenshot({ path: screenshotPath('flow-export-broken'), fullPage: true });
    } finally {
      await context.close();
    }
  });
});
