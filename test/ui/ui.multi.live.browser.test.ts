/**
 * A live multi Flow's page in headless Chromium: its video, audio and caption members (ffmpeg's
 * test pattern, its tone, WebVTT) are written segment by segment as a live encoder writes them,
 * and the multi Flow with no segments of its own collects them. While it plays live, the page
 * reads its video member again: the timeline's extent and the segment list grow with the
 * segments registered. Screenshot: .tmp/ui-screenshots/multi-live.png.
 */
import { randomUUID } from 'node:crypto';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, launchChromium } from '../../tools/chromium.ts';
import { ADMIN_TOKEN, startAuthServer } from '../auth/auth.fixture.ts';
import { SLOW_TEST_MS } from '../helpers/deadlines.ts';
import { type TestServer, tempDir } from '../helpers/server.ts';
import { stopAll } from '../helpers/stop.ts';
import { ffmpegAvailable } from '../hls/hls.media.ts';
import { generateTracks, putMultiFlow, TRACK_FIELDS } from '../hls/hls.tracks.ts';
import { buildUi, screenshotPath } from './ui.fixture.ts';
import { type LiveFlow, liveFlow } from './ui.live.fixture.ts';
import { newTab, pageErrorsChecked, signIn } from './ui.tabs.ts';

const available = chromiumAvailable('web UI live multi Flow browser tests') && ffmpegAvailable();
const S = 1_000_000_000n;
const T0 = 1_700_000_037n * S;
const AUTH = { authorization: `Bearer ${ADMIN_TOKEN}` };
/** Segments registered to each member before the page opens, and after. */
const FIRST = 3;
const MORE = 2;

describe.skipIf(!available)('a live multi Flow in the web UI, in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  let scratch: ReturnType<typeof tempDir>;
  let context: BrowserContext | undefined;
  let members: LiveFlow[];
  let video: LiveFlow;
  const multiId = randomUUID();
  const pageErrors = pageErrorsChecked();

  /** The next segment of every member (the audio member may have one fewer). */
  const registerNext = async () => {
    for (const member of members) await member.registerNext();
  };

  beforeAll(async () => {
    scratch = tempDir('tams-ui-multi-live-');
    const built = buildUi(`${scratch.path}/ui`);
    const tracks = await generateTracks(scratch.path, 8, [
      { start: 1, end: 4, text: 'Live from the harbour.' },
    ]);
    await built;
    server = await startAuthServer({ TAMS_UI_DIR: `${scratch.path}/ui` });
    const member = (stream: Parameters<typeof liveFlow>[1], label: string, fields: Record<string, unknown>) =>
      liveFlow(server, stream, { start: T0, headers: AUTH, label, fields });
    video = await member(tracks.video, 'Harbour video, live', TRACK_FIELDS.video);
    const audio = await member(tracks.audio, 'Harbour sound, live', TRACK_FIELDS.audio);
    const captions = await member(tracks.captions, 'English captions, live', TRACK_FIELDS.captions);
    members = [video, audio, captions];
    for (let i = 0; i < FIRST; i++) await registerNext();
    const collection = [
      { id: video.flowId, role: 'video' },
      { id: audio.flowId, role: 'audio' },
      { id: captions.flowId, role: 'captions' },
    ];
    await putMultiFlow(server, multiId, collection, AUTH, {
      label: 'Harbour programme, live',
      tags: { flow_status: 'ingesting' },
    });
    browser = await launchChromium();
  }, SLOW_TEST_MS);

  afterAll(() => stopAll(context, browser, server, scratch));

  async function open(): Promise<Page> {
    let page: Page;
    ({ context, page } = await newTab(browser, pageErrors));
    await signIn(page, server.url, ADMIN_TOKEN, 'sources');
    return page;
  }

  it("grows its timeline and segment list with its video member's segments while it plays live", async () => {
    const page = await open();
    await page.goto(`${server.url}/ui/flows/${multiId}`);
    await page.locator('video[data-ready="true"][data-live="true"]').waitFor();
    const rows = page.locator('table[data-testid="segments"] tbody tr[data-timerange]');
    await expect.poll(() => rows.count()).toBe(FIRST);
    /** The timeline's extent, in seconds: the slider's maximum. */
    const extentSeconds = async () => Number(await page.locator('.tl-track').getAttribute('aria-valuemax'));
    const seconds = (end: bigint | undefined) => Number((end ?? T0) - T0) / 1e9;
    expect(await extentSeconds()).toBeCloseTo(seconds(video.ends.at(-1)), 6);

    for (let i = 0; i < MORE; i++) await registerNext();
    // Read again while it plays live: the extent reaches the last segment registered.
    await expect.poll(extentSeconds).toBeCloseTo(seconds(video.ends.at(-1)), 6);
    await expect.poll(() => rows.count()).toBe(FIRST + MORE);
    const last = video.ends.at(-1) ?? T0;
    expect(await rows.last().getAttribute('data-timerange')).toContain(`${last / S}:${last % S})`);
    await page.locator('.live-badge[data-live="true"]').waitFor();
    await page.screenshot({ path: screenshotPath('multi-live') });

    // A read of the member that fails is said, and the message goes with the next good read.
    const memberPath = `/tams/v8.2/flows/${video.flowId}`;
    const member = (url: URL) => url.pathname === memberPath;
    await page.route(member, (route) =>
      route.fulfill({
        status: 503,
        contentType: 'application/json',
        body: '{"type":"Unavailable","summary":"store unavailable"}',
      }),
    );
    const failed = page.getByText(/Its video member could not be read again/);
    await failed.waitFor();
    await page.unroute(member);
    await failed.waitFor({ state: 'detached' });
  });
});
