/**
 * A store with known content for the analytics tests, built through the API on two storage
 * backends (the embedded fs store and S3 on s3rver), on whichever engine the test project runs
 * (DuckDB, or the fake VAST: vitest.config.ts). The server's clock stands still at a chosen time,
 * so that registration times (storage growth) and "now" (live, stalled) are known exactly.
 *
 * Flow L, live video, segments at T0 (an hour boundary on the TAI timeline) + seconds:
 *   [0_10) a1 fs 1000 B   [10_20) a2 fs 2000 B   -- adjacent: one span
 *   [30_40) a3 s3 3000 B                           -- a 10 s gap before it
 *   [40_50) a4 fs, never uploaded (no bytes)
 *   [50_60) a5 fs 500 B
 *   [3600_3610) a2 again (the object reused)       -- in the next hour
 *   [3610_3612) a6 s3 4000 B
 *   and u1 (fs) allocated, never used.  It ends 120 s before the clock's now (TAI).
 * Flow F, audio on a file timeline: [0_1) b1 s3 100, [1_2) b2 s3 100, [2_3] b3 fs 300 (an
 *   inclusive end), [3:1_4:0) b4 fs 50 (a segment start is always inclusive: between the two
 *   lies the one-nanosecond gap (3:0_3:1)), and [10_11) b5 fs 70, deleted after sizing.
 * Flow G, data: [0_5) a1 (L's object, shared).   Flow E, video: no segments.
 */

import { afterAll, beforeAll, expect } from 'vitest';
import { analyticsFeature } from '../../src/analytics/analytics.feature.ts';
import { SHARED_TOPOLOGY } from '../../src/db/topology.ts';
import { fsBackendEntry, type S3TestServer, s3BackendEntry, startS3Server } from '../helpers/s3.server.ts';
import type { TestServer } from '../helpers/server.ts';
import { audioFlow, createFlow, dataFlow, videoFlow } from '../http/fixtures.ts';
import { type AllocatedObject, addSegments, allocate, upload } from '../segments/helpers.ts';

export const FS_ID = '0a0a0a0a-0000-4000-8000-00000000f500';
export const S3_ID = '0b0b0b0b-0000-4000-8000-000000000053';
/** Flow ids in the order /analytics/segments/durations?group_by=flow lists them. */
export const L = '10000000-0000-4000-8000-00000000000a';
export const F = '20000000-0000-4000-8000-00000000000b';
export const G = '30000000-0000-4000-8000-00000000000c';
export const E = '40000000-0000-4000-8000-00000000000d';

export interface Fixture {
  server: S3TestServer;
  /** Hour-aligned TAI seconds: Flow L's timeline origin. */
  t0: bigint;
  /** The server's clock (it never moves). */
  clock: Date;
  objects: Record<string, string>;
  /** `[t0+a:0_t0+b:0)` and friends. */
  at(seconds: number): string;
  close(): Promise<void>;
}

const bytes = (n: number) => Buffer.alloc(n, 7);

/** Where the fixture's server runs besides the project's engine (test/postgres/), and its time. */
export interface FixtureOptions {
  /** A data directory for the server (its engine then opens from the settings, as in production). */
  dataDir?: string;
  /** Settings added to the server's (TAMS_DB and its engine's). */
  env?: Record<string, string>;
  /** Wall-clock milliseconds the timeline is laid out from (two stores built alike: the same). */
  nowMs?: number;
}

export async function buildFixture(options: FixtureOptions = {}): Promise<Fixture> {
  const nowTai = BigInt(Math.floor((options.nowMs ?? Date.now()) / 1000)) + 37n;
  const t0 = (nowTai / 3600n - 3n) * 3600n;
  // L ends at t0 + 3612 s; "now" (TAI) is 120 s later; UTC is 37 s behind TAI.
  const clock = new Date(Number(t0 + 3612n + 120n - 37n) * 1000);
  const server = await startS3Server({
    clock: { now: () => clock },
    workers: false,
    dataDir: options.dataDir,
    env: { TAMS_ANALYTICS: 'true', ...options.env },
    backends: (s3) => [
      fsBackendEntry({ id: FS_ID }),
      s3BackendEntry(s3, 'media', { id: S3_ID, label: 's3' }),
    ],
  });
  const api = server.server;
  await createFlow(api, videoFlow({ id: L, label: 'live camera' }));
  await createFlow(api, audioFlow({ id: F, label: 'file audio' }));
  await createFlow(api, dataFlow({ id: G, label: 'data' }));
  await createFlow(api, videoFlow({ id: E, label: 'empty' }));

  const objects: Record<string, string> = {};
  const take = async (flow: string, storage: string, names: string[]) => {
    const allocated = await allocate(api, flow, { limit: names.length, storage_id: storage });
    const byName = new Map<string, AllocatedObject>();
    names.forEach((name, i) => {
      const o = allocated[i] as AllocatedObject;
      objects[name] = o.object_id;
      byName.set(name, o);
    });
    return byName;
  };
  const lFs = await take(L, FS_ID, ['a1', 'a2', 'a4', 'a5', 'u1']);
  const lS3 = await take(L, S3_ID, ['a3', 'a6']);
  const fS3 = await take(F, S3_ID, ['b1', 'b2']);
  const fFs = await take(F, FS_ID, ['b3', 'b4', 'b5']);
  const sizes: [Map<string, AllocatedObject>, string, number][] = [
    [lFs, 'a1', 1000],
    [lFs, 'a2', 2000],
    [lS3, 'a3', 3000],
    [lFs, 'a5', 500],
    [lS3, 'a6', 4000],
    [fS3, 'b1', 100],
    [fS3, 'b2', 100],
    [fFs, 'b3', 300],
    [fFs, 'b4', 50],
    [fFs, 'b5', 70],
  ];
  for (const [map, name, n] of sizes) await upload(map.get(name) as AllocatedObject, bytes(n));

  const at = (s: number) => `${t0 + BigInt(s)}:0`;
  const o = (name: string) => objects[name] as string;
  // L first: its segments register a1 before G's does.
  await addSegments(api, L, [
    { object_id: o('a1'), timerange: `[${at(0)}_${at(10)})` },
    { object_id: o('a2'), timerange: `[${at(10)}_${at(20)})` },
    { object_id: o('a3'), timerange: `[${at(30)}_${at(40)})` },
    { object_id: o('a4'), timerange: `[${at(40)}_${at(50)})` },
    { object_id: o('a5'), timerange: `[${at(50)}_${at(60)})` },
    { object_id: o('a2'), timerange: `[${at(3600)}_${at(3610)})` },
    { object_id: o('a6'), timerange: `[${at(3610)}_${at(3612)})` },
  ]);
  await addSegments(api, F, [
    { object_id: o('b1'), timerange: '[0:0_1:0)' },
    { object_id: o('b2'), timerange: '[1:0_2:0)' },
    { object_id: o('b3'), timerange: '[2:0_3:0]' },
    { object_id: o('b4'), timerange: '[3:1_4:0)' },
    { object_id: o('b5'), timerange: '[10:0_11:0)' },
  ]);
  await addSegments(api, G, [{ object_id: o('a1'), timerange: '[0:0_5:0)' }]);

  await sizeEverything(server);
  const deleted = await api.delete(`/flows/${F}/segments`, { query: { timerange: '[10:0_11:0)' } });
  if (deleted.status !== 204) throw new Error(`DELETE segment: ${deleted.status} ${deleted.text}`);
  // b5's size goes as the follower comes to its deletion in the outbox.
  await sizeEverything(server);
  return { server, t0, clock, objects, at, close: () => server.close() };
}

/** Steps the object size follower until it has followed every event. */
export async function sizeEverything(server: S3TestServer): Promise<void> {
  const analytics = server.server.runtime.features.get(analyticsFeature);
  if (analytics === undefined) throw new Error('analytics are off');
  const quiet = { info: () => {}, warn: () => {}, error: () => {} };
  const follower = analytics.follower.create(quiet, 'analytics-test', SHARED_TOPOLOGY);
  while (await follower.step()) {
    // Each step sizes a batch; false once no event is left.
  }
  await follower.release();
}

/**
 * The fixture of one test file: built before its tests and closed after them, with its API,
 * `tr(a, b)` for `[t0+a:0_t0+b:0)` (other marks by `open` and `close`), and `get`, which expects 200.
 */
export function fileFixture() {
  let built: Fixture | undefined;
  beforeAll(async () => {
    built = await buildFixture();
  });
  afterAll(async () => {
    await built?.close();
  });
  const fixture = (): Fixture => {
    if (built === undefined) throw new Error('the analytics fixture is built in beforeAll');
    return built;
  };
  const api = (): TestServer => fixture().server.server;
  return {
    fixture,
    api,
    tr: (a: number, b: number, open = '[', close = ')') =>
      `${open}${fixture().at(a)}_${fixture().at(b)}${close}`,
    get: async <T>(path: string, query: Record<string, string | number> = {}) => {
      const res = await api().get<T>(path, { query });
      expect(res.status, res.text).toBe(200);
      return res;
    },
  };
}
