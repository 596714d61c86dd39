/**
 * QueryData bodies stay under VAST's limit at 60,000 ids (`vast` project only:
 * test/helpers/vast.mode.ts). The fake refuses a QueryData body over 5 MiB, as VAST's clients
 * say the cluster's buffers do (fake.limits.ts), and keeps the largest it saw. `tams-mgmt clean
 * --flow` of a Flow with 60,000 objects and the housekeeping of 60,000 abandoned allocations
 * look rows up by `in` lists of up to 50,000 UUIDs, 7.4 MB as one query: the engine sends them in
 * parts under the SDK's 0.9 x 5 MiB (vast.split.ts), and the right rows go.
 *
 * Rows are seeded in bulk through the store (one transaction, bodies sliced by the engine) and
 * segments registered 5,000 to a POST.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_QUERY_BYTES } from '../../src/db/engines/vast/vast.split.ts';
import type { ObjectRecord } from '../../src/store/objects.repo.ts';
import { T } from '../../src/store/tables.ts';
import type { FakeVast } from '../../tools/vast-fake/fake.server.ts';
import { SLOW_TEST_MS } from '../helpers/deadlines.ts';
import { startServer, type TestServer, tempDir } from '../helpers/server.ts';
import { sharedFakeVast, vastModeEnv } from '../helpers/vast.mode.ts';
import { createFlow, videoFlow } from '../http/fixtures.ts';
import { mgmt, openStore } from '../mgmt/fixture.ts';
import { addSegments, allocate, contiguous } from '../segments/helpers.ts';

const N = 60_000;
/** Segments per POST when registering. */
const PER_POST = 5_000;

let vast: FakeVast;
const dirs: { remove(): void }[] = [];
beforeAll(async () => {
  vast = await sharedFakeVast();
});
afterAll(() => {
  for (const d of dirs) d.remove();
});

/** The settings of a server or tams-mgmt on the store of data directory `dir`. */
async function storeEnv(dir: string, extra: Record<string, string> = {}): Promise<Record<string, string>> {
  return {
    ...(await vastModeEnv(dir, extra)),
    TAMS_DATA_DIR: dir,
    TAMS_AUTH: 'none',
    TAMS_LOG_LEVEL: 'silent',
    ...extra,
  };
}

const COUNTED = [T.flows, T.segments, T.objectRefs, T.objects, T.allocations, T.mediaGc];

/** Rows of the tables the clean changes, read by a runtime of its own on the store of `env`. */
async function counts(env: Record<string, string>): Promise<Record<string, number>> {
  const runtime = await openStore(env);
  try {
    const out: Record<string, number> = {};
    for (const table of COUNTED) out[table] = await runtime.db.count(table);
    return out;
  } finally {
    await runtime.close();
  }
}

/** No QueryData so far was over the SDK's limit, and the fake refused none. */
function expectBoundedQueries(): void {
  expect(vast.limits.refused.queries).toBe(0);
  expect(vast.limits.largestQueryBody).toBeGreaterThan(0);
  expect(vast.limits.largestQueryBody).toBeLessThanOrEqual(MAX_QUERY_BYTES);
}

describe('tams-mgmt clean --flow of a Flow with 60,000 objects', () => {
  it('removes the Flow, its segments, references and objects, no query over the limit', {
    timeout: SLOW_TEST_MS,
  }, async () => {
    const dir = tempDir('tams-bounded-clean-');
    dirs.push(dir);
    const env = await storeEnv(dir.path);
    let server: TestServer | undefined = await startServer({ dataDir: dir.path, workers: false, env });
    const flowId = (await createFlow(server, videoFlow({ label: 'big' }))).id as string;
    const keep = (await createFlow(server, videoFlow({ label: 'kept' }))).id as string;
    try {
      // One object allocated through the API names the backend; 60,000 more like it, in bulk.
      const [first] = await allocate(server, flowId, { limit: 1 });
      const allocated = await server.runtime.store.objects.get(first?.object_id as string);
      const records: ObjectRecord[] = [];
      for (let i = 0; i < N; i++) {
        const id = randomUUID();
        records.push({
          id,
          storage_id: allocated?.storage_id,
          storage_path: `${flowId}/${id}`,
          allocated_for: flowId,
          created: new Date(),
          registered: false,
        });
      }
      await server.runtime.store.transaction((tx) => tx.objects.insertMany(records));
      const ids = records.map((r) => r.id);
      for (let i = 0; i < N; i += PER_POST) {
        await addSegments(server, flowId, contiguous(ids.slice(i, i + PER_POST), i * 2, 2));
      }
      // Another Flow reuses one of them: that object stays.
      await addSegments(server, keep, contiguous([ids[0] as string], 0, 2));
      await server.close();
      server = undefined;

      const before = await counts(env);
      expect(before[T.segments]).toBe(N + 1);
      vast.limits.refused.queries = 0;
      vast.limits.largestQueryBody = 0;
      const run = await mgmt(env, 'clean', '--flow', flowId, '--yes');
      expect(run.code, run.err).toBe(0);
      expectBoundedQueries();

      const after = await counts(env);
      expect(after[T.flows]).toBe((before[T.flows] ?? 0) - 1);
      expect(after[T.segments]).toBe(1);
      expect(after[T.objectRefs]).toBe(1);
      // Every object of the Flow but the reused one, and the one allocated and never used.
      expect(after[T.objects]).toBe((before[T.objects] ?? 0) - N);
      expect(after[T.allocations]).toBe(0);
      expect(after[T.mediaGc]).toBe((before[T.mediaGc] ?? 0) + N);
    } finally {
      await server?.close();
    }
  });
});

describe('housekeeping of 60,000 abandoned allocations', () => {
  it('releases them in batches, keeps the young ones, no query over the limit', {
    timeout: SLOW_TEST_MS,
  }, async () => {
    const dir = tempDir('tams-bounded-allocations-');
    dirs.push(dir);
    const env = await storeEnv(dir.path, {
      TAMS_WORKER_IDLE_MS: '50',
      TAMS_UNUSED_OBJECT_GRACE_SECONDS: '3600',
    });
    vast.limits.refused.queries = 0;
    vast.limits.largestQueryBody = 0;
    const server = await startServer({ dataDir: dir.path, env });
    try {
      const flowId = (await createFlow(server, videoFlow({ label: 'abandoned uploads' }))).id as string;
      const old = new Date(Date.now() - 2 * 86_400_000);
      // Allocations without bytes in a backend: the test is about rows, not byte deletion.
      const record = (created: Date): ObjectRecord => ({
        id: randomUUID(),
        allocated_for: flowId,
        created,
        registered: false,
      });
      const abandoned = Array.from({ length: N }, () => record(old));
      const young = Array.from({ length: 10 }, () => record(new Date()));
      await server.runtime.store.transaction((tx) => tx.objects.insertMany([...abandoned, ...young]));

      await expect
        .poll(() => server.runtime.db.count(T.allocations), { timeout: SLOW_TEST_MS / 2 })
        .toBe(young.length);
      const left = await server.runtime.db.select(T.objects, { columns: ['id'] });
      expect(new Set(left.map((r) => r.id))).toEqual(new Set(young.map((r) => r.id)));
      expectBoundedQueries();
    } finally {
      await server.close();
    }
  });
});
