/**
 * The embedded engine's segment indexes under a memory budget far too small for every Flow:
 * Flows are loaded on use and the least recently used dropped, and every answer stays what the
 * database says, whether the Flow's index is loaded, being loaded, or dropped (pages, timerange
 * filters, reverse order, overlap refusals, deletions, writes), with reads running concurrently
 * with the evictions. Only where the store has the cache (the embedded engine).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.ts';
import { expectError } from '../http/fixtures.ts';
import { parseMetrics, value } from '../ops/prom.ts';
import {
  accelerated,
  addSegments,
  droppedFlow,
  expectedTimeranges,
  expectReadsExact,
  FAST_WORKERS,
  filledFlows,
  indexStats,
  objectIds,
  type Spans,
  secs,
  timeranges,
} from './helpers.ts';

/** Segments per Flow: each Flow's index is ~2.5 KB. */
const N = 40;
/** Room for two Flows' indexes of four. */
const BUDGET = 6_000;

let server: TestServer;
const flows: string[] = [];
/** What each Flow holds. */
const expected: Spans = new Map();

/** The embedded accelerator: this suite runs only where the store keeps segment indexes. */
const accelerator = () => {
  const a = server.runtime.accelerator;
  if (!a) throw new Error('no embedded accelerator');
  return a;
};
const stats = () => indexStats(server);
const holds = (flowId: string) => accelerator().segmentIndexHolds(flowId) === true;
const want = (flowId: string, keep?: (s: [number, number]) => boolean) =>
  expectedTimeranges(expected, flowId, keep);
const evictedFlow = () => droppedFlow(server, flows);

/** Every read the tests compare, for one Flow. */
async function expectExact(flowId: string): Promise<void> {
  await expectReadsExact(server, expected, flowId);
  expect(await timeranges(server, flowId, { timerange: '(60:0_120:0]' })).toEqual(
    want(flowId, ([a, b]) => b > 60 && a <= 120),
  );
  const flow = await server.get<{ timerange?: string }>(`/flows/${flowId}`, {
    query: { include_timerange: true },
  });
  const all = expected.get(flowId) ?? [];
  expect(flow.body.timerange).toBe(secs(all[0]?.[0] ?? 0, all.at(-1)?.[1] ?? 0));
}

describe.skipIf(!accelerated)('segment indexes within a memory budget', () => {
  beforeAll(async () => {
    server = await startServer({ env: FAST_WORKERS, segmentIndexBytes: BUDGET });
    flows.push(...(await filledFlows(server, 4, N, expected)));
    await accelerator().segmentLoadsIdle();
  });
  afterAll(() => server.close());

  it('keeps within the budget by dropping the least recently used Flows', async () => {
    const s = stats();
    expect(s.budget).toBe(BUDGET);
    expect(s.flows).toBeGreaterThan(0);
    expect(s.flows).toBeLessThan(flows.length);
    expect(s.bytes).toBeLessThanOrEqual(BUDGET);
    expect(s.evictions).toBeGreaterThan(0);
  });

  it('answers exactly from the database for a dropped Flow, and from its index once loaded again', async () => {
    const flowId = await evictedFlow();
    const reads = stats().databaseReads;
    await expectExact(flowId);
    expect(stats().databaseReads).toBeGreaterThan(reads);
    await accelerator().segmentLoadsIdle();
    expect(holds(flowId)).toBe(true);
    await expectExact(flowId);
  });

  it('refuses overlapping segments on a dropped Flow, as on a loaded one', async () => {
    const flowId = await evictedFlow();
    const [a] = await objectIds(server, flowId, 1);
    const overlapping = { object_id: a, timerange: '[15:0_25:0)' };
    expect(holds(flowId)).toBe(false);
    expectError(await server.post(`/flows/${flowId}/segments`, overlapping), 400);
    await accelerator().segmentLoadsIdle();
    expect(holds(flowId)).toBe(true);
    expectError(await server.post(`/flows/${flowId}/segments`, overlapping), 400);
    await expectExact(flowId);
  });

  it('applies writes to a dropped Flow: the database has them, and its index when it loads', async () => {
    const flowId = await evictedFlow();
    const ids = await objectIds(server, flowId, 2);
    const end = N * 10;
    expect(holds(flowId)).toBe(false);
    await addSegments(server, flowId, [
      { object_id: ids[0] as string, timerange: secs(end, end + 10) },
      { object_id: ids[1] as string, timerange: secs(end + 10, end + 20) },
    ]);
    expected.get(flowId)?.push([end, end + 10], [end + 10, end + 20]);
    await expectExact(flowId);
    await accelerator().segmentLoadsIdle();
    expect(holds(flowId)).toBe(true);
    await expectExact(flowId);
  });

  it('appends to a dropped Flow without reading its segments or loading it: nothing can overlap past its timerange', async () => {
    const flowId = await evictedFlow();
    const ids = await objectIds(server, flowId, 3);
    const end = expected.get(flowId)?.at(-1)?.[1] as number;
    const before = stats();
    await addSegments(server, flowId, { object_id: ids[0] as string, timerange: secs(end, end + 10) });
    expected.get(flowId)?.push([end, end + 10]);
    const after = stats();
    expect(after.databaseReads).toBe(before.databaseReads);
    expect(after.loads + after.loading).toBe(before.loads);
    expect(holds(flowId)).toBe(false);
    // Within the timerange now: checked against the segments, and refused.
    const overlapping = { object_id: ids[1], timerange: secs(end + 5, end + 15) };
    expectError(await server.post(`/flows/${flowId}/segments`, overlapping), 400);
    expect(stats().databaseReads).toBeGreaterThan(after.databaseReads);
    // Touching the end is not overlapping.
    await addSegments(server, flowId, { object_id: ids[2] as string, timerange: secs(end + 10, end + 20) });
    expected.get(flowId)?.push([end + 10, end + 20]);
    await expectExact(flowId);
  });

  it('deletes from a dropped Flow exactly, and its timerange follows', async () => {
    const flowId = await evictedFlow();
    expect(holds(flowId)).toBe(false);
    // The first two segments go; [15:0 is inside no other.
    const res = await server.delete(`/flows/${flowId}/segments`, { query: { timerange: '[0:0_25:0)' } });
    expect(res.status, res.text).toBe(204);
    expected.set(
      flowId,
      (expected.get(flowId) ?? []).filter(([a]) => a >= 20),
    );
    await expectExact(flowId);
    await accelerator().segmentLoadsIdle();
    await expectExact(flowId);
  });

  it('answers concurrent reads exactly while Flows are loaded and dropped under them', async () => {
    const evictions = stats().evictions;
    const reads = [];
    for (let round = 0; round < 5; round++) {
      for (const flowId of flows) {
        reads.push(
          timeranges(server, flowId, { timerange: '[55:0_125:0)' }).then((got) =>
            expect(got).toEqual(want(flowId, ([a, b]) => b > 55 && a < 125)),
          ),
          timeranges(server, flowId, { reverse_order: true, limit: 3 }).then((got) =>
            expect(got).toEqual(want(flowId).reverse().slice(0, 3)),
          ),
        );
      }
    }
    await Promise.all(reads);
    await accelerator().segmentLoadsIdle();
    expect(stats().evictions).toBeGreaterThan(evictions);
    expect(stats().bytes).toBeLessThanOrEqual(BUDGET);
  });

  it('stays within the budget while every Flow is read once, and /metrics shows it', async () => {
    for (const flowId of flows) {
      await timeranges(server, flowId, { limit: 10 });
      await accelerator().segmentLoadsIdle();
      expect(stats().bytes).toBeLessThanOrEqual(BUDGET);
    }
    const metrics = parseMetrics((await server.get('/metrics')).text);
    expect(value(metrics, 'tams_segment_index_budget_bytes')).toBe(BUDGET);
    expect(value(metrics, 'tams_segment_index_bytes')).toBeLessThanOrEqual(BUDGET);
    expect(value(metrics, 'tams_segment_index_flows')).toBeGreaterThan(0);
    expect(value(metrics, 'tams_segment_index_evictions_total')).toBeGreaterThan(0);
    expect(value(metrics, 'tams_segment_index_loads_total')).toBeGreaterThan(flows.length);
    expect(value(metrics, 'tams_segment_index_load_seconds_total')).toBeGreaterThan(0);
    expect(value(metrics, 'tams_segment_index_database_reads_total')).toBeGreaterThan(0);
    expect(value(metrics, 'tams_segment_index_load_failures_total')).toBe(0);
  });
});
