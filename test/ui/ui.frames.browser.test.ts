/**
 * The player's UTC timecode and frame steps in headless Chromium, on real media: 6 s of 25 fps
 * test pattern made by ffmpeg as MPEG-TS segments, ingested as a video Flow whose essence
 * parameters give its frame rate. Shown: after a seek the timecode is the UTC time of day of
 * the TAMS time shown, frames counted from the second; `.` and the "frame ▶" button move the
 * player's clock on by one frame (1/25 s) and the timecode's frame field by one; `,` goes back.
 * Screenshot: .tmp/ui-screenshots/frames-timecode.png.
 */
import { randomUUID } from 'node:crypto';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, launchChromium } from '../../tools/chromium.ts';
import { ADMIN_TOKEN, startAuthServer } from '../auth/auth.fixture.ts';
import { SLOW_TEST_MS } from '../helpers/deadlines.ts';
import { type TestServer, tempDir } from '../helpers/server.ts';
import { stopAll } from '../helpers/stop.ts';
import { type Ingested, ingest } from '../hls/hls.ingest.ts';
import { ffmpegAvailable, generateStream } from '../hls/hls.media.ts';
import { buildUi, expectedPlayerTime, registered, screenshotPath } from './ui.fixture.ts';
import { newTab, pageErrorsChecked, signIn } from './ui.tabs.ts';

interface PageVideo {
  currentTime: number;
  seeking: boolean;
  paused: boolean;
}
declare const document: { querySelector(selector: 'video'): PageVideo | null };

const available = chromiumAvailable('web UI frame-step browser tests') && ffmpegAvailable();
const S = 1_000_000_000n;
/** 2023-11-14T22:13:20Z UTC: TAI runs 37 s ahead of UTC then. */
const T0 = 1_700_000_037n * S;
const LEAP = 37n * S;
const RATE = 25;
const FRAME = 1 / RATE;
const AUTH = { authorization: `Bearer ${ADMIN_TOKEN}` };

/** The timecode of TAMS time `t` worked out by hand: UTC time of day, frames from the second. */
function expectedTimecode(t: bigint): string {
  const utc = t - LEAP;
  const second = (utc / S) % 86_400n;
  const frames = ((utc % S) * BigInt(RATE)) / S;
  const two = (n: bigint) => String(n).padStart(2, '0');
  return `${two(second / 3600n)}:${two((second / 60n) % 60n)}:${two(second % 60n)}:${two(frames)}`;
}

/** A TAMS timestamp (`s:ns`) in nanoseconds. */
const timestamp = (text: string | null) => {
  const [s, ns] = (text ?? '').split(':');
  return BigInt(s ?? '0') * S + BigInt(ns ?? '0');
};

describe.skipIf(!available)('timecode and frame steps in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  let scratch: ReturnType<typeof tempDir>;
  let flow: Ingested;
  let context: BrowserContext | undefined;
  const pageErrors = pageErrorsChecked();

  beforeAll(async () => {
    scratch = tempDir('tams-ui-frames-');
    const built = buildUi(`${scratch.path}/ui`);
    const stream = await generateStream(scratch.path, 'mpegts', 6);
    await built;
    server = await startAuthServer({ TAMS_UI_DIR: `${scratch.path}/ui` });
    flow = await ingest(server, stream, {
      sourceId: randomUUID(),
      start: T0,
      headers: AUTH,
      label: 'Frame steps',
      fields: {
        format: 'urn:x-nmos:format:video',
        codec: 'video/h264',
        essence_parameters: {
          frame_width: 320,
          frame_height: 180,
          frame_rate: { numerator: RATE, denominator: 1 },
        },
      },
    });
    browser = await launchChromium();
  }, SLOW_TEST_MS);

  afterAll(() => stopAll(context, browser, server, scratch));

  const clock = (page: Page) =>
    page.locator('video').evaluate((v: PageVideo) => ({ t: v.currentTime, seeking: v.seeking }));
  const timecode = (page: Page) => page.getByTestId('timecode').textContent();
  const frameField = async (page: Page) => Number((await timecode(page))?.split(':')[3]);
  const playhead = async (page: Page) =>
    timestamp(await page.locator('.tl-playhead').getAttribute('data-time'));

  /** Waits until the player has settled within half a frame of `expected` seconds. */
  async function settledNear(page: Page, expected: number): Promise<number> {
    await page.waitForFunction(
      ({ expected, tolerance }) => {
        const v = document.querySelector('video');
        return v !== null && !v.seeking && Math.abs(v.currentTime - expected) <= tolerance;
      },
      { expected, tolerance: FRAME / 2 },
    );
    return (await clock(page)).t;
  }

  it('shows the UTC timecode of the TAMS time and steps one frame at a time', async () => {
    let page: Page;
    ({ context, page } = await newTab(browser, pageErrors));
    await signIn(page, server.url, ADMIN_TOKEN);

    // Opened at a moment half way through frame 12 of the third second: the player seeks there.
    const target = T0 + 2n * S + 500_000_000n;
    const until = target + S;
    const segments = registered(flow.segments.map((s) => s.timerange));
    await page.goto(
      `${server.url}/ui/flows/${flow.flowId}?timerange=${encodeURIComponent(`[${target / S}:${target % S}_${until / S}:${until % S})`)}`,
    );
    await page.locator('video[data-ready="true"]').waitFor();
    const start = await settledNear(page, expectedPlayerTime(target, segments));
    await expect.poll(() => timecode(page)).toBe(expectedTimecode(target));
    expect(expectedTimecode(target)).toBe('22:13:22:12');
    // The readout is the timecode of the TAMS time the page shows (the timeline's playhead).
    expect(await timecode(page)).toBe(expectedTimecode(await playhead(page)));
    expect(await page.getByTestId('timecode').getAttribute('title')).toMatch(/UTC time of day of the TAMS/);

    // `.` with the player focused: one frame on, paused.
    await page.locator('video').focus();
    let at = start;
    let frame = await frameField(page);
    for (const step of [1, 1, 1] as const) {
      await page.keyboard.press('.');
      at = await settledNear(page, at + step * FRAME);
      frame += step;
      await expect.poll(() => frameField(page)).toBe(frame);
      expect(await timecode(page)).toBe(expectedTimecode(await playhead(page)));
    }
    expect(await page.locator('video').evaluate((v: PageVideo) => v.paused)).toBe(true);
    // `,` goes back a frame.
    await page.keyboard.press(',');
    at = await settledNear(page, at - FRAME);
    frame -= 1;
    await expect.poll(() => frameField(page)).toBe(frame);
    // So does the button, and its partner goes on.
    await page.getByRole('button', { name: '◀ frame' }).click();
    at = await settledNear(page, at - FRAME);
    await expect.poll(() => frameField(page)).toBe(frame - 1);
    await page.getByRole('button', { name: 'frame ▶' }).click();
    at = await settledNear(page, at + FRAME);
    await expect.poll(() => frameField(page)).toBe(frame);
    expect(at - start).toBeCloseTo(2 * FRAME, 2);
    await page.getByTestId('frame-bar').scrollIntoViewIfNeeded();
    await page.screenshot({ path: screenshotPath('frames-timecode') });
  });
});
