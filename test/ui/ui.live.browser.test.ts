/**
 * A Flow being written, played live by the web UI in headless Chromium (Debian's, through
 * playwright-core): 30 one-second segments of test pattern and tone made here by ffmpeg as
 * MPEG-TS, uploaded through the TAMS API, and registered one at a time while the page plays the
 * Flow (ui.live.fixture.ts), with a live window of 8 s that slides meanwhile. Shown: the player
 * asks for the live playlist (no timerange), the live badge shows, the player's
 * `video.seekable.end` grows with each segment registered, the Flow read again (its timeline and
 * segment count follow); −10 s and +10 s move the player within the window, "Go to live" brings
 * it near the edge (by mouse and keyboard); a timeline click before the window, and the "Whole
 * recording" choice, play it as VOD (`timerange=_`, every segment registered) and "Go to live"
 * plays it live again; the Flow is not read while the tab is hidden; closing the Flow ends the
 * live controls; a Flow awaiting content gets its player, live, once its first segments come;
 * a fragmented MP4 Flow (init segment named by its tag) plays live as MPEG-TS does.
 * Screenshots go to .tmp/ui-screenshots/ (flow-live*.png).
 */

import { mkdir } from 'node:fs/promises';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatTimestamp } from '../../src/time/index.ts';
import { chromiumAvailable, launchChromium } from '../../tools/chromium.ts';
import { ADMIN_TOKEN, startAuthServer } from '../auth/auth.fixture.ts';
import { SLOW_TEST_MS } from '../helpers/deadlines.ts';
import { type TestServer, tempDir } from '../helpers/server.ts';
import { stopAll } from '../helpers/stop.ts';
import { ffmpegAvailable, type GeneratedStream, generateStream } from '../hls/hls.media.ts';
import { buildUi, screenshotPath } from './ui.fixture.ts';
import { type LiveFlow, liveFlow } from './ui.live.fixture.ts';
import { LAPTOP, newTab, PHONE, pageErrorsChecked, signIn } from './ui.tabs.ts';

/** The page's globals the callbacks below use (this project is typed for Node, not the DOM). */
interface PageVideo {
  currentTime: number;
  duration: number;
  muted: boolean;
  paused: boolean;
  seeking: boolean;
  seekable: { length: number; start(i: number): number; end(i: number): number };
  play(): Promise<void>;
  pause(): void;
}
declare const document: {
  querySelector(selector: 'video'): PageVideo | null;
  dispatchEvent(event: unknown): boolean;
  documentElement: { scrollWidth: number };
};
declare const Event: new (type: string) => unknown;

const available = chromiumAvailable('web UI live browser tests') && ffmpegAvailable();
const S = 1_000_000_000n;
/** 2023-11-14T22:13:20Z on the TAI timeline. */
const T0 = 1_700_000_037n * S;
const AUTH = { authorization: `Bearer ${ADMIN_TOKEN}` };
const SECONDS = 30;
/** Segments registered before the page opens. */
const FIRST = 4;
/** The live window: it slides while the test registers segments. */
const WINDOW_SECONDS = 8;
/** How far a seek may land from where it was aimed (a frame at 25 fps is 0.04 s). */
const TOLERANCE = 0.15;

describe.skipIf(!available)('a live Flow in the web UI, in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  let scratch: ReturnType<typeof tempDir>;
  let stream: GeneratedStream;
  let fmp4: GeneratedStream;
  let context: BrowserContext;
  let page: Page;
  let flow: LiveFlow;
  let flowId: string;
  let ends: bigint[];
  const registerNext = () => flow.registerNext();
  /** The playlist requests the page made, by their query. */
  const playlists: URLSearchParams[] = [];
  const pageErrors = pageErrorsChecked();

  beforeAll(async () => {
    scratch = tempDir('tams-ui-live-');
    const built = buildUi(`${scratch.path}/ui`);
    await mkdir(`${scratch.path}/media`);
    stream = await generateStream(`${scratch.path}/media`, 'mpegts', SECONDS);
    expect(stream.segments.length).toBeGreaterThanOrEqual(SECONDS - 1);
    await mkdir(`${scratch.path}/fmp4`);
    fmp4 = await generateStream(`${scratch.path}/fmp4`, 'fmp4', 8);
    await built;
    server = await startAuthServer({
      TAMS_UI_DIR: `${scratch.path}/ui`,
      TAMS_HLS_LIVE_WINDOW_SECONDS: String(WINDOW_SECONDS),
    });
    flow = await liveFlow(server, stream, { start: T0, headers: AUTH, label: 'live test pattern' });
    ({ flowId, ends } = flow);
    for (let i = 0; i < FIRST; i++) await registerNext();
    browser = await launchChromium();
    ({ context, page } = await newTab(browser, pageErrors));
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (url.pathname === `/flows/${flowId}/hls.m3u8`) playlists.push(url.searchParams);
    });
    await signIn(page, server.url, ADMIN_TOKEN);
  }, SLOW_TEST_MS);

  afterAll(() => stopAll(context, browser, server, scratch));

  const video = () => page.locator('video');
  const badge = () => page.locator('.live-badge');
  const state = () =>
    video().evaluate((v: PageVideo) => ({
      currentTime: v.currentTime,
      start: v.seekable.length > 0 ? v.seekable.start(0) : Number.NaN,
      end: v.seekable.length > 0 ? v.seekable.end(v.seekable.length - 1) : Number.NaN,
      seeking: v.seeking,
    }));
  /** Where the playlist's first segment sits on the video's clock. */
  const windowStart = async () => Number(await video().getAttribute('data-window-start'));
  const hlsErrors = async () => {
    const count = await video().getAttribute('data-hls-errors');
    return count === null ? null : `${count}: ${await video().getAttribute('data-hls-last-error')}`;
  };
  /** Waits until the player is no longer seeking, its clock within TOLERANCE of `expected`. */
  const settledNear = async (expected: number) => {
    try {
      await page.waitForFunction(
        ({ expected, tolerance }) => {
          const v = document.querySelector('video');
          return v !== null && !v.seeking && Math.abs(v.currentTime - expected) <= tolerance;
        },
        { expected, tolerance: TOLERANCE },
      );
    } catch (failure) {
      const now = JSON.stringify({ ...(await state()), windowStart: await windowStart() });
      throw new Error(`the player did not settle at ${expected}: ${now}`, { cause: failure });
    }
  };

  it('plays the live playlist, its seekable end growing as segments are registered', async () => {
    await page.goto(`${server.url}/ui/flows/${flowId}`);
    await page.locator('video[data-ready="true"][data-live="true"]').waitFor();
    await page.locator('.live-badge[data-live="true"]').waitFor();
    expect(await badge().textContent()).toBe('Live');
    // The live playlist: no timerange, so the server sends its sliding window.
    expect(playlists[0]?.has('timerange')).toBe(false);
    await video().evaluate((v: PageVideo) => {
      v.muted = true;
      return v.play();
    });
    await page.waitForFunction(() => {
      const v = document.querySelector('video');
      return v !== null && v.seekable.length > 0;
    });
    let edge = (await state()).end;
    for (let i = 0; i < 8; i++) {
      await registerNext();
      // hls.js reloads the live playlist and the seekable range takes in the new segment.
      await page.waitForFunction((previous) => {
        const v = document.querySelector('video');
        return v !== null && v.seekable.length > 0 && v.seekable.end(v.seekable.length - 1) > previous + 0.5;
      }, edge);
      const next = (await state()).end;
      expect(next).toBeGreaterThan(edge);
      edge = next;
    }
    // The window slid: its first segment is no longer the Flow's first.
    await expect.poll(windowStart).toBeGreaterThan(0);
    // The Flow is read again: its timeline ends at the newest segment, the count follows.
    const lastRun = page.locator('rect.tl-run').last();
    await expect.poll(() => lastRun.getAttribute('data-end')).toBe(formatTimestamp(ends.at(-1) as bigint));
    await expect
      .poll(() => page.getByTestId('live-controls').textContent())
      .toContain(`${ends.length} segments`);
    // Playing on: the clock advances past the segments first registered.
    await page.waitForFunction((at) => (document.querySelector('video')?.currentTime ?? 0) > at, FIRST);
    expect(await hlsErrors()).toBeNull();
    await page.locator('.live-delay').waitFor();
    await page.screenshot({ path: screenshotPath('flow-live'), fullPage: true });
    // At phone width the live controls wrap within the screen.
    await page.setViewportSize(PHONE);
    await expect
      .poll(() => page.evaluate(() => document.documentElement.scrollWidth))
      .toBeLessThanOrEqual(PHONE.width);
    await page.screenshot({ path: screenshotPath('flow-live-phone') });
    await page.setViewportSize(LAPTOP);
  });

  it('jumps 10 s back and forward, and "Go to live" returns near the live edge', async () => {
    await video().evaluate((v: PageVideo) => v.pause());
    const before = await state();
    await page.getByRole('button', { name: '−10 s' }).click();
    const back = Math.max(await windowStart(), before.currentTime - 10);
    await settledNear(back);
    // Behind the live edge by what the jump made: the readout says so.
    const delay = async () => Number(await page.locator('.live-delay').getAttribute('data-delay'));
    await expect.poll(delay).toBeGreaterThanOrEqual(before.end - back - TOLERANCE);
    const behind = await state();
    // Forward: at most to the live point, where "Go to live" goes (short of the edge).
    await page.getByRole('button', { name: '+10 s' }).click();
    await page.waitForFunction((from) => {
      const v = document.querySelector('video');
      return v !== null && !v.seeking && v.currentTime > from + 1;
    }, behind.currentTime);
    const forward = await state();
    expect(forward.currentTime).toBeLessThanOrEqual(behind.currentTime + 10 + TOLERANCE);
    expect(forward.end - forward.currentTime).toBeGreaterThan(0.5);
    const ahead = await state();
    // From the keyboard as well.
    await page.getByRole('button', { name: '−10 s' }).focus();
    await page.keyboard.press('Enter');
    await settledNear(Math.max(await windowStart(), ahead.currentTime - 10));
    const far = await state();
    // Go to live: the edge less the three target durations (3 s) players keep, and playing.
    await page.getByRole('button', { name: 'Go to live' }).focus();
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => {
      const v = document.querySelector('video');
      if (v === null || v.seeking || v.seekable.length === 0) return false;
      const edge = v.seekable.end(v.seekable.length - 1);
      return edge - v.currentTime <= 4.5;
    });
    const live = await state();
    expect(live.end - live.currentTime).toBeLessThan(far.end - far.currentTime);
    expect(await video().evaluate((v: PageVideo) => v.paused)).toBe(false);
    expect(await badge().getAttribute('data-live')).toBe('true');
    expect(await hlsErrors()).toBeNull();
  });

  it('plays from the recording a moment clicked on the timeline before the live window', async () => {
    await video().evaluate((v: PageVideo) => v.pause());
    const track = page.locator('svg.tl-svg');
    const at = async (t: bigint) => {
      const box = await track.boundingBox();
      if (!box) throw new Error('the timeline is not shown');
      const [start, end] = await Promise.all(
        ['data-view-start', 'data-view-end'].map(async (name) => {
          const [sec = '0', ns = '0'] = ((await track.getAttribute(name)) ?? '').split(':');
          return BigInt(sec) * S + BigInt(ns);
        }),
      );
      const share = Number(t - (start as bigint)) / Number((end as bigint) - (start as bigint));
      return { x: box.x + share * box.width, y: box.y + box.height * 0.7 };
    };
    const asked = playlists.length;
    const point = await at(T0 + (3n * S) / 2n);
    await page.mouse.click(point.x, point.y);
    // The moment is no longer in the live window: the whole recording plays from it, as VOD.
    await page.locator('.live-badge[data-live="false"]').waitFor();
    await page.locator('video[data-ready="true"][data-live="false"]').waitFor();
    await expect.poll(() => playlists.slice(asked).map((q) => q.get('timerange'))).toContain('_');
    expect(await page.getByLabel('Play', { exact: true }).inputValue()).toBe('all');
    // The playhead, on the Flow's clock in seconds. The paused live video may still report its
    // own place once after the click (a pause's timeupdate comes late on a loaded machine), so
    // the playhead is waited for, not read once.
    const playhead = async () => {
      const [sec = '0', ns = '0'] = (
        (await page.locator('.tl-playhead').getAttribute('data-time')) ?? ''
      ).split(':');
      return Number(BigInt(sec) * S + BigInt(ns) - T0) / 1e9;
    };
    // The VOD's clock starts at the Flow's start (no gap): the player is where the click was,
    // before the live window, and no longer seeking.
    const placed = async () => ({ playhead: await playhead(), ...(await state()) });
    await expect
      .poll(placed)
      .toSatisfy((p) => p.playhead < 2 && !p.seeking && Math.abs(p.currentTime - p.playhead) <= TOLERANCE);
    expect(await hlsErrors()).toBeNull();
    await page.getByRole('button', { name: 'Go to live' }).click();
    await page.locator('video[data-ready="true"][data-live="true"]').waitFor();
  });

  it('plays the whole recording as VOD when chosen, and live again', async () => {
    await registerNext();
    const total = Number((ends.at(-1) as bigint) - T0) / 1e9;
    const asked = playlists.length;
    await page.getByLabel('Play', { exact: true }).selectOption('all');
    await page.locator('.live-badge[data-live="false"]').waitFor();
    expect(await badge().textContent()).toBe('VOD');
    await page.locator('video[data-ready="true"][data-live="false"]').waitFor();
    await expect.poll(() => playlists.slice(asked).map((q) => q.get('timerange'))).toContain('_');
    // VOD of every segment registered: its duration is theirs.
    await page.waitForFunction(
      (total) => Math.abs((document.querySelector('video')?.duration ?? 0) - total) < 0.1,
      total,
    );
    const at = await video().evaluate((v: PageVideo) => {
      v.currentTime = 1;
      v.muted = true;
      return v.play().then(() => v.currentTime);
    });
    await page.waitForFunction((from) => (document.querySelector('video')?.currentTime ?? 0) > from + 1, at);
    expect(await hlsErrors()).toBeNull();
    await page.screenshot({ path: screenshotPath('flow-live-vod') });
    // The Flow goes on growing meanwhile: the timeline follows it.
    const end = await registerNext();
    const lastRun = page.locator('rect.tl-run').last();
    await expect.poll(() => lastRun.getAttribute('data-end')).toBe(formatTimestamp(end));
    const again = playlists.length;
    await page.getByRole('button', { name: 'Go to live' }).click();
    await page.locator('video[data-ready="true"][data-live="true"]').waitFor();
    await page.locator('.live-badge[data-live="true"]').waitFor();
    expect(playlists.slice(again).some((q) => !q.has('timerange'))).toBe(true);
    expect(await hlsErrors()).toBeNull();
  });

  it('reads the Flow again while the page is visible only', async () => {
    let reads = 0;
    const count = (request: { url(): string }) => {
      if (new URL(request.url()).pathname === `/tams/v8.2/flows/${flowId}`) reads += 1;
    };
    page.on('request', count);
    const setVisibility = (state: string) =>
      page.evaluate((state) => {
        Object.defineProperty(document, 'visibilityState', { value: state, configurable: true });
        document.dispatchEvent(new Event('visibilitychange'));
      }, state);
    try {
      await expect.poll(() => reads).toBeGreaterThan(0);
      await setVisibility('hidden');
      // hls.js goes on reloading the live playlist (every 0.5 to 1 s): ten reloads after the
      // first two span more than two of the Flow's 2-second reads, and none is made.
      const settled = playlists.length + 2;
      await expect.poll(() => playlists.length).toBeGreaterThanOrEqual(settled);
      const quiet = reads;
      await expect.poll(() => playlists.length).toBeGreaterThanOrEqual(settled + 10);
      expect(reads).toBe(quiet);
      // Shown again: read at once, and from then on.
      await setVisibility('visible');
      await expect.poll(() => reads).toBeGreaterThan(quiet);
    } finally {
      page.off('request', count);
      await setVisibility('visible');
    }
  });

  it('ends the live controls once the Flow is closed', async () => {
    const closed = await server.put(`/flows/${flowId}/tags/flow_status`, JSON.stringify('closed_complete'), {
      headers: AUTH,
    });
    expect(closed.status, closed.text).toBe(204);
    // The live playlist, reloaded, is VOD now: the player plays the recording from where it was.
    await expect.poll(() => badge().count()).toBe(0);
    await page.locator('video[data-ready="true"][data-live="false"]').waitFor();
    expect(await page.getByRole('button', { name: 'Go to live' }).count()).toBe(0);
    // Read once more as it ended: the page shows it closed.
    await expect.poll(() => page.locator('.meta').textContent()).toContain('closed_complete');
    expect(await hlsErrors()).toBeNull();
  });

  it('plays a Flow awaiting content live once its first segments come', async () => {
    const waiting = await liveFlow(server, stream, { start: T0, headers: AUTH, label: 'awaiting content' });
    await page.goto(`${server.url}/ui/flows/${waiting.flowId}`);
    await page.getByText('This Flow has no segments yet.').waitFor();
    expect(await video().count()).toBe(0);
    for (let i = 0; i < FIRST; i++) await waiting.registerNext();
    // Read again while it has no segment: the player comes with the first ones, live.
    await page.locator('video[data-ready="true"][data-live="true"]').waitFor();
    await page.locator('.live-badge[data-live="true"]').waitFor();
    expect(await hlsErrors()).toBeNull();
  });

  it('plays a fragmented MP4 Flow live, its init segment named by its tag', async () => {
    const written = await liveFlow(server, fmp4, { start: T0, headers: AUTH, label: 'live fMP4' });
    for (let i = 0; i < FIRST; i++) await written.registerNext();
    await page.goto(`${server.url}/ui/flows/${written.flowId}`);
    await page.locator('video[data-ready="true"][data-live="true"]').waitFor();
    await video().evaluate((v: PageVideo) => {
      v.muted = true;
      return v.play();
    });
    await page.waitForFunction(() => (document.querySelector('video')?.seekable.length ?? 0) > 0);
    let edge = (await state()).end;
    while (written.ends.length < fmp4.segments.length) {
      await written.registerNext();
      await page.waitForFunction((previous) => {
        const v = document.querySelector('video');
        return v !== null && v.seekable.length > 0 && v.seekable.end(v.seekable.length - 1) > previous + 0.5;
      }, edge);
      edge = (await state()).end;
    }
    await page.waitForFunction(() => (document.querySelector('video')?.currentTime ?? 0) > 1);
    expect(await hlsErrors()).toBeNull();
  });
});
