/**
 * A recording job run by the server from end to end, on a file source read as fast as it goes:
 * the job is taken, the source probed, its Source and Flows made (a video Flow, one per audio
 * track, a multi Flow over them), every finished segment uploaded and registered, and the job
 * stopped at the file's end. Each Flow's segments are contiguous (no gap, no overlap) and span
 * the file's duration exactly; the video segments' bytes, fetched through their URLs, decode to
 * every frame of the source. The same file recorded as fragmented MP4: each Flow's segments name
 * one init object (TAMS 8.2), and init plus fragments decode to every frame.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseTimeRange } from '../../src/time/index.ts';
import { startServer, type TestServer, tempDir } from '../helpers/server.ts';
import { ffmpegAvailable } from '../hls/hls.media.ts';
import type { Doc } from '../http/fixtures.ts';
import { allSegments, waitFor } from '../segments/helpers.ts';
import { firstPts, frameCount, makeSource } from './recorder.media.ts';

const available = ffmpegAvailable();
const data = tempDir('tams-recorder-file-');
const files = join(data.path, 'sources');
let server: TestServer;

beforeAll(async () => {
  if (!available) return;
  mkdirSync(files, { recursive: true });
  await makeSource(join(files, 'clip.ts'), 10);
  server = await startServer({
    dataDir: data.path,
    env: {
      TAMS_AUTH: 'none',
      TAMS_RECORDER: 'true',
      TAMS_RECORDER_FILE_DIR: files,
      TAMS_WORKER_IDLE_MS: '50',
    },
  });
});
afterAll(async () => {
  await server?.close();
  data.remove();
});

const ns = (range: string, end: 'start' | 'end') => {
  const parsed = parseTimeRange(range);
  return (end === 'start' ? parsed.start : parsed.end) as bigint;
};

/** Starts a job on the test file (and what else `body` says); answers it once stopped at the file's end. */
async function recordToEnd(body: Doc): Promise<Doc> {
  const made = await server.post<Doc>('/recordings', {
    source: { url: 'file:clip.ts', realtime: false },
    ...body,
  });
  expect(made.status, made.text).toBe(201);
  expect(made.body.container).toBe(body.container ?? 'video/mp2t');
  const id = made.body.id as string;
  return waitFor(
    `job ${id} to stop at the end of its file`,
    async () => {
      const res = await server.get<Doc>(`/recordings/${id}`);
      if (res.body.state === 'failed') throw new Error(`job failed: ${String(res.body.last_error)}`);
      return res.body.state === 'stopped' ? res.body : undefined;
    },
    120_000,
  );
}

describe.skipIf(!available)('a file recorded by the server', () => {
  it('makes the Flows, registers contiguous segments of the whole file, and stops at its end', async () => {
    const job = await recordToEnd({ label: 'clip' });
    expect(job).toMatchObject({ want: 'stop', state: 'stopped', restarts: 0 });
    expect(job.replica).toBeUndefined();
    const flows = job.flow_ids as { multi: string; video: string; audio: string[] };
    expect(flows.audio).toHaveLength(2);

    const multi = await server.get<Doc>(`/flows/${flows.multi}`);
    expect(multi.status).toBe(200);
    expect(multi.body.source_id).toBe(job.source_id);
    expect((multi.body.flow_collection as Doc[]).map((m) => m.id)).toEqual([flows.video, ...flows.audio]);
    // No segments of its own, no container: played as the multivariant playlist of its members.
    expect(multi.body.container).toBeUndefined();
    const playlist = await server.get(`/flows/${flows.multi}/hls.m3u8`);
    expect(playlist.status, playlist.text).toBe(200);
    expect(playlist.text).toContain('#EXT-X-STREAM-INF');
    expect(playlist.text.match(/#EXT-X-MEDIA:TYPE=AUDIO/g)).toHaveLength(2);
    const video = await server.get<Doc>(`/flows/${flows.video}`);
    expect(video.body).toMatchObject({
      format: 'urn:x-nmos:format:video',
      codec: 'video/h264',
      container: 'video/mp2t',
      label: 'clip',
      essence_parameters: {
        frame_width: 320,
        frame_height: 180,
        frame_rate: { numerator: 25, denominator: 1 },
      },
    });

    let total = 0;
    for (const flowId of [flows.video, ...flows.audio]) {
      const segments = await allSegments(server, flowId, { presigned: true });
      expect(segments.length, flowId).toBeGreaterThanOrEqual(4);
      total += segments.length;
      for (let i = 1; i < segments.length; i++)
        expect(ns(segments[i]?.timerange as string, 'start'), `${flowId} #${i}`).toBe(
          ns(segments[i - 1]?.timerange as string, 'end'),
        );
      const span =
        ns(segments.at(-1)?.timerange as string, 'end') - ns(segments[0]?.timerange as string, 'start');
      // Ten seconds of video exactly (250 frames). The AAC encoder's priming and its last frame
      // padded out make its packets last up to two frames (1024 samples each) longer.
      if (flowId === flows.video) expect(span).toBe(10_000_000_000n);
      else expect(Number(span - 10_000_000_000n)).toBeLessThanOrEqual(42_666_667);
    }
    expect(job.segments_written).toBe(total);

    // The video's bytes, joined, are the source's 250 frames.
    const segments = await allSegments(server, flows.video, { presigned: true });
    const parts: Buffer[] = [];
    for (const s of segments) {
      const url = s.get_urls?.find((u) => u.presigned)?.url ?? s.get_urls?.[0]?.url;
      const res = await fetch(url as string);
      expect(res.status).toBe(200);
      parts.push(Buffer.from(await res.arrayBuffer()));
    }
    const joined = join(data.path, 'joined.ts');
    writeFileSync(joined, Buffer.concat(parts));
    expect(await frameCount(joined)).toBe(250);
  });
});

describe.skipIf(!available)('a file recorded by the server as fragmented MP4', () => {
  it('registers fragments naming their init object, contiguous, decoding to every frame', async () => {
    const job = await recordToEnd({ container: 'video/mp4' });
    const flows = job.flow_ids as { multi: string; video: string; audio: string[] };
    const video = await server.get<Doc>(`/tams/v8.2/flows/${flows.video}`);
    expect(video.body).toMatchObject({
      container: 'video/mp4',
      essence_parameters: { frame_width: 320, init_segments: true },
    });
    for (const audioId of flows.audio) {
      const audio = await server.get<Doc>(`/tams/v8.2/flows/${audioId}`);
      expect(audio.body).toMatchObject({
        container: 'audio/mp4',
        essence_parameters: { init_segments: true },
      });
    }

    type Seg8 = Doc & {
      timerange: string;
      ts_offset?: string;
      get_urls: { url: string }[];
      init_object?: { object_id: string; get_urls: { url: string }[] };
    };
    const segmentsOf = async (flowId: string) => {
      const res = await server.get<Seg8[]>(`/tams/v8.2/flows/${flowId}/segments?limit=100&presigned=true`);
      expect(res.status, res.text).toBe(200);
      return res.body;
    };
    let total = 0;
    for (const flowId of [flows.video, ...flows.audio]) {
      const segments = await segmentsOf(flowId);
      expect(segments.length, flowId).toBeGreaterThanOrEqual(4);
      total += segments.length;
      // One init object per Flow, named by every segment, never a segment's own object.
      const inits = new Set(segments.map((s) => s.init_object?.object_id));
      expect(inits.size, flowId).toBe(1);
      expect([...inits][0]).toBeDefined();
      expect(segments.map((s) => s.object_id)).not.toContain([...inits][0]);
      for (let i = 1; i < segments.length; i++)
        expect(ns(segments[i]?.timerange as string, 'start')).toBe(
          ns(segments[i - 1]?.timerange as string, 'end'),
        );
      if (flowId === flows.video) {
        const span =
          ns(segments.at(-1)?.timerange as string, 'end') - ns(segments[0]?.timerange as string, 'start');
        expect(span).toBe(10_000_000_000n);
      }
    }
    expect(job.segments_written).toBe(total);

    // The init object, then the fragments: the source's 250 frames; and each segment's ts_offset
    // maps its first frame's PTS onto its timerange's start.
    const segments = await segmentsOf(flows.video);
    const fetchBytes = async (url: string) => {
      const res = await fetch(url);
      expect(res.status).toBe(200);
      return Buffer.from(await res.arrayBuffer());
    };
    const init = await fetchBytes(segments[0]?.init_object?.get_urls[0]?.url as string);
    const fragments: Buffer[] = [];
    for (const s of segments) {
      const fragment = await fetchBytes(s.get_urls[0]?.url as string);
      fragments.push(fragment);
      const alone = join(data.path, `alone-${s.object_id}.mp4`);
      writeFileSync(alone, Buffer.concat([init, fragment]));
      const ptsNs = ((await firstPts(alone)) * 1_000_000_000n) / 90_000n;
      const offset = parseTimeRange(`[${s.ts_offset ?? '0:0'}]`).start as bigint;
      expect(ptsNs + offset).toBe(ns(s.timerange, 'start'));
    }
    const joined = join(data.path, 'joined.mp4');
    writeFileSync(joined, Buffer.concat([init, ...fragments]));
    expect(await frameCount(joined)).toBe(250);

    // Played as HLS with the init segment as EXT-X-MAP.
    const playlist = await server.get(`/flows/${flows.video}/hls.m3u8`);
    expect(playlist.status, playlist.text).toBe(200);
    expect(playlist.text).toContain('#EXT-X-MAP:URI=');
  });
});
