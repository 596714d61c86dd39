/**
 * The loop recorder: a live source recorded for 3 minutes with a 1-minute window keeps the last
 * minute (within a segment) in each Flow, and the objects of the segments it let go are collected
 * from the media store (no file left in the media directory but those the kept segments use).
 * Three minutes of real time: run in the full tier (docs/development.md, "CI tiers").
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseTimeRange } from '../../src/time/index.ts';
import { killChild, spawnChild } from '../helpers/children.ts';
import { closedPort } from '../helpers/ports.ts';
import { startServer, type TestServer, tempDir } from '../helpers/server.ts';
import { FFMPEG, ffmpegAvailable } from '../hls/hls.media.ts';
import type { Doc } from '../http/fixtures.ts';
import { allSegments, waitFor } from '../segments/helpers.ts';
import { makeSource } from './recorder.media.ts';

const available = ffmpegAvailable();
const data = tempDir('tams-recorder-loop-');
const source = join(data.path, 'live.ts');
let server: TestServer;
const WINDOW_S = 60;
const RUN_MS = 180_000;

beforeAll(async () => {
  if (!available) return;
  await makeSource(source, 60);
  server = await startServer({
    dataDir: data.path,
    env: {
      TAMS_AUTH: 'none',
      TAMS_RECORDER: 'true',
      TAMS_RECORDER_ALLOW: '127.0.0.1',
      TAMS_WORKER_IDLE_MS: '200',
    },
  });
});
afterAll(async () => {
  await server?.close();
  data.remove();
});

describe.skipIf(!available)('a loop recorder', () => {
  it(
    'keeps the last minute of three, and its media store keeps only what those segments use',
    async () => {
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
        const made = await server.post<Doc>('/recordings', {
          source: { url: `udp://127.0.0.1:${port}` },
          retention_seconds: WINDOW_S,
        });
        expect(made.status, made.text).toBe(201);
        const id = made.body.id as string;
        const began = Date.now();
        await waitFor(
          'three minutes of recording',
          async () => Date.now() - began >= RUN_MS || undefined,
          RUN_MS + 60_000,
        );
        const stopped = await server.post<Doc>(`/recordings/${id}/stop`, {});
        const flows = stopped.body.flow_ids as { video: string; audio: string[] };
        await waitFor('the job stopped', async () => {
          const j = (await server.get<Doc>(`/recordings/${id}`)).body;
          return j.state === 'stopped' || undefined;
        });
        const kept = new Set<string>();
        for (const flowId of [flows.video, ...flows.audio]) {
          const segments = await allSegments(server, flowId);
          for (const s of segments) kept.add(s.object_id);
          const first = parseTimeRange(segments[0]?.timerange as string).start as bigint;
          const last = parseTimeRange(segments.at(-1)?.timerange as string).end as bigint;
          const span = Number(last - first) / 1e9;
          process.stdout.write(
            `loop recorder: ${flowId === flows.video ? 'video' : 'audio'} keeps ${span} s\n`,
          );
          // The window and at most the segment (2 s) straddling its start.
          expect(span, flowId).toBeGreaterThanOrEqual(WINDOW_S);
          expect(span, flowId).toBeLessThanOrEqual(WINDOW_S + 2);
        }
        // The objects of the segments let go are collected: the media directory holds no other.
        await waitFor(
          'the let-go objects collected',
          async () => {
            const files = [flows.video, ...flows.audio].flatMap((flowId) => {
              try {
                return readdirSync(join(data.path, 'media', flowId)).filter((f) => !f.includes('~'));
              } catch {
                return [];
              }
            });
            return files.every((f) => kept.has(f)) && files.length === kept.size ? files : undefined;
          },
          120_000,
        );
      } finally {
        await killChild(sender);
      }
    },
    RUN_MS + 300_000,
  );
});
