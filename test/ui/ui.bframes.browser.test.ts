/**
 * The player's timecode names the frame on screen for H.264 as encoders make it (issue 60):
 * with B-frames (libx264's default, and `-bf 3`) a picture is presented
 * two frames after it is decoded, and hls.js puts the first decoded timestamp, not the first
 * presented, at 0 on the player's clock. Each picture carries its frame number as bars
 * (test/ui/ui.framecode.ts), read back from the video through a canvas in headless Chromium;
 * frame N of a Flow starting at T0 is at T0 + N/25 s, so the timecode shown must be that time's.
 * Checked after seeks of the player's clock half way through frames, and after opening the page
 * at a TAMS time (the player seeking there). Screenshot: .tmp/ui-screenshots/bframes-timecode.png.
 */
import { randomUUID } from 'node:crypto';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, launchChromium } from '../../tools/chromium.ts';
import { ADMIN_TOKEN, startAuthServer } from '../auth/auth.fixture.ts';
import { SLOW_TEST_MS } from '../helpers/deadlines.ts';
import { type TestServer, tempDir } from '../helpers/server.ts';
import { stopAll } from '../helpers/stop.ts';
import { ingest } from '../hls/hls.ingest.ts';
import { ffmpegAvailable } from '../hls/hls.media.ts';
import { buildUi, screenshotPath } from './ui.fixture.ts';
import { CODE_RATE, frameCodeStream, readFrameCode } from './ui.framecode.ts';
import { newTab, pageErrorsChecked, signIn } from './ui.tabs.ts';

interface PageVideo {
  currentTime: number;
  seeking: boolean;
  readyState: number;
}
declare const document: { querySelector(selector: 'video'): PageVideo | null };

const available = chromiumAvailable('web UI B-frame timecode browser tests') && ffmpegAvailable();
const S = 1_000_000_000n;
/** 2023-11-14T22:13:20Z UTC: TAI runs 37 s ahead of UTC then. */
const T0 = 1_700_000_037n * S;
const LEAP = 37n * S;
const FRAME_NS = S / BigInt(CODE_RATE);
const AUTH = { authorization: `Bearer ${ADMIN_TOKEN}` };
const SECONDS = 12;

/** The timecode of TAMS time `t` worked out by hand: UTC time of day, frames from the second. */
function expectedTimecode(t: bigint): string {
  const utc = t - LEAP;
  const second = (utc / S) % 86_400n;
  const frames = ((utc % S) * BigInt(CODE_RATE)) / S;
  const two = (n: bigint) => String(n).padStart(2, '0');
  return `${two(second / 3600n)}:${two((second / 60n) % 60n)}:${two(second % 60n)}:${two(frames)}`;
}

const ENCODES = [
  { name: "libx264's default (B-frames)", encoder: [] },
  { name: '-bf 3', encoder: ['-bf', '3'] },
] as const;

describe.skipIf(!available)('the timecode of the frame on screen, H.264 with B-frames, in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  let scratch: ReturnType<typeof tempDir>;
  let context: BrowserContext | undefined;
  const flows = new Map<string, string>();
  const pageErrors = pageErrorsChecked();

  beforeAll(async () => {
    scratch = tempDir('tams-ui-bframes-');
    const built = buildUi(`${scratch.path}/ui`);
    const streams = [];
    for (const [i, encode] of ENCODES.entries()) {
      streams.push(await frameCodeStream(`${scratch.path}/${i}`, encode.encoder, SECONDS));
    }
    await built;
    server = await startAuthServer({ TAMS_UI_DIR: `${scratch.path}/ui` });
    for (const [i, encode] of ENCODES.entries()) {
      const stream = streams[i];
      if (!stream) throw new Error(`no stream for ${encode.name}`);
      const flow = await ingest(server, stream, {
        sourceId: randomUUID(),
        start: T0,
        headers: AUTH,
        label: `Frame code, ${encode.name}`,
        fields: {
          format: 'urn:x-nmos:format:video',
          codec: 'video/h264',
          essence_parameters: {
            frame_width: 320,
            frame_height: 180,
            frame_rate: { numerator: CODE_RATE, denominator: 1 },
          },
        },
      });
      const closed = await server.put(
        `/flows/${flow.flowId}/tags/flow_status`,
        JSON.stringify('closed_complete'),
        { headers: AUTH },
      );
      expect(closed.status, closed.text).toBe(204);
      flows.set(encode.name, flow.flowId);
    }
    browser = await launchChromium();
  }, SLOW_TEST_MS);

  afterAll(() => stopAll(context, browser, server, scratch));

  const timecode = (page: Page) => page.getByTestId('timecode').textContent();
  const settled = (page: Page) =>
    page.waitForFunction(() => {
      const v = document.querySelector('video');
      return v !== null && !v.seeking && v.readyState >= 2;
    });
  /** The frame number the picture shows, once the picture is whole (no bar half way). */
  async function frameShown(page: Page): Promise<number> {
    const read = () => page.locator('video').evaluate(readFrameCode);
    await expect.poll(read).toBeGreaterThanOrEqual(0);
    return read();
  }

  for (const encode of ENCODES) {
    it(`${encode.name}: the timecode is the frame's on screen`, async () => {
      const flowId = flows.get(encode.name) as string;
      let page: Page;
      ({ context, page } = await newTab(browser, pageErrors));
      await signIn(page, server.url, ADMIN_TOKEN);

      // Opened at a TAMS time half way through frame 137: the player seeks there, and shows it.
      const target = T0 + 137n * FRAME_NS + FRAME_NS / 2n;
      const until = target + S;
      const range = `[${target / S}:${target % S}_${until / S}:${until % S})`;
      await page.goto(`${server.url}/ui/flows/${flowId}?timerange=${encodeURIComponent(range)}`);
      await page.locator('video[data-ready="true"]').waitFor();
      await settled(page);
      expect(await frameShown(page)).toBe(137);
      await expect.poll(() => timecode(page)).toBe(expectedTimecode(T0 + 137n * FRAME_NS));

      // The player's clock moved half way into frames (whatever their offset, the clock's
      // frames start on multiples of 1/25 s): the timecode names the picture shown.
      for (const seconds of [0.5, 3.02, 10.02]) {
        await page.locator('video').evaluate((v: PageVideo, to: number) => {
          v.currentTime = to;
        }, seconds);
        await settled(page);
        const frame = await frameShown(page);
        await expect
          .poll(() => timecode(page), { message: `at ${seconds} s, showing frame ${frame}` })
          .toBe(expectedTimecode(T0 + BigInt(frame) * FRAME_NS));
      }
      await page.getByTestId('frame-bar').scrollIntoViewIfNeeded();
      await page.screenshot({ path: screenshotPath('bframes-timecode') });
    });
  }
});
