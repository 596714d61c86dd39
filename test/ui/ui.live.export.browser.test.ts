/**
 * The Download panel of a Flow being written, in headless Chromium (issue 60): the page opens on
 * a live Flow of six one-second MPEG-TS segments (ffmpeg's test pattern, registered through the
 * API one at a time, ui.live.fixture.ts), then seven more are registered over HTTP. The panel's
 * span and the file it would make follow the Flow as its timeline does, rather than keep the
 * Flow as the page first read it; an end marked stays where it was put.
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
import { ffmpegAvailable, generateStream } from '../hls/hls.media.ts';
import { buildUi, screenshotPath } from './ui.fixture.ts';
import { type LiveFlow, liveFlow } from './ui.live.fixture.ts';
import { newTab, pageErrorsChecked, signIn } from './ui.tabs.ts';

const available = chromiumAvailable('web UI live download browser tests') && ffmpegAvailable();
const S = 1_000_000_000n;
/** 2023-11-14T22:13:20Z on the TAI timeline. */
const T0 = 1_700_000_037n * S;
const AUTH = { authorization: `Bearer ${ADMIN_TOKEN}` };
/** Segments registered before the page opens, and after. */
const FIRST = 6;
const LATER = 7;

describe.skipIf(!available)('the Download panel of a live Flow, in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  let scratch: ReturnType<typeof tempDir>;
  let context: BrowserContext;
  let page: Page;
  let flow: LiveFlow;
  const pageErrors = pageErrorsChecked();

  beforeAll(async () => {
    scratch = tempDir('tams-ui-live-export-');
    const built = buildUi(`${scratch.path}/ui`);
    await mkdir(`${scratch.path}/media`);
    const stream = await generateStream(`${scratch.path}/media`, 'mpegts', FIRST + LATER + 1);
    expect(stream.segments.length).toBeGreaterThanOrEqual(FIRST + LATER);
    await built;
    server = await startAuthServer({ TAMS_UI_DIR: `${scratch.path}/ui` });
    flow = await liveFlow(server, stream, { start: T0, headers: AUTH, label: 'live download' });
    for (let i = 0; i < FIRST; i++) await flow.registerNext();
    browser = await launchChromium();
    ({ context, page } = await newTab(browser, pageErrors));
    await signIn(page, server.url, ADMIN_TOKEN);
  }, SLOW_TEST_MS);

  afterAll(() => stopAll(context, browser, server, scratch));

  const range = () => page.locator('[data-testid="flow-export"] .export-range code').textContent();
  const file = () => page.getByTestId('export-file').textContent();
  const upTo = (end: bigint) => `[${formatTimestamp(T0)}_${formatTimestamp(end)})`;

  it("follows the Flow's segments as they are registered, as the timeline does", async () => {
    await page.goto(`${server.url}/ui/flows/${flow.flowId}`);
    await page.locator('video[data-ready="true"][data-live="true"]').waitFor();
    await expect.poll(range).toBe(upTo(flow.ends.at(-1) as bigint));
    await expect.poll(file).toContain(`holds ${FIRST} whole segments`);
    for (let i = 0; i < LATER; i++) await flow.registerNext();
    const end = flow.ends.at(-1) as bigint;
    // The timeline follows the Flow read again; the panel with it.
    const lastRun = page.locator('rect.tl-run').last();
    await expect.poll(() => lastRun.getAttribute('data-end')).toBe(formatTimestamp(end));
    await expect.poll(range).toBe(upTo(end));
    await expect.poll(file).toContain(`holds ${FIRST + LATER} whole segments`);
    expect(await page.getByTestId('export-source').textContent()).toMatch(/^The whole Flow, as it grows\./);
    await page.getByTestId('flow-export').screenshot({ path: screenshotPath('flow-live-export') });
  });
});
