/**
 * Live sources recorded by the server: MPEG-TS sent over UDP in real time by a second ffmpeg is
 * recorded while it arrives (the job `recording`, segments registered as they finish, its lag
 * behind the wall clock shown), and stopped through the API with the segment in progress
 * registered. A source that sends nothing leaves its job `retrying` with the reason, while the
 * server answers everyone else as before.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseTimeRange } from '../../src/time/index.ts';
import { killChild, spawnChild } from '../helpers/children.ts';
import { closedPort } from '../helpers/ports.ts';
import { startServer, type TestServer, tempDir } from '../helpers/server.ts';
import { FFMPEG, ffmpegAvailable } from '../hls/hls.media.ts';
import type { Doc } from '../http/fixtures.ts';
import { allSegments, newFlow, waitFor } from '../segments/helpers.ts';
import { makeSource, serveHls, writeHls } from './recorder.media.ts';

const available = ffmpegAvailable();
const data = tempDir('tams-recorder-live-');
const source = join(data.path, 'live.ts');
let server: TestServer;

beforeAll(async () => {
  if (!available) return;
  mkdirSync(data.path, { recursive: true });
  await makeSource(source, 60);
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

const job = async (id: string) => (await server.get<Doc>(`/recordings/${id}`)).body;

describe.skipIf(!available)('a live source recorded by the server', () => {
  it('records MPEG-TS over UDP as it arrives, and stops with the segment in progress registered', async () => {
    const port = await closedPort();
    const made = await server.post<Doc>('/recordings', { source: { url: `udp://127.0.0.1:${port}` } });
    expect(made.status, made.text).toBe(201);
    const id = made.body.id as string;
    const sender = spawnChild(
      FFMPEG,
      [
        ...['-hide_banner', '-loglevel', 'error', '-nostdin', '-re', '-stream_loop', '-1', '-i', source],
        ...['-map', '0', '-c', 'copy', '-f', 'mpegts', `udp://127.0.0.1:${port}?pkt_size=1316`],
      ],
      { stdio: 'ignore' },
    );
    try {
      const recording = await waitFor(
        'three video segments registered',
        async () => {
          const j = await job(id);
          const video = (j.flow_ids as Doc).video as string | undefined;
          if (j.state !== 'recording' || video === undefined) return undefined;
          return (await allSegments(server, video)).length >= 3 ? j : undefined;
        },
        120_000,
      );
      // Recorded as it arrives: each segment ends a few seconds behind the wall clock at most.
      expect(recording.lag_ms).toBeGreaterThanOrEqual(0);
      expect(recording.lag_ms).toBeLessThan(30_000);
      expect(recording.replica).toEqual(expect.any(String));
      const metrics = (await server.get('/metrics')).text;
      expect(metrics).toMatch(/^tams_recorder_jobs_running 1$/m);
      expect(Number(/^tams_recorder_segments_total (\d+)$/m.exec(metrics)?.[1])).toBeGreaterThanOrEqual(3);
      const before = (await allSegments(server, (recording.flow_ids as Doc).video as string)).length;
      const stopped = await server.post<Doc>(`/recordings/${id}/stop`, {});
      expect(stopped.body.want).toBe('stop');
      const done = await waitFor('the job stopped', async () => {
        const j = await job(id);
        return j.state === 'stopped' ? j : undefined;
      });
      expect(done.replica).toBeUndefined();
      const flows = done.flow_ids as { video: string; audio: string[] };
      const video = await allSegments(server, flows.video);
      expect(video.length).toBeGreaterThan(before);
      for (const flowId of [flows.video, ...flows.audio]) {
        const segments = await allSegments(server, flowId);
        for (let i = 1; i < segments.length; i++)
          expect(parseTimeRange(segments[i]?.timerange as string).start).toBe(
            parseTimeRange(segments[i - 1]?.timerange as string).end,
          );
      }
      expect(done.segments_written).toBe(
        video.length + (await Promise.all(flows.audio.map((f) => allSegments(server, f)))).flat().length,
      );
    } finally {
      await killChild(sender);
    }
  });

  it('records an HLS live playlist, read by the server itself', async () => {
    const dir = join(data.path, 'hls');
    mkdirSync(dir, { recursive: true });
    const writer = writeHls(source, dir);
    const http = await serveHls(dir);
    try {
      await waitFor(
        'the live playlist',
        async () => (await fetch(`${http.url}/live.m3u8`)).ok || undefined,
        60_000,
      );
      const made = await server.post<Doc>('/recordings', { source: { url: `${http.url}/live.m3u8` } });
      expect(made.status, made.text).toBe(201);
      expect(made.body.source).toMatchObject({ kind: 'hls' });
      const id = made.body.id as string;
      const recording = await waitFor(
        'three video segments registered from HLS',
        async () => {
          const j = await job(id);
          if (j.state === 'failed') throw new Error(String(j.last_error));
          const video = (j.flow_ids as Doc).video as string | undefined;
          if (video === undefined) return undefined;
          return (await allSegments(server, video)).length >= 3 ? j : undefined;
        },
        120_000,
      );
      const flows = recording.flow_ids as { video: string; audio: string[] };
      expect(flows.audio).toHaveLength(2);
      const video = await allSegments(server, flows.video);
      for (let i = 1; i < video.length; i++)
        expect(parseTimeRange(video[i]?.timerange as string).start).toBe(
          parseTimeRange(video[i - 1]?.timerange as string).end,
        );
      expect((await server.delete(`/recordings/${id}`)).status).toBe(204);
    } finally {
      await killChild(writer);
      await http.close();
    }
  });

  it('follows no playlist, segment or redirect to an address the allow-list does not admit', async () => {
    const http = await serveHls(data.path);
    try {
      for (const [path, why] of [
        ['/inward.m3u8', /10\.20\.30\.40 is in the private range.*TAMS_RECORDER_ALLOW/],
        ['/moved.m3u8', /169\.254\.169\.254 is in the linkLocal range/],
      ] as const) {
        const made = await server.post<Doc>('/recordings', { source: { url: `${http.url}${path}` } });
        expect(made.status, made.text).toBe(201);
        const id = made.body.id as string;
        const refused = await waitFor(
          `the job for ${path} retrying`,
          async () => {
            const j = await job(id);
            return j.state === 'retrying' && typeof j.last_error === 'string' ? j : undefined;
          },
          60_000,
        );
        expect(refused.last_error).toMatch(why);
        expect(refused.segments_written).toBe(0);
        expect((await server.delete(`/recordings/${id}`)).status).toBe(204);
      }
    } finally {
      await http.close();
    }
  });

  it('fails a job whose Flow is deleted under it, saying why, instead of retrying for ever', async () => {
    const port = await closedPort();
    const sender = spawnChild(
      FFMPEG,
      [
        ...['-hide_banner', '-loglevel', 'error', '-nostdin', '-re', '-stream_loop', '-1', '-i', source],
        ...['-map', '0', '-c', 'copy', '-f', 'mpegts', `udp://127.0.0.1:${port}?pkt_size=1316`],
      ],
      { stdio: 'ignore' },
    );
    try {
      const made = await server.post<Doc>('/recordings', { source: { url: `udp://127.0.0.1:${port}` } });
      const id = made.body.id as string;
      const recording = await waitFor(
        'a video segment registered',
        async () => {
          const j = await job(id);
          const video = (j.flow_ids as Doc).video as string | undefined;
          return video !== undefined && (await allSegments(server, video)).length > 0 ? j : undefined;
        },
        120_000,
      );
      const video = (recording.flow_ids as Doc).video as string;
      expect([200, 202, 204]).toContain((await server.delete(`/flows/${video}`)).status);
      const failed = await waitFor(
        'the job failed',
        async () => {
          const j = await job(id);
          return j.state === 'failed' ? j : undefined;
        },
        60_000,
      );
      expect(failed).toMatchObject({ want: 'stop' });
      expect(failed.last_error).toContain(video);
      expect(failed.replica).toBeUndefined();
    } finally {
      await killChild(sender);
    }
  });

  it('leaves a silent source retrying with the reason, and the server answers others meanwhile', async () => {
    const port = await closedPort();
    const made = await server.post<Doc>('/recordings', { source: { url: `udp://127.0.0.1:${port}` } });
    const id = made.body.id as string;
    const retrying = await waitFor(
      'the job retrying',
      async () => {
        const j = await job(id);
        return j.state === 'retrying' && typeof j.last_error === 'string' ? j : undefined;
      },
      60_000,
    );
    expect(retrying.last_error).toMatch(/\S/);
    expect(retrying.replica).toEqual(expect.any(String));
    // Another client's writes and reads go on.
    const flowId = await newFlow(server);
    expect((await server.get(`/flows/${flowId}`)).status).toBe(200);
    await waitFor(
      'a second attempt',
      async () => ((await job(id)).restarts as number) >= 1 || undefined,
      60_000,
    );
    expect((await server.delete(`/recordings/${id}`)).status).toBe(204);
  });
});
