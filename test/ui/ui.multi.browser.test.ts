/**
 * A multi Flow's page in headless Chromium, on real media: ffmpeg's test pattern (MPEG-TS video),
 * its tone (MPEG-TS audio) and a WebVTT caption, ingested as three Flows that a multi Flow with
 * no segments of its own collects. Its page plays the multi Flow's multivariant playlist (hls.js's
 * full build): the clock advances, video frames and audio are decoded, and the caption shows
 * over the picture at a time its cue covers, as the video element's text track. The timeline,
 * segment list and timecode are the video member's, and its metadata says the span shown is that
 * member's. Screenshots: .tmp/ui-screenshots/multi-captions.png, multi-meta.png.
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
import { ffmpegAvailable } from '../hls/hls.media.ts';
import { generateTracks, putMultiFlow, TRACK_FIELDS } from '../hls/hls.tracks.ts';
import { buildUi, screenshotPath } from './ui.fixture.ts';
import { newTab, pageErrorsChecked, signIn } from './ui.tabs.ts';

/** The page's video element, as far as the callbacks below use it (they run in Chromium). */
interface PageVideo {
  currentTime: number;
  muted: boolean;
  paused: boolean;
  seeking: boolean;
  webkitAudioDecodedByteCount: number;
  getVideoPlaybackQuality(): { totalVideoFrames: number };
  textTracks: ArrayLike<{ kind: string; mode: string; activeCues: ArrayLike<{ text: string }> | null }>;
  play(): Promise<void>;
  pause(): void;
}
declare const document: { querySelector(selector: 'video'): PageVideo | null };

const available = chromiumAvailable('web UI multi Flow browser tests') && ffmpegAvailable();
const S = 1_000_000_000n;
const T0 = 1_700_000_037n * S;
const AUTH = { authorization: `Bearer ${ADMIN_TOKEN}` };
const CAPTION = 'The harbour wakes.';
/** The cue, seconds from the start: the player shows it from 1 s to 4 s. */
const CUE = { start: 1, end: 4, text: CAPTION };

describe.skipIf(!available)('a multi Flow of video, audio and captions in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  let scratch: ReturnType<typeof tempDir>;
  let video: Ingested;
  let context: BrowserContext | undefined;
  const multiId = randomUUID();
  const pageErrors = pageErrorsChecked();

  beforeAll(async () => {
    scratch = tempDir('tams-ui-multi-');
    const built = buildUi(`${scratch.path}/ui`);
    const tracks = await generateTracks(scratch.path, 6, [CUE]);
    await built;
    server = await startAuthServer({ TAMS_UI_DIR: `${scratch.path}/ui` });
    const member = (stream: Parameters<typeof ingest>[1], label: string, fields: Record<string, unknown>) =>
      ingest(server, stream, { sourceId: randomUUID(), start: T0, headers: AUTH, label, fields });
    video = await member(tracks.video, 'Harbour video', TRACK_FIELDS.video);
    const audio = await member(tracks.audio, 'Harbour sound', TRACK_FIELDS.audio);
    const captions = await member(tracks.captions, 'English captions', TRACK_FIELDS.captions);
    // Finished Flows: each plays as VOD.
    for (const id of [video.flowId, audio.flowId, captions.flowId]) {
      const closed = await server.put(`/flows/${id}/tags/flow_status`, JSON.stringify('closed_complete'), {
        headers: AUTH,
      });
      expect(closed.status, closed.text).toBe(204);
    }
    const members = [
      { id: video.flowId, role: 'video' },
      { id: audio.flowId, role: 'audio' },
      { id: captions.flowId, role: 'captions' },
    ];
    await putMultiFlow(server, multiId, members, AUTH, { label: 'Harbour programme' });
    browser = await launchChromium();
  }, SLOW_TEST_MS);

  afterAll(() => stopAll(context, browser, server, scratch));

  async function open(): Promise<Page> {
    let page: Page;
    ({ context, page } = await newTab(browser, pageErrors));
    await signIn(page, server.url, ADMIN_TOKEN, 'sources');
    return page;
  }

  it('plays video with its audio, and shows the caption over the picture', async () => {
    const page = await open();
    const playlists: string[] = [];
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (url.pathname.endsWith('.m3u8')) playlists.push(url.pathname);
    });
    await page.goto(`${server.url}/ui/flows/${multiId}`);
    await page.locator('video[data-ready="true"]').waitFor();
    // The timeline and segment list are the video member's; the timecode runs at its rate.
    const rows = page.locator('table[data-testid="segments"] tbody tr[data-timerange]');
    await expect.poll(() => rows.count()).toBe(video.segments.length);
    expect(await rows.first().getAttribute('data-timerange')).toBe(video.segments[0]?.timerange);
    await expect.poll(() => page.getByTestId('frame-bar').textContent()).toContain('25 fps');
    // Its metadata says the span shown is its video member's, its own timerange being empty.
    const meta = page.getByTestId('flow-meta');
    expect(await meta.getByTestId('timerange-members').textContent()).toBe(
      "none of its own: the segments are its members'",
    );
    expect(await meta.getByRole('rowheader', { name: "Video member's span" }).count()).toBe(1);
    const spanOf = meta.getByTestId('span-member').locator('a');
    expect(await spanOf.getAttribute('href')).toBe(`/ui/flows/${video.flowId}`);
    expect(await spanOf.textContent()).toBe('Harbour video');
    await page.locator('.meta').screenshot({ path: screenshotPath('multi-meta') });

    const element = page.locator('video');
    await element.evaluate((v: PageVideo) => {
      v.muted = true;
      return v.play();
    });
    try {
      await page.waitForFunction(() => (document.querySelector('video')?.currentTime ?? 0) > 1.5);
    } finally {
      await element.evaluate((v: PageVideo) => v.pause());
    }
    const decoded = await element.evaluate((v: PageVideo) => ({
      frames: v.getVideoPlaybackQuality().totalVideoFrames,
      audioBytes: v.webkitAudioDecodedByteCount,
    }));
    expect(decoded.frames).toBeGreaterThan(0);
    // The audio member played as the alternate audio rendition.
    expect(decoded.audioBytes).toBeGreaterThan(0);
    expect(await element.getAttribute('data-hls-last-error')).toBeNull();
    // The multi Flow's playlist, then each member's media playlist.
    expect(playlists[0]).toBe(`/flows/${multiId}/hls.m3u8`);

    // At 2.5 s, inside the cue: the captions track shows it.
    await element.evaluate((v: PageVideo) => {
      v.currentTime = 2.5;
    });
    const showing = () =>
      element.evaluate((v: PageVideo) => {
        const texts: string[] = [];
        for (let i = 0; i < v.textTracks.length; i++) {
          const track = v.textTracks[i];
          if (track?.mode !== 'showing' || !track.activeCues) continue;
          for (let j = 0; j < track.activeCues.length; j++) texts.push(track.activeCues[j]?.text ?? '');
        }
        return texts;
      });
    await expect.poll(showing).toEqual([CAPTION]);
    await page.waitForFunction(() => document.querySelector('video')?.seeking === false);
    await element.scrollIntoViewIfNeeded();
    await page.screenshot({ path: screenshotPath('multi-captions') });

    // A range on the timeline: its segments are the video member's, deleted on that Flow's
    // page (with its sound and captions left here, deleting them here would surprise).
    // Each key acts at the playhead: the next is pressed once the playhead is where the last put
    // it (on a loaded machine `]` pressed before ArrowRight's move lands marked an empty range).
    const playhead = async () => page.locator('.tl-playhead').getAttribute('data-time');
    await page.locator('.tl-track').focus();
    await page.keyboard.press('Home');
    await page.keyboard.press('[');
    const marked = await playhead();
    await page.keyboard.press('ArrowRight');
    await expect.poll(playhead).not.toBe(marked);
    await page.keyboard.press(']');
    const note = page.getByTestId('range-members');
    await note.waitFor();
    expect(await note.locator('a').getAttribute('href')).toBe(`/ui/flows/${video.flowId}`);
    expect(await page.getByRole('button', { name: 'Delete segments…' }).count()).toBe(0);
  });
});
