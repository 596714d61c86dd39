/**
 * The web UI in headless Chromium (Debian's, through playwright-core), on real media: a few
 * seconds of test pattern and tone made here by ffmpeg, as MPEG-TS segments and as fragmented
 * MP4 segments with an init segment, ingested through the TAMS API with one segment left out.
 * The UI is built from the current sources and served by a real server with authentication on.
 * Shown: sign-in with a token and the lists with their filters; on each Flow page the gap drawn
 * where the segment is missing, the player playing (its clock advances, no hls.js error), and
 * clicks and keys on the timeline landing the player where HLS's own rules put that TAMS time;
 * admin pages only for admin tokens; a search hit opening its Flow at its moment; a caption
 * Flow's page showing the cues that fall outside their segment. Screenshots go
 * to .tmp/ui-screenshots/ (laptop and phone widths).
 */

import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatTimestamp } from '../../src/time/index.ts';
import { chromiumAvailable, launchChromium } from '../../tools/chromium.ts';
import { ADMIN_TOKEN, startAuthServer } from '../auth/auth.fixture.ts';
import { exrEnv, exrFlow, framesListed, gate, ingest as ingestFrames, sample } from '../exr/exr.fixtures.ts';
import { SLOW_TEST_MS, WAIT_MS } from '../helpers/deadlines.ts';
import { startServer, type TestServer, tempDir } from '../helpers/server.ts';
import { stopAll } from '../helpers/stop.ts';
import { type Ingested, ingest } from '../hls/hls.ingest.ts';
import { ffmpegAvailable, generateStream } from '../hls/hls.media.ts';
import { captionsOutsideSegment } from './ui.captions.ts';
import {
  buildUi,
  expectedPlayerTime,
  type RegisteredSegment,
  registered,
  screenshotPath,
} from './ui.fixture.ts';
import { LAPTOP, newTab, PHONE, pageErrorsChecked, signIn, type Tab } from './ui.tabs.ts';

/**
 * The page's globals the callbacks below use: they run in Chromium, while this project is typed
 * for Node (no DOM library), so each is declared here as far as it is used, for this file alone.
 */
interface PageVideo {
  currentTime: number;
  muted: boolean;
  seeking: boolean;
  play(): Promise<void>;
  pause(): void;
}
declare const document: {
  querySelector(selector: 'video'): PageVideo | null;
  documentElement: { scrollWidth: number };
};
declare const sessionStorage: { getItem(key: string): string | null };

const available = chromiumAvailable('web UI browser tests') && ffmpegAvailable();
const S = 1_000_000_000n;
/** 2023-11-14T22:13:20Z on the TAI timeline. */
const T0 = 1_700_000_037n * S;
const AUTH = { authorization: `Bearer ${ADMIN_TOKEN}` };
/** The segment left out: a gap of one second after two. */
const GAP = 2;
const KINDS = ['mpegts', 'fmp4'] as const;
/** How far the player may be from where HLS puts a time (a frame at 25 fps is 0.04 s). */
const CLOCK_TOLERANCE = 0.05;

interface Stream {
  flow: Ingested;
  segments: RegisteredSegment[];
  /** The missing segment's span. */
  gap: RegisteredSegment;
}

describe.skipIf(!available)('web UI in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  let scratch: ReturnType<typeof tempDir>;
  const streams = {} as Record<(typeof KINDS)[number], Stream>;
  const generated = {} as Record<(typeof KINDS)[number], Awaited<ReturnType<typeof generateStream>>>;
  const sourceId = randomUUID();

  beforeAll(async () => {
    scratch = tempDir('tams-ui-');
    const built = buildUi(`${scratch.path}/ui`);
    for (const kind of KINDS) {
      await mkdir(`${scratch.path}/${kind}`);
      const stream = await generateStream(`${scratch.path}/${kind}`, kind, 6);
      expect(stream.segments.length).toBeGreaterThanOrEqual(5);
      generated[kind] = stream;
    }
    await built;
    server = await startAuthServer({
      TAMS_UI_DIR: `${scratch.path}/ui`,
      TAMS_SEARCH: 'true',
      TAMS_SEARCH_EMBEDDINGS: 'none',
    });
    for (const kind of KINDS) {
      const stream = generated[kind];
      const flow = await ingest(server, stream, {
        sourceId,
        start: T0,
        skip: [GAP],
        headers: AUTH,
        label: `${kind} test pattern`,
      });
      // The gap: where the left-out segment would have been (the durations before it, from T0).
      let start = T0;
      for (const segment of stream.segments.slice(0, GAP)) start += segment.durationNs;
      const end = start + (stream.segments[GAP]?.durationNs ?? 0n);
      streams[kind] = {
        flow,
        segments: registered(flow.segments.map((s) => s.timerange)),
        gap: { start, end },
      };
    }
    browser = await launchChromium();
  }, SLOW_TEST_MS);

  afterAll(() => stopAll(browser, server, scratch));

  /** Uncaught errors of the pages, and what Chromium refused them (Content Security Policy). */
  const pageErrors = pageErrorsChecked();

  /** A new tab (own sessionStorage) whose errors fail the test, signed in when given a token. */
  async function open(viewport = LAPTOP, token?: string): Promise<Tab> {
    const tab = await newTab(browser, pageErrors, { viewport });
    if (token !== undefined) await signIn(tab.page, server.url, token, 'sources');
    return tab;
  }

  it('signs in with a token, kept in sessionStorage and sent as a bearer token', async () => {
    const { context, page } = await open();
    const sent: (string | undefined)[] = [];
    page.on('request', (r) => {
      if (new URL(r.url()).pathname === '/tams/v8.2/sources') sent.push(r.headers().authorization);
    });
    await page.goto(`${server.url}/ui/`);
    await page.locator('#token').waitFor();
    await page.screenshot({ path: screenshotPath('signin') });
    await page.locator('#token').fill('tams_not-a-token-of-this-server');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.locator('#signin-error').textContent()).toMatch(/refused/);
    await page.locator('#token').fill(ADMIN_TOKEN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    const rows = page.locator('table[data-testid="sources"] tbody tr');
    await rows.first().waitFor();
    expect(await rows.count()).toBe(1);
    expect(sent).toEqual([`Bearer ${ADMIN_TOKEN}`]);
    expect(await page.evaluate(() => sessionStorage.getItem('tams.token'))).toBe(ADMIN_TOKEN);
    // The token never appears in a URL the page requested.
    await page.screenshot({ path: screenshotPath('sources') });
    // A reload stays signed in (same tab); signing out forgets the token.
    await page.reload();
    await rows.first().waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.locator('#token').waitFor();
    expect(await page.evaluate(() => sessionStorage.getItem('tams.token'))).toBeNull();
    await context.close();
  });

  it('lists Flows with the TAMS filters, in the URL and in the API request', async () => {
    const { context, page } = await open(LAPTOP, ADMIN_TOKEN);
    const queries: URLSearchParams[] = [];
    page.on('request', (r) => {
      const url = new URL(r.url());
      // The UI reads TAMS through the 8.2 mount (ui/src/api/http.ts).
      if (url.pathname === '/tams/v8.2/flows') queries.push(url.searchParams);
    });
    // From the Source's row (its Flow count) to its Flows.
    await page
      .locator('table[data-testid="sources"] tbody tr [data-testid="source-flow-count"] a')
      .first()
      .click();
    const rows = page.locator('table[data-testid="flows"] tbody tr');
    await expect.poll(() => rows.count()).toBe(2);
    expect(queries.at(-1)?.get('source_id')).toBe(sourceId);
    await page.locator('input[name="label"]').fill('fmp4 test pattern');
    await page.getByRole('button', { name: 'Filter' }).click();
    await expect.poll(() => rows.count()).toBe(1);
    expect(await rows.first().textContent()).toContain('fmp4 test pattern');
    expect(queries.at(-1)?.get('label')).toBe('fmp4 test pattern');
    expect(queries.at(-1)?.get('source_id')).toBe(sourceId);
    expect(new URL(page.url()).searchParams.get('label')).toBe('fmp4 test pattern');
    await page.locator('input[name="label"]').fill('');
    await page.locator('select[name="format"]').selectOption('urn:x-nmos:format:video');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.getByText('No Flow matches.').waitFor();
    expect(queries.at(-1)?.get('format')).toBe('urn:x-nmos:format:video');
    await page.locator('input[name="tag_name"]').fill('_tams-server_init_object_id');
    await page.locator('select[name="format"]').selectOption('');
    await page.getByRole('button', { name: 'Filter' }).click();
    await expect.poll(() => rows.count()).toBe(1);
    // A tag name without a value: Flows that have the tag, whatever its value.
    expect(queries.at(-1)?.get('tag_exists._tams-server_init_object_id')).toBe('true');
    expect(await rows.first().textContent()).toContain('fmp4 test pattern');
    await context.close();
  });

  const timestamp = (text: string | null) => {
    const [s, ns] = (text ?? '').split(':');
    return BigInt(s ?? '0') * S + BigInt(ns ?? '0');
  };

  /** The span the timeline shows (its `data-view-*`), in nanoseconds. */
  async function viewOf(page: Page): Promise<{ start: bigint; end: bigint }> {
    const svg = page.locator('svg.tl-svg');
    return {
      start: timestamp(await svg.getAttribute('data-view-start')),
      end: timestamp(await svg.getAttribute('data-view-end')),
    };
  }

  /** The timeline's view and place on the page, to turn TAMS times into click positions. */
  async function timelineGeometry(page: Page) {
    const box = await page.locator('svg.tl-svg').boundingBox();
    if (!box) throw new Error('the timeline is not shown');
    const { start, end } = await viewOf(page);
    return {
      box,
      nsPerPixel: (end - start) / BigInt(Math.round(box.width)),
      xOf: (t: bigint) => box.x + (Number(t - start) / Number(end - start)) * box.width,
    };
  }

  const video = (page: Page) => page.locator('video');
  /** The errors hls.js reported (the player counts them on the element, with the last one's detail). */
  const hlsErrors = async (page: Page) => {
    const count = await video(page).getAttribute('data-hls-errors');
    return count === null
      ? null
      : `${count} error(s), the last: ${await video(page).getAttribute('data-hls-last-error')}`;
  };
  const clock = (page: Page) => video(page).evaluate((v: PageVideo) => v.currentTime);
  const playhead = async (page: Page) =>
    timestamp(await page.locator('.tl-playhead').getAttribute('data-time'));

  /** Waits until the player has settled at a clock time near `expected`, after a seek. */
  async function settledAt(page: Page, expected: number): Promise<number> {
    await page.waitForFunction(
      ({ expected, tolerance }) => {
        const v = document.querySelector('video');
        return v !== null && !v.seeking && Math.abs(v.currentTime - expected) <= tolerance;
      },
      { expected, tolerance: CLOCK_TOLERANCE },
    );
    return clock(page);
  }

  for (const kind of KINDS) {
    describe(`a ${kind} Flow`, () => {
      let context: BrowserContext;
      let page: Page;

      beforeAll(async () => {
        ({ context, page } = await open(LAPTOP, ADMIN_TOKEN));
        await page.goto(`${server.url}/ui/flows/${streams[kind].flow.flowId}`);
      }, SLOW_TEST_MS);
      afterAll(async () => context?.close());

      it('draws the gap where the segment is missing, between two runs of media', async () => {
        const { gap, segments } = streams[kind];
        const gaps = page.locator('rect.tl-gap');
        await gaps.first().waitFor();
        expect(await gaps.count()).toBe(1);
        expect(await gaps.first().getAttribute('data-start')).toBe(formatTimestamp(gap.start));
        expect(await gaps.first().getAttribute('data-end')).toBe(formatTimestamp(gap.end));
        const runs = page.locator('rect.tl-run');
        expect(await runs.count()).toBe(2);
        expect(await runs.nth(0).getAttribute('data-start')).toBe(formatTimestamp(T0));
        expect(await runs.nth(0).getAttribute('data-end')).toBe(formatTimestamp(gap.start));
        expect(await runs.nth(1).getAttribute('data-start')).toBe(formatTimestamp(gap.end));
        expect(await runs.nth(1).getAttribute('data-end')).toBe(formatTimestamp(segments.at(-1)?.end ?? 0n));
        // Drawn where its times are on the axis: between the runs, to a pixel.
        const geometry = await timelineGeometry(page);
        const drawn = await gaps.first().boundingBox();
        expect(drawn).not.toBeNull();
        expect(Math.abs((drawn?.x ?? 0) - geometry.xOf(gap.start))).toBeLessThanOrEqual(1);
        expect(Math.abs((drawn?.x ?? 0) + (drawn?.width ?? 0) - geometry.xOf(gap.end))).toBeLessThanOrEqual(
          1,
        );
      });

      it('plays: the clock advances and hls.js reports no error', async () => {
        await page.locator('video[data-ready="true"]').waitFor();
        // Muted, a page may start playback without a user gesture (Chromium's autoplay policy).
        await video(page).evaluate((v: PageVideo) => {
          v.muted = true;
          return v.play();
        });
        try {
          await page.waitForFunction(() => (document.querySelector('video')?.currentTime ?? 0) > 1.5);
          expect(await hlsErrors(page)).toBeNull();
          // The timeline's playhead follows the player on the TAMS timeline.
          await expect.poll(() => playhead(page)).toBeGreaterThan(T0 + S);
        } finally {
          // Paused for the tests that follow, whatever happened.
          await video(page).evaluate((v: PageVideo) => v.pause());
        }
      });

      it('seeks the player to the moment clicked on the timeline', async () => {
        const { segments, gap } = streams[kind];
        await page.screenshot({ path: screenshotPath(`flow-${kind}`), fullPage: true });
        // A quarter second into the first segment after the gap: HLS plays it 2.25 s in.
        for (const target of [gap.end + S / 4n, T0 + (3n * S) / 2n]) {
          const geometry = await timelineGeometry(page);
          await page.mouse.click(geometry.xOf(target), geometry.box.y + geometry.box.height * 0.7);
          // The click lands within a pixel of the target, and the player where HLS puts it.
          const near = async () => {
            const at = await playhead(page);
            return (at > target ? at - target : target - at) <= geometry.nsPerPixel;
          };
          await expect.poll(near).toBe(true);
          const sought = await playhead(page);
          const expected = expectedPlayerTime(sought, segments);
          const at = await settledAt(page, expected);
          expect(Math.abs(at - expected)).toBeLessThanOrEqual(CLOCK_TOLERANCE);
        }
        // A click in the gap plays from the segment after it.
        const geometry = await timelineGeometry(page);
        await page.mouse.click(
          geometry.xOf((gap.start + gap.end) / 2n),
          geometry.box.y + geometry.box.height * 0.7,
        );
        await settledAt(page, expectedPlayerTime(gap.end, segments));
        expect(await hlsErrors(page)).toBeNull();
        await page.screenshot({ path: screenshotPath(`flow-${kind}-sought`) });
      });

      it('is usable with the keyboard: Home, End and the arrows move the player', async () => {
        const { segments } = streams[kind];
        const track = page.getByRole('slider', { name: /Timeline/ });
        await track.focus();
        await page.keyboard.press('Home');
        await settledAt(page, 0);
        await expect.poll(() => playhead(page)).toBe(T0);
        // A step is 1% of the span shown: about 60 ms of the 6 s Flow.
        await page.keyboard.press('ArrowRight');
        await expect.poll(() => playhead(page)).toBeGreaterThan(T0 + 10_000_000n);
        const stepped = await playhead(page);
        expect(stepped).toBeLessThan(T0 + S / 5n);
        await settledAt(page, expectedPlayerTime(stepped, segments));
        // End: the last moment of the Flow (the player shows its last frame, a millisecond before the end).
        await page.keyboard.press('End');
        const end = segments.at(-1)?.end ?? 0n;
        await expect.poll(() => playhead(page)).toBeGreaterThanOrEqual(end - 2_000_000n);
        expect(await playhead(page)).toBeLessThan(end);
        await settledAt(page, expectedPlayerTime(end - 1_000_000n, segments));
        // + zooms in (the view a quarter as wide after two), 0 fits the Flow again.
        const span = async () => {
          const { start, end } = await viewOf(page);
          return Number(end - start) / 1e9;
        };
        const fitted = await span();
        await page.keyboard.press('+');
        await page.keyboard.press('+');
        await expect.poll(span).toBeCloseTo(fitted / 4, 3);
        await page.keyboard.press('0');
        await expect.poll(span).toBe(fitted);
        expect(await hlsErrors(page)).toBeNull();
      });

      it('reads at phone width', async () => {
        await page.setViewportSize(PHONE);
        await page.locator('rect.tl-gap').first().waitFor();
        // The timeline takes the new width once it has been measured (a ResizeObserver).
        const width = async () => (await page.locator('svg.tl-svg').boundingBox())?.width ?? Infinity;
        await expect.poll(width).toBeLessThanOrEqual(PHONE.width);
        // Nothing wider than the screen makes the page scroll sideways.
        const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
        expect(scrollWidth).toBeLessThanOrEqual(PHONE.width);
        await page.screenshot({ path: screenshotPath(`flow-${kind}-phone`), fullPage: true });
        await page.setViewportSize(LAPTOP);
      });
    });
  }

  it('shows each page to the principals the API lets read it', async () => {
    const { token } = await server.runtime.auth.admin.createToken({ name: 'ui-reader', scopes: ['read'] });
    const reader = await open(LAPTOP, token);
    expect(await reader.page.getByRole('link', { name: 'Tokens' }).count()).toBe(0);
    // Webhooks are everyone's to read (each principal's own, as the API lists them).
    await reader.page.getByRole('link', { name: 'Webhooks' }).click();
    await reader.page.getByRole('heading', { name: 'Your webhooks' }).waitFor();
    // Deletion requests need only the read scope in the API, so in the UI too.
    await reader.page.getByRole('link', { name: 'Deletions' }).click();
    await reader.page.getByRole('heading', { name: 'Deletion requests' }).waitFor();
    await reader.context.close();
    const writer = await server.runtime.auth.admin.createToken({ name: 'ui-writer', scopes: ['write'] });
    // Not open()'s sign-in: it waits for the Sources list, which a writer may not read.
    const noRead = await open(LAPTOP);
    await signIn(noRead.page, server.url, writer.token);
    expect(await noRead.page.getByRole('link', { name: 'Deletions' }).count()).toBe(0);
    await noRead.page.goto(`${server.url}/ui/deletions`);
    await noRead.page.getByRole('heading', { name: 'Deletion requests need the read scope' }).waitFor();
    expect(
      (
        await server.get('/tams/v8.2/flow-delete-requests', {
          headers: { authorization: `Bearer ${writer.token}` },
        })
      ).status,
    ).toBe(403);
    await noRead.context.close();
    const admin = await open(LAPTOP, ADMIN_TOKEN);
    await admin.page.getByRole('link', { name: 'Deletions' }).click();
    await admin.page.getByRole('heading', { name: 'Deletion requests' }).waitFor();
    await admin.page.getByRole('link', { name: 'Webhooks' }).click();
    await admin.page.getByRole('heading', { name: 'Webhooks' }).waitFor();
    await admin.page.getByText('No webhook is registered.').waitFor();
    await admin.context.close();
  });

  describe.skipIf(gate.skip)('with authentication off, an EXR image Flow', () => {
    let plain: TestServer;
    let flowId: string;
    const SAMPLES = ['scanline_rgba_half_zip', 'scanline_rgba_half_piz', 'tiled_onelevel_16x16_zip'];

    beforeAll(async () => {
      plain = await startServer({ env: { ...exrEnv(), TAMS_UI_DIR: `${scratch.path}/ui` } });
      flowId = await exrFlow(plain);
      await ingestFrames(
        plain,
        flowId,
        SAMPLES.map((name) => ({ bytes: sample(name) })),
      );
      await framesListed(plain, flowId, SAMPLES.length);
    }, SLOW_TEST_MS);
    afterAll(async () => plain?.close());

    it('needs no sign-in, and lists the frames with their EXR headers', async () => {
      const frames = await framesListed(plain, flowId, SAMPLES.length);
      const { context, page } = await newTab(browser, pageErrors);
      await page.goto(`${plain.url}/ui/flows/${flowId}`);
      const rows = page.locator('table[data-testid="exr-frames"] tbody tr');
      await expect.poll(() => rows.count()).toBe(SAMPLES.length);
      expect(await page.locator('#token').count()).toBe(0);
      // No player for images; the timeline shows the three frames as one run.
      expect(await page.locator('video').count()).toBe(0);
      await page.locator('rect.tl-run').first().waitFor();
      for (const [i, frame] of frames.entries()) {
        const text = (await rows.nth(i).textContent()) ?? '';
        expect(text).toContain(`${frame.width}×${frame.height}`);
        expect(text).toContain(frame.compressions.join(', '));
      }
      await page.screenshot({ path: screenshotPath('flow-exr'), fullPage: true });
      await context.close();
    });
  });

  it('opens a search hit on its Flow, the player at its moment', async () => {
    const { flow, segments, gap } = streams.mpegts;
    const cue = { start: gap.end + S / 2n, end: gap.end + S };
    const posted = await server.post<{ id: string }>(
      '/search/transcripts',
      {
        flow_id: flow.flowId,
        cues: [
          {
            timerange: `[${formatTimestamp(cue.start)}_${formatTimestamp(cue.end)})`,
            text: 'the lighthouse keeper waves',
          },
        ],
      },
      { headers: AUTH },
    );
    expect(posted.status, posted.text).toBe(201);
    const published = await server.post(`/search/transcripts/${posted.body.id}/publish`, undefined, {
      headers: AUTH,
    });
    expect(published.status, published.text).toBe(200);
    await expect
      .poll(
        async () =>
          (await server.get<{ up_to_date: boolean }>('/search/status', { headers: AUTH })).body.up_to_date,
        {
          timeout: WAIT_MS,
        },
      )
      .toBe(true);

    const { context, page } = await open(LAPTOP, ADMIN_TOKEN);
    await page.getByRole('searchbox').fill('lighthouse');
    await page.getByRole('button', { name: 'Search' }).click();
    const hit = page.locator('ol[data-testid="hits"] li').first();
    await hit.waitFor();
    expect(await hit.locator('mark').textContent()).toBe('lighthouse');
    await page.screenshot({ path: screenshotPath('search') });
    await hit.locator('a').click();
    await page.locator('rect.tl-highlight').waitFor();
    await page.locator('video[data-ready="true"]').waitFor();
    await settledAt(page, expectedPlayerTime(cue.start, segments));
    expect(await hlsErrors(page)).toBeNull();
    await page.screenshot({ path: screenshotPath('search-hit-flow') });
    await context.close();
  });

  it("shows on a caption Flow's page the cues that fall outside their segment", async () => {
    // A caption file whose cues start at 00:00:01, registered at [73:0_140:0) without ts_offset.
    const flowId = randomUUID();
    const created = await server.put(
      `/flows/${flowId}`,
      {
        id: flowId,
        source_id: randomUUID(),
        format: 'urn:x-nmos:format:data',
        codec: 'text/vtt',
        container: 'text/vtt',
        essence_parameters: { data_type: 'urn:x-tams:data:subtitle' },
        label: 'Harbour documentary (captions)',
      },
      { headers: AUTH },
    );
    expect(created.status, created.text).toBe(201);
    await captionsOutsideSegment(server, AUTH, flowId);

    const { context, page } = await open(LAPTOP, ADMIN_TOKEN);
    await page.goto(`${server.url}/ui/flows/${flowId}`);
    const warning = page.locator('[data-testid="cues-outside"]');
    await warning.waitFor();
    const text = (await warning.textContent()) ?? '';
    expect(text).toContain("2 cues in 1 segment fall outside their segment's timerange");
    expect(text).toContain('[73:0_140:0)');
    expect(text).toContain('[1:0_9:500000000)');
    expect(await page.locator('[data-testid="flow-search"]').textContent()).toContain(
      '0 of 2 cues in 1 segment indexed.',
    );
    await page.screenshot({ path: screenshotPath('flow-search-outside'), fullPage: true });
    await context.close();
  });
});
