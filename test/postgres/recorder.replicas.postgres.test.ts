/**
 * A recording job on three tams-server processes sharing one real PostgreSQL database (and one
 * media directory, as postgres.replicas.test.ts): an HLS live playlist that every replica can
 * read (UDP unicast reaches one host only: a takeover needs multicast there); the replica running
 * the job is killed with SIGKILL; another takes the job over once its lease
 * lapses and records on, on the same clock (one ts_offset throughout). Each of the job's Flows
 * has at most one gap where the replica died, of the lease and one segment at most, and no
 * overlap; the gap's length is printed (docs/recorder.md, "Replicas and failures").
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseTimeRange } from '../../src/time/index.ts';
import {
  type PostgresServer,
  postgresAvailable,
  startPostgres,
} from '../../tools/postgres/postgres.server.ts';
import { killChild, type spawnChild } from '../helpers/children.ts';
import { SLOW_TEST_MS } from '../helpers/deadlines.ts';
import { Replicas } from '../helpers/replicas.ts';
import { tempDir } from '../helpers/server.ts';
import { ffmpegAvailable } from '../hls/hls.media.ts';
import type { Doc } from '../http/fixtures.ts';
import type { ChildServer } from '../ops/child.ts';
import { makeSource, serveHls, writeHls } from '../recorder/recorder.media.ts';
import { waitFor } from '../segments/helpers.ts';

const available = postgresAvailable() && ffmpegAvailable();
const media = tempDir('tams-pg-recorder-media-');
const LEASE_SECONDS = 5;

describe.skipIf(!available)('a recording job on three replicas of one PostgreSQL database', () => {
  let server: PostgresServer;
  let replicas: Replicas;
  let writer: ReturnType<typeof spawnChild> | undefined;
  let http: Awaited<ReturnType<typeof serveHls>> | undefined;
  const source = join(media.path, 'live.ts');

  beforeAll(async () => {
    await makeSource(source, 60);
    server = await startPostgres();
    replicas = await Replicas.start(3, {
      TAMS_DB: 'postgres',
      TAMS_POSTGRES_URL: server.url,
      TAMS_POSTGRES_SCHEMA: 'recorder',
      TAMS_MEDIA_DIR: join(media.path, 'media'),
      TAMS_SEARCH: 'false',
      TAMS_EXR: 'false',
      TAMS_ANALYTICS: 'false',
      TAMS_RECORDER: 'true',
      TAMS_WORKER_IDLE_MS: '100',
      TAMS_WORKER_LEASE_SECONDS: String(LEASE_SECONDS),
      TAMS_RECORDER_ALLOW: '127.0.0.1',
      TAMS_RECORDER_WORK_DIR: join(media.path, 'work'),
    });
  }, SLOW_TEST_MS);
  afterAll(async () => {
    if (writer) await killChild(writer);
    await http?.close();
    await replicas?.close();
    await server?.close();
    media.remove();
  });

  let seen: Doc | undefined;
  const job = async (id: string) => {
    seen = (await replicas.send('GET', `/recordings/${id}`)).body as Doc;
    return seen;
  };
  const segments = async (flowId: string) => {
    const res = await replicas.send('GET', `/flows/${flowId}/segments?limit=1000`);
    return (res.body as Doc[]).map((s) => parseTimeRange(s.timerange as string));
  };

  it(
    'is taken over by another replica when the one running it is killed: on its clock, no overlap',
    async () => {
      const dir = join(media.path, 'hls');
      mkdirSync(dir, { recursive: true });
      writer = writeHls(source, dir);
      const served = await serveHls(dir);
      http = served;
      await waitFor(
        'the live playlist',
        async () => (await fetch(`${served.url}/live.m3u8`)).ok || undefined,
        60_000,
      );
      const made = await replicas.send('POST', '/recordings', { source: { url: `${served.url}/live.m3u8` } });
      expect(made.status, made.text).toBe(201);
      const id = (made.body as Doc).id as string;
      const first = await waitFor(
        'three video segments on the first replica',
        async () => {
          const j = await job(id);
          const video = (j.flow_ids as Doc).video as string | undefined;
          if (video === undefined || typeof j.replica !== 'string') return undefined;
          return (await segments(video)).length >= 3 ? j : undefined;
        },
        90_000,
      ).catch((error: unknown) => {
        throw new Error(`${String(error)}; the job: ${JSON.stringify(seen)}`);
      });
      const video = (first.flow_ids as Doc).video as string;
      const flows = [video, ...((first.flow_ids as Doc).audio as string[])];
      const victim = replicas.byOwner(first.replica as string) as ChildServer;
      expect(victim).toBeDefined();
      await replicas.kill(victim);
      const before = (await segments(video)).length;

      const taken = await waitFor(
        'the job recording on another replica, three segments on',
        async () => {
          const j = await job(id);
          if (typeof j.replica !== 'string' || j.replica === first.replica) return undefined;
          return (await segments(video)).length >= before + 3 ? j : undefined;
        },
        90_000,
      ).catch((error: unknown) => {
        throw new Error(`${String(error)}; the job: ${JSON.stringify(seen)}`);
      });
      expect(taken.restarts).toBeGreaterThanOrEqual(1);
      for (const flowId of flows) {
        const ranges = await segments(flowId);
        const gaps: bigint[] = [];
        for (let i = 1; i < ranges.length; i++) {
          const gap = (ranges[i]?.start as bigint) - (ranges[i - 1]?.end as bigint);
          expect(gap, `${flowId}: segment ${i} overlaps the one before`).toBeGreaterThanOrEqual(0n);
          if (gap > 0n) gaps.push(gap);
        }
        // One gap at most, of the lease and one segment at most (the bound): the replica
        // taking over goes on with the dead one's clock and reads the playlist again from where
        // its last segment ended, so what is lost is what the playlist no longer lists.
        expect(gaps.length, flowId).toBeLessThanOrEqual(1);
        const gap = gaps[0] ?? 0n;
        expect(Number(gap), flowId).toBeLessThanOrEqual((LEASE_SECONDS + 2) * 1e9);
        process.stdout.write(
          `recorder takeover: ${flowId === video ? 'video' : 'audio'} gap ${Number(gap) / 1e9} s (lease ${LEASE_SECONDS} s, segments 2 s)\n`,
        );
      }
      // Placed on the dead replica's clock: every video segment's media time maps to the Flow's by
      // the same ts_offset, before the takeover and after.
      const offsets = ((await replicas.send('GET', `/flows/${video}/segments?limit=1000`)).body as Doc[]).map(
        (s) => s.ts_offset ?? '0:0',
      );
      expect(new Set(offsets).size).toBe(1);
      expect((await replicas.send('DELETE', `/recordings/${id}`)).status).toBe(204);
    },
    SLOW_TEST_MS,
  );
});
