/**
 * tams_store_transaction_conflicts_total (`vast` project only): two servers on one VAST schema
 * change one Flow at the same time, so the fake refuses some of their commits (another
 * transaction changed the row first) and the store runs those transactions again. Each server
 * counts the refusals it met on /metrics; together they count every one the database made.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeVast } from '../../tools/vast-fake/fake.server.ts';
import { startServer, type TestServer, tempDir } from '../helpers/server.ts';
import { sharedFakeVast } from '../helpers/vast.mode.ts';
import { parseMetrics, value } from '../ops/prom.ts';
import { newFlow } from '../segments/helpers.ts';

const METRIC = 'tams_store_transaction_conflicts_total';
let a: TestServer;
let b: TestServer;
let vast: FakeVast;
const data = tempDir('tams-conflicts-metric-');
beforeAll(async () => {
  vast = await sharedFakeVast();
  // One data directory: one VAST schema for both (test/helpers/vast.mode.ts); no workers, so
  // that the only transactions are the requests'.
  a = await startServer({ dataDir: data.path, workers: false });
  b = await startServer({ dataDir: data.path, workers: false });
});
afterAll(async () => {
  vast.faults.clear();
  await a?.close();
  await b?.close();
  data.remove();
});

async function counted(server: TestServer): Promise<number> {
  const res = await fetch(`${server.url}/metrics`);
  expect(res.status).toBe(200);
  return value(parseMetrics(await res.text()), METRIC) ?? Number.NaN;
}

describe('tams_store_transaction_conflicts_total', () => {
  it('counts every commit the database refused because the other server changed the row first', async () => {
    const flowId = await newFlow(a);
    const before = (await counted(a)) + (await counted(b));
    const refused = vast.stats.conflicts;
    // 20 ms per round trip: each server's transaction spans the other's, so both read the Flow's
    // row before either commits and one commit of each pair is refused.
    vast.faults.latencyMs = 20;
    try {
      for (let round = 0; round < 4; round++) {
        const answers = await Promise.all([
          a.put(`/flows/${flowId}/label`, `"a ${round}"`),
          b.put(`/flows/${flowId}/description`, `"b ${round}"`),
        ]);
        expect(answers.map((r) => r.status)).toEqual([204, 204]);
      }
    } finally {
      vast.faults.latencyMs = 0;
    }
    const byDatabase = vast.stats.conflicts - refused;
    expect(byDatabase, 'commits refused by the database').toBeGreaterThan(0);
    expect((await counted(a)) + (await counted(b)) - before).toBe(byDatabase);
  });
});
