/**
 * Two minutes of a live source recorded twice at once: one encoder on loopback (a test pattern
 * with its frame number burnt in, a tone) sends MPEG-TS over UDP and writes a live HLS playlist
 * served over HTTP, and a job records each. Every Flow's segments are contiguous (no gap, no
 * overlap); the frame number decoded from the first frame of three of the video segments (near
 * the start, in the middle, at the end) is where the segment's timerange puts it, within one
 * frame. The HLS presentation has a WebVTT subtitle rendition (`t=<n>` each second): its job's
 * caption Flow has a segment for each video segment, with its timerange, and each cue lands on
 * the Flow's timeline (its time in the WebVTT file plus the segment's ts_offset) within one
 * frame of the frame it names. Two minutes of real time: run in the full tier (docs/development.md, "CI tiers"); the
 * web UI playing a recording live is test/ui/ui.recordings.browser.test.ts.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseTimedText } from '../../src/search/timedtext/timedtext.parse.ts';
import { parseTimeRange, parseTimestamp } from '../../src/time/index.ts';
import { killChild } from '../helpers/children.ts';
import { closedPort } from '../helpers/ports.ts';
import { startServer, type TestServer, tempDir } from '../helpers/server.ts';
import { ffmpegAvailable } from '../hls/hls.media.ts';
import type { Doc } from '../http/fixtures.ts';
import { allSegments, waitFor } from '../segments/helpers.ts';
import { captionSecond, firstFrameNumber, liveEncoder, serveHls } from './recorder.media.ts';

const available = ffmpegAvailable();
const data = tempDir('tams-recorder-frames-');
let server: TestServer;

const S = 1_000_000_000n;
const FRAME = S / 25n;
const RECORD = 120n * S;

beforeAll(async () => {
  if (!available) return;
  server = await startServer({
    dataDir: data.path,
    env: {
      TAMS_AUTH: 'none',
      TAMS_RECORDER: 'true',
      TAMS_RECORDER_ALLOW: '127.0.0.1',
      TAMS_RECORDER_PROBE_SECONDS: '10',
      TAMS_WORKER_IDLE_MS: '100',
    },
  });
});
afterAll(async () => {
  await server?.close();
  data.remove();
});

const span = (range: string) => {
  const parsed = parseTimeRange(range);
  return { start: parsed.start as bigint, end: parsed.end as bigint };
};

interface Flows {
  video: string;
  audio: string[];
  captions?: string;
}

/** The bytes of a segment, by its first URL. */
async function bytesOf(segment: { get_urls?: { url: string; presigned?: boolean }[] }): Promise<Buffer> {
  const url = segment.get_urls?.find((u) => u.presigned)?.url ?? segment.get_urls?.[0]?.url;
  const res = await fetch(url as string);
  expect(res.status).toBe(200);
  return Buffer.from(await res.arrayBuffer());
}

const job = async (id: string) => (await server.get<Doc>(`/recordings/${id}`)).body;

/** How much of the video Flow of job `id` its segments cover. */
async function recorded(id: string): Promise<bigint> {
  const video = ((await job(id)).flow_ids as Doc).video as string | undefined;
  if (video === undefined) return 0n;
  const segments = await allSegments(server, video);
  if (segments.length === 0) return 0n;
  return span(segments.at(-1)?.timerange as string).end - span(segments[0]?.timerange as string).start;
}

describe.skipIf(!available)('two minutes of a live source, over UDP and as HLS', () => {
  it('records contiguous segments whose frames are where their timeranges say', async () => {
    const hlsDir = join(data.path, 'hls');
    mkdirSync(hlsDir, { recursive: true });
    const port = await closedPort();
    const encoder = liveEncoder(port, hlsDir);
    const http = await serveHls(hlsDir);
    try {
      await waitFor('the live playlist', async () => (await fetch(`${http.url}/live.m3u8`)).ok || undefined);
      const ids: string[] = [];
      for (const url of [`udp://127.0.0.1:${port}`, `${http.url}/live.m3u8`]) {
        const made = await server.post<Doc>('/recordings', { source: { url }, label: url });
        expect(made.status, made.text).toBe(201);
        ids.push(made.body.id as string);
      }
      // Two minutes of media in each job's video Flow.
      for (const id of ids)
        await waitFor(
          `two minutes recorded by ${id}`,
          async () => (await recorded(id)) >= RECORD || undefined,
          300_000,
        );
      for (const id of ids) expect((await server.post<Doc>(`/recordings/${id}/stop`, {})).status).toBe(200);
      for (const id of ids)
        await waitFor(`${id} stopped`, async () => ((await job(id)).state === 'stopped' ? true : undefined));

      for (const [n, id] of ids.entries()) {
        const recording = await job(id);
        expect(recording.restarts, `${recording.label}: ${recording.last_error}`).toBe(0);
        const flows = recording.flow_ids as Flows;
        for (const flowId of [flows.video, ...flows.audio]) {
          const segments = await allSegments(server, flowId);
          for (let i = 1; i < segments.length; i++)
            expect(span(segments[i]?.timerange as string).start, `${recording.label}: segment ${i}`).toBe(
              span(segments[i - 1]?.timerange as string).end,
            );
        }

        // The frame numbers of the first frames of three segments, against their starts. The
        // first segment is left out: a source joined between key frames begins with frames
        // that cannot be decoded.
        const video = await allSegments(server, flows.video, { presigned: true });
        expect(video.length).toBeGreaterThanOrEqual(50);
        const picks = [1, Math.floor(video.length / 2), video.length - 1].map(
          (i) => video[i] as (typeof video)[0],
        );
        const read: { start: bigint; frame: number }[] = [];
        for (const [k, segment] of picks.entries()) {
          const file = join(data.path, `job${n}-pick${k}.ts`);
          writeFileSync(file, await bytesOf(segment));
          read.push({ start: span(segment.timerange).start, frame: await firstFrameNumber(file) });
        }
        const [first] = read as [{ start: bigint; frame: number }];
        for (const point of read.slice(1)) {
          const byFrames = BigInt(point.frame - first.frame) * FRAME;
          const byTimerange = point.start - first.start;
          const off = byTimerange > byFrames ? byTimerange - byFrames : byFrames - byTimerange;
          expect(off, `${recording.label}: frame ${point.frame} at ${point.start}`).toBeLessThanOrEqual(
            FRAME,
          );
        }
        if ((recording.source as Doc).kind === 'hls') {
          expect(flows.captions, 'the HLS source has a subtitle rendition').toBeDefined();
          const cued = await checkCaptions(flows.captions as string, video, read);
          // Played beside the video: a subtitle rendition of the multi Flow's playlist.
          const multi = (recording.flow_ids as Doc).multi as string;
          const played = await server.get(`/flows/${multi}/hls.m3u8`);
          expect(played.status).toBe(200);
          const subtitles = played.text.split('\n').find((line) => line.includes('TYPE=SUBTITLES'));
          expect(subtitles, played.text).toContain(`/flows/${flows.captions}/hls.m3u8`);
          console.log(`recorder captions: ${cued.cues} cues, furthest ${cued.worstMs} ms from their frames`);
        } else {
          expect(flows.captions, 'MPEG-TS over UDP carries no WebVTT').toBeUndefined();
        }
        console.log(
          `recorder frames (${recording.source && (recording.source as Doc).kind}): ${video.length} video segments; ` +
            read.map((p) => `frame ${p.frame} at +${Number(p.start - first.start) / 1e9} s`).join(', '),
        );
      }
    } finally {
      await killChild(encoder);
      await http.close();
    }
  }, 600_000);
});

/**
 * The caption Flow beside the video: a segment for each video segment from the first caption
 * segment on, with its timerange; each `t=<n>` cue of the caption segments of the picked video
 * segments on the Flow's timeline (WebVTT time + ts_offset, TAMS: segment time = media time +
 * ts_offset) within a frame of where frame 25·n is (by the picked segments' first frames).
 */
async function checkCaptions(
  captionFlow: string,
  video: Awaited<ReturnType<typeof allSegments>>,
  read: readonly { start: bigint; frame: number }[],
): Promise<{ cues: number; worstMs: number }> {
  const captions = await allSegments(server, captionFlow, { presigned: true });
  expect(captions.length).toBeGreaterThanOrEqual(40);
  const videoRanges = video.map((v) => v.timerange);
  const from = videoRanges.indexOf(captions[0]?.timerange as string);
  expect(from, 'the first caption segment has a video segment’s timerange').toBeGreaterThanOrEqual(0);
  expect(captions.map((c) => c.timerange)).toEqual(videoRanges.slice(from, from + captions.length));
  let cues = 0;
  let worst = 0n;
  for (const point of read) {
    const segment = captions.find((c) => span(c.timerange).start === point.start);
    expect(segment, `a caption segment at ${point.start}`).toBeDefined();
    const offset = segment?.ts_offset === undefined ? 0n : parseTimestamp(segment.ts_offset);
    const text = parseTimedText(await bytesOf(segment as (typeof captions)[0]), { contentType: 'text/vtt' });
    for (const cue of text.cues) {
      const second = captionSecond(cue.text);
      expect(second, cue.text).toBeDefined();
      const onFlow = cue.start + offset;
      // A cue that began before the segment's first frame is cut at its start: not its own start.
      if ((second as number) * 25 < point.frame) continue;
      const expected = point.start + BigInt((second as number) * 25 - point.frame) * FRAME;
      const off = onFlow > expected ? onFlow - expected : expected - onFlow;
      expect(
        off,
        `cue ${cue.text} at ${onFlow}, frame ${(second as number) * 25} at ${expected}`,
      ).toBeLessThanOrEqual(FRAME);
      worst = off > worst ? off : worst;
      cues++;
    }
  }
  expect(cues).toBeGreaterThanOrEqual(3);
  return { cues, worstMs: Number(worst) / 1e6 };
}
