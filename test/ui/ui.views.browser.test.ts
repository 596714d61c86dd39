/**
 * The web UI's views of a store in headless Chromium, on real media: 25 s of test pattern and
 * tone cut by ffmpeg into 1-second MPEG-TS segments, ingested through the API with one left out
 * where the segment list's first page ends, under a Source no client created (it has no label);
 * beside it a video Flow whose essence parameters are what ffprobe reads of the same media.
 * Shown: the segment list paging through the segments, marking the gap across its pages,
 * opening a segment on its URLs and size, following the timeline's view; the Sources list's
 * label fallback and Flow count; the Source page listing its Flows; the essence parameters laid
 * out; the playlist URL copied to the clipboard, and with a read-only token made for it, played
 * by ffprobe. Screenshots go to .tmp/ui-screenshots/views-*.png.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseTimeRange } from '../../src/time/index.ts';
import { chromiumAvailable, launchChromium } from '../../tools/chromium.ts';
import { ADMIN_TOKEN, startAuthServer } from '../auth/auth.fixture.ts';
import { SLOW_TEST_MS } from '../helpers/deadlines.ts';
import { type TestServer, tempDir } from '../helpers/server.ts';
import { stopAll } from '../helpers/stop.ts';
import { type Ingested, ingest } from '../hls/hls.ingest.ts';
import { ffmpegAvailable, generateStream, probe } from '../hls/hls.media.ts';
import { buildUi, screenshotPath } from './ui.fixture.ts';
import { newTab, PHONE, pageErrorsChecked, signIn, type Tab } from './ui.tabs.ts';

/** The page's globals the callbacks below use (this project is typed for Node, without the DOM). */
declare const navigator: { clipboard: { readText(): Promise<string> } };
declare const document: { documentElement: { scrollWidth: number } };

const available = chromiumAvailable('web UI views browser tests') && ffmpegAvailable();
const S = 1_000_000_000n;
const T0 = 1_700_000_037n * S;
const AUTH = { authorization: `Bearer ${ADMIN_TOKEN}` };
const SECONDS = 25;
/** The segment left out: the first after the list's first page of 20. */
const GAP = 20;
const PAGE = 20;
/** Sources made before the test's own, so that the list is longer than the screen. */
const FILLERS = 40;

/** What ffprobe reports of a stream, as far as the essence parameters use it. */
interface ProbedStream {
  codec_type?: string;
  width?: number;
  height?: number;
  r_frame_rate?: string;
  profile?: string;
  level?: number;
  sample_rate?: string;
  channels?: number;
}

const startOf = (timerange: string | null) => parseTimeRange(timerange ?? '').start;
/** A TAMS timestamp (`s:ns`) in nanoseconds. */
const timestamp = (text: string | null) => {
  const [s, ns] = (text ?? '').split(':');
  return BigInt(s ?? '0') * S + BigInt(ns ?? '0');
};

describe.skipIf(!available)('web UI views in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  let scratch: ReturnType<typeof tempDir>;
  let flow: Ingested;
  const sourceId = randomUUID();
  const videoSourceId = randomUUID();
  const videoFlowId = randomUUID();
  let shortFlow: Ingested;
  const pageErrors = pageErrorsChecked();

  beforeAll(async () => {
    scratch = tempDir('tams-ui-views-');
    const built = buildUi(`${scratch.path}/ui`);
    const stream = await generateStream(scratch.path, 'mpegts', SECONDS);
    expect(stream.segments.length).toBe(SECONDS);
    const probed = (await probe(join(scratch.path, 'seg0.ts'))).streams as ProbedStream[];
    await built;
    server = await startAuthServer({ TAMS_UI_DIR: `${scratch.path}/ui` });
    // Older Sources than the test's, enough to fill more than a screen of the Sources list.
    for (let i = 0; i < FILLERS; i++) {
      const id = randomUUID();
      const filler = await server.put(
        `/flows/${id}`,
        {
          id,
          source_id: randomUUID(),
          format: 'urn:x-nmos:format:video',
          codec: 'video/h264',
          essence_parameters: { frame_width: 1920, frame_height: 1080 },
          label: `filler ${i + 1}`,
        },
        { headers: AUTH },
      );
      expect(filler.status, filler.text).toBe(201);
    }
    flow = await ingest(server, stream, {
      sourceId,
      start: T0,
      skip: [GAP],
      headers: AUTH,
      label: 'Harbour test pattern',
    });
    // A second Flow of the Source: the first five seconds again.
    shortFlow = await ingest(
      server,
      { ...stream, segments: stream.segments.slice(0, 5) },
      { sourceId, start: T0, headers: AUTH, label: 'Harbour opening' },
    );
    // A video Flow, of a Source of its own, whose essence parameters are ffprobe's reading of the
    // media, in the collection of the multi Flow (so its Source is in the multi Source's).
    const video = probed.find((s) => s.codec_type === 'video');
    const audio = probed.find((s) => s.codec_type === 'audio');
    const [num, den] = (video?.r_frame_rate ?? '25/1').split('/').map(Number);
    const created = await server.put(
      `/flows/${videoFlowId}`,
      {
        id: videoFlowId,
        source_id: videoSourceId,
        format: 'urn:x-nmos:format:video',
        codec: 'video/h264',
        container: 'video/mp2t',
        label: 'Harbour video',
        essence_parameters: {
          frame_width: video?.width,
          frame_height: video?.height,
          frame_rate: { numerator: num, denominator: den },
          interlace_mode: 'progressive',
          avc_parameters: { profile: 66, level: video?.level ?? 30, flags: 192 },
        },
      },
      { headers: AUTH },
    );
    expect(created.status, created.text).toBe(201);
    const collected = await server.put(
      `/flows/${flow.flowId}/flow_collection`,
      [{ id: videoFlowId, role: 'video' }],
      { headers: AUTH },
    );
    expect(collected.status, collected.text).toBe(204);
    expect(audio?.sample_rate).toBe('48000');
    browser = await launchChromium();
  }, SLOW_TEST_MS);

  afterAll(() => stopAll(browser, server, scratch));

  async function open(token = ADMIN_TOKEN): Promise<Tab> {
    const tab = await newTab(browser, pageErrors);
    await signIn(tab.page, server.url, token, 'sources');
    return tab;
  }

  it('pages through the segments and marks the gap between two pages', async () => {
    const { context, page } = await open();
    try {
      await page.goto(`${server.url}/ui/flows/${flow.flowId}`);
      const rows = page.locator('table[data-testid="segments"] tbody tr[data-timerange]');
      await expect.poll(() => rows.count()).toBe(PAGE);
      const gaps = page.locator('[data-testid="segment-gap"]');
      // The missing segment follows the first page's last: nothing to mark yet.
      expect(await gaps.count()).toBe(0);
      await page.getByRole('button', { name: `Next ${PAGE} segments` }).click();
      await expect.poll(() => rows.count()).toBe(SECONDS - 1);
      expect(await page.getByRole('button', { name: /Next .* segments/ }).count()).toBe(0);
      // One gap, of the left-out segment, read as a sentence in the row before the segment after it.
      expect(await gaps.count()).toBe(1);
      const gap = gaps.first();
      expect(await gap.textContent()).toMatch(/Discontinuity: no segment for 1 s, from .* to .* UTC/);
      expect(await gap.getAttribute('aria-hidden')).toBeNull();
      const after = page.locator('[data-testid="segment-gap"] + tr');
      expect(startOf(await after.getAttribute('data-timerange'))).toBe(T0 + BigInt(GAP + 1) * S);
      const before = gaps.locator('xpath=preceding-sibling::tr[@data-timerange][1]');
      expect(parseTimeRange((await before.getAttribute('data-timerange')) ?? '').end).toBe(
        T0 + BigInt(GAP) * S,
      );
      expect(await page.locator('[data-testid="segments-count"]').textContent()).toContain(
        '1 gap between them',
      );

      // A row opens on its URLs (presigned then) and the object's size, read from the first URL.
      const first = flow.segments[0];
      if (!first) throw new Error('no segment ingested');
      await rows
        .first()
        .getByRole('button', { name: /URLs of the segment/ })
        .click();
      const urls = page.locator('[data-testid="segment-urls"] a');
      await urls.first().waitFor();
      const media = await fetch((await urls.first().getAttribute('href')) ?? '');
      expect(Buffer.from(await media.arrayBuffer()).equals(first.bytes)).toBe(true);
      const size = rows.first().locator('[data-testid="segment-size"] [data-bytes]');
      await size.waitFor();
      expect(Number(await size.getAttribute('data-bytes'))).toBe(first.bytes.length);
      await gap.scrollIntoViewIfNeeded();
      await page.screenshot({ path: screenshotPath('views-segments'), fullPage: true });

      // Zoomed in, the list follows the timeline's view; unticked, it lists the Flow again.
      const track = page.getByRole('slider', { name: /Timeline/ });
      await track.focus();
      for (let i = 0; i < 3; i++) await page.keyboard.press('+');
      // Each row listed overlaps the part of the Flow in view, once the list has followed the last
      // zoom step (a step's list can show while the timeline has moved on).
      const svg = page.locator('svg.tl-svg');
      const followed = async () => {
        const view = {
          start: timestamp(await svg.getAttribute('data-view-start')),
          end: timestamp(await svg.getAttribute('data-view-end')),
        };
        const ranges = await rows.evaluateAll((trs) =>
          trs.map((tr) => tr.getAttribute('data-timerange') ?? ''),
        );
        if (ranges.length === 0 || ranges.length >= PAGE) return false;
        return ranges.every((text) => {
          const range = parseTimeRange(text);
          return (range.end ?? 0n) > view.start && (range.start ?? 0n) < view.end;
        });
      };
      await expect.poll(followed).toBe(true);
      await page.getByLabel("Only those in the timeline's view").uncheck();
      await expect.poll(() => rows.count()).toBe(PAGE);

      // At phone width the list scrolls inside its frame: the page itself does not scroll sideways.
      await page.setViewportSize(PHONE);
      await expect
        .poll(() => page.evaluate(() => document.documentElement.scrollWidth))
        .toBeLessThanOrEqual(PHONE.width);
      await page.getByRole('button', { name: `Next ${PAGE} segments` }).click();
      await expect.poll(() => rows.count()).toBe(SECONDS - 1);
      await gap.scrollIntoViewIfNeeded();
      // The gap's sentence wraps within the screen, not the table's scrolled width.
      const box = await gap.locator('.seg-gap-text').boundingBox();
      expect((box?.x ?? 0) + (box?.width ?? Infinity)).toBeLessThanOrEqual(PHONE.width);
      await page.screenshot({ path: screenshotPath('views-segments-phone') });
    } finally {
      await context.close();
    }
  });

  it("sums up a page of Sources' Flows in one request, none per row", async () => {
    const { context, page } = await newTab(browser, pageErrors);
    const perSource: string[] = [];
    const summaries: string[][] = [];
    page.on('request', (request) => {
      const url = new URL(request.url());
      const source = url.searchParams.get('source_id');
      if (url.pathname === '/tams/v8.2/flows' && source) perSource.push(source);
      if (url.pathname === '/sources/flow-summaries' && source) summaries.push(source.split(','));
    });
    try {
      await signIn(page, server.url, ADMIN_TOKEN);
      const rows = page.locator('table[data-testid="sources"] tbody tr');
      await expect.poll(() => rows.count()).toBe(FILLERS + 2);
      // The last row, far below the screen, has its count and label with the rest.
      await expect
        .poll(() => rows.last().locator('[data-testid="source-flow-count"]').textContent())
        .toBe('1 Flow');
      expect(await rows.last().locator('td').first().textContent()).toBe("filler 1 (its Flow's label)");
      const sources = await rows
        .locator('code.id')
        .evaluateAll((codes) => codes.map((c) => c.getAttribute('title')));
      expect(summaries).toEqual([sources]);
      expect(perSource).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('lists the Sources with a label from their Flow and a Flow count, and opens a Source on its Flows', async () => {
    const { context, page } = await open();
    try {
      const row = page
        .locator('table[data-testid="sources"] tbody tr')
        .filter({ hasText: sourceId.slice(0, 8) });
      await expect.poll(() => row.locator('[data-testid="source-flow-count"]').textContent()).toBe('2 Flows');
      const label = row.locator('td').first();
      expect(await label.textContent()).toMatch(/^Harbour (test pattern|opening) \(its Flow's label\)$/);
      await page.screenshot({ path: screenshotPath('views-sources') });

      await label.locator('a').click();
      await page.waitForURL(`**/ui/sources/${sourceId}`);
      const flows = page.locator('table[data-testid="source-flows"] tbody tr');
      await expect.poll(() => flows.count()).toBe(2);
      const links = await flows
        .locator('a')
        .evaluateAll((anchors) => anchors.map((a) => [a.textContent, a.getAttribute('href')]));
      expect(links.sort()).toEqual(
        [
          ['Harbour opening', `/ui/flows/${shortFlow.flowId}`],
          ['Harbour test pattern', `/ui/flows/${flow.flowId}`],
        ].sort(),
      );
      const meta = page.locator('[data-testid="source-meta"]');
      const text = (await meta.textContent()) ?? '';
      // The Source's timerange is its Flows' together: the longer one's 25 s.
      expect(text).toContain(`[${T0 / S}:0_${T0 / S + BigInt(SECONDS)}:0)`);
      expect(text).toContain('(25 s)');
      // Its collection: the video Flow's Source, by the role its Flow has.
      expect(text).toContain(`${videoSourceId} (video)`);
      await page.screenshot({ path: screenshotPath('views-source'), fullPage: true });
      await meta.locator(`a[href="/ui/sources/${videoSourceId}"]`).click();
      await page.waitForURL(`**/ui/sources/${videoSourceId}`);
      await expect.poll(() => flows.count()).toBe(1);
      expect(await page.locator('[data-testid="source-meta"]').textContent()).toContain(
        `In collections${sourceId}`,
      );
      await flows.locator('a', { hasText: 'Harbour video' }).click();
      await page.waitForURL(`**/ui/flows/${videoFlowId}`);
      await page.locator('[data-testid="flow-meta"]').waitFor();
    } finally {
      await context.close();
    }
  });

  it('lays out the essence parameters, the JSON a click away', async () => {
    const { context, page } = await open();
    try {
      await page.goto(`${server.url}/ui/flows/${videoFlowId}`);
      const essence = page.locator('[data-testid="essence"]');
      await essence.waitFor();
      const terms = await essence.locator('dt').allTextContents();
      const values = await essence.locator('dd').allTextContents();
      const laid = Object.fromEntries(terms.map((t, i) => [t, values[i]]));
      expect(laid.Resolution).toBe('320 × 180');
      expect(laid['Frame rate']).toBe('25 fps');
      expect(laid.Interlace).toBe('progressive');
      expect(laid['H.264']).toMatch(/^Constrained Baseline, level \d/);
      const json = essence.locator('pre.json');
      expect(await json.isVisible()).toBe(false);
      await essence.locator('summary').click();
      expect(JSON.parse((await json.textContent()) ?? '')).toMatchObject({
        frame_width: 320,
        frame_height: 180,
      });
      await page.locator('[data-testid="flow-meta"]').screenshot({ path: screenshotPath('views-essence') });
    } finally {
      await context.close();
    }
  });

  it('copies the playlist URL, which plays in ffprobe with the read-only token made for it', async () => {
    const { context, page } = await open();
    try {
      await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
      await page.goto(`${server.url}/ui/flows/${flow.flowId}`);
      const field = page.locator('[data-testid="hls-url"]');
      await field.waitFor();
      const plain = `${server.url}/flows/${flow.flowId}/hls.m3u8`;
      expect(await field.inputValue()).toBe(plain);
      expect(await page.locator('[data-testid="hls-token-note"]').textContent()).toContain(
        'Authorization: Bearer',
      );
      await page.getByRole('button', { name: 'Copy', exact: true }).click();
      await expect.poll(() => page.locator('[data-testid="hls-copy-status"]').textContent()).toBe('Copied.');
      expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(plain);
      // Without credentials the playlist is refused.
      expect((await fetch(plain)).status).toBe(401);

      await page.getByRole('button', { name: 'Add a read-only token valid for 1 hour' }).click();
      await expect.poll(() => field.inputValue()).toMatch(/\?access_token=/);
      const withToken = await field.inputValue();
      await page.getByRole('button', { name: 'Copy', exact: true }).click();
      await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe(withToken);
      await page.locator('.hls-url').screenshot({ path: screenshotPath('views-hls-url') });
      // The token reads, and only reads, for an hour.
      const token = new URL(withToken).searchParams.get('access_token') ?? '';
      const who = await server.get<{ scopes: string[] }>('/auth/whoami', {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(who.body.scopes).toEqual(['read']);
      const listed = await server.get<{ name: string; expires?: string }[]>('/auth/tokens', {
        headers: AUTH,
      });
      const issued = listed.body.find((t) => t.name.startsWith(`hls-${flow.flowId.slice(0, 8)}-`));
      const left = Date.parse(issued?.expires ?? '') - Date.now();
      expect(left).toBeGreaterThan(3000_000);
      expect(left).toBeLessThanOrEqual(3600_000);
      // A player given the URL plays the Flow: ffprobe reads its picture and sound (the Flow was
      // written moments ago: its playlist is the live one, without a duration).
      const probed = await probe(withToken);
      expect(probed.streams.map((s) => s.codec_type).sort()).toEqual(['audio', 'video']);
    } finally {
      await context.close();
    }
  });

  it('offers no token to a principal that cannot make one, and says what the URL needs', async () => {
    const { token } = await server.runtime.auth.admin.createToken({
      name: 'ui-views-reader',
      scopes: ['read'],
    });
    const { context, page } = await open(token);
    try {
      await page.goto(`${server.url}/ui/flows/${flow.flowId}`);
      const note = page.locator('[data-testid="hls-token-note"]');
      await note.waitFor();
      expect(await note.textContent()).toContain('Authorization: Bearer');
      expect(await page.getByRole('button', { name: /read-only token/ }).count()).toBe(0);
    } finally {
      await context.close();
    }
  });
});
