import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Analytics } from '../../db/analytics/analytics.ts';
import { openAnalytics, openEngine } from '../../db/engine.factory.ts';
import { TableManager } from '../../db/manager.ts';
import { storeTables, T } from '../../store/tables.ts';
import { TimeRange } from '../../time/index.ts';
import { fromHistogram, rankOf, segmentDurations } from './reports.durations.ts';

/**
 * Segment durations two ways, which must agree: percentiles from a histogram read back (few
 * distinct durations, the usual case), and the database's quantiles (many).
 */
let manager: TableManager;
let analytics: Analytics;

const FLOWS = [
  'a0000000-0000-4000-8000-000000000001',
  'b0000000-0000-4000-8000-000000000002',
  'c0000000-0000-4000-8000-000000000003',
];

beforeAll(async () => {
  manager = await TableManager.open(
    await openEngine(
      {
        TAMS_DB: 'duckdb',
        TAMS_DATA_DIR: tmpdir(),
        TAMS_DUCKDB_MEMORY_LIMIT: 'auto',
        TAMS_DUCKDB_THREADS: 2,
        TAMS_DUCKDB_CHECKPOINT_MB: 64,
      },
      { memory: true },
    ),
    storeTables,
  );
  // Deterministic pseudo-random durations: repeated values, and a long tail.
  let seed = 7;
  const next = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed;
  };
  const rows = [];
  for (let i = 0; i < 3000; i++) {
    const flow = FLOWS[i % 3] as string;
    const d = BigInt(next() % 7 === 0 ? next() % 5_000_000 : 2_000_000_000 + (next() % 3) * 40_000_000);
    const start = BigInt(i) * 10_000_000_000n;
    rows.push({
      flow_id: flow,
      seg_start: start,
      seg_end: start + d,
      seg_start_incl: true,
      seg_end_incl: false,
      object_id: `o${i}`,
    });
  }
  await manager.insert(T.segments, rows);
  analytics = openAnalytics(manager);
});
afterAll(async () => {
  await analytics?.close();
  await manager?.close();
});

describe('segment durations', () => {
  const at = [0, 0.07, 0.5, 0.9, 0.99, 1];
  it('agree from a histogram and from the database quantiles, across and per Flow', async () => {
    const scope = { window: TimeRange.ETERNITY };
    const histogram = await segmentDurations(analytics, scope, at);
    const sorted = await segmentDurations(analytics, scope, at, undefined, 0);
    expect(histogram).toEqual(sorted);
    expect(histogram.across?.segments).toBe(3000);
    const perFlow = await segmentDurations(analytics, scope, at, { limit: 2 });
    expect(perFlow).toEqual(await segmentDurations(analytics, scope, at, { limit: 2 }, 0));
    expect(perFlow.flows?.map((f) => f.flowId)).toEqual(FLOWS.slice(0, 2));
    expect(perFlow.next).toBe(FLOWS[1]);
    const rest = await segmentDurations(analytics, scope, at, { limit: 2, after: perFlow.next as string });
    expect(rest.flows?.map((f) => f.flowId)).toEqual([FLOWS[2]]);
    expect(rest.next).toBeUndefined();
  });

  it('takes the ⌈q·n⌉-th smallest value', () => {
    expect([0, 0.25, 0.5, 0.9, 0.99, 1].map((q) => rankOf(q, 10))).toEqual([1, 3, 5, 9, 10, 10]);
    const figures = fromHistogram(
      [
        [1n, 4],
        [2n, 1],
        [5n, 1],
        [10n, 6],
      ],
      [0.5, 0.9, 0.99],
    );
    expect(figures).toEqual({ segments: 12, percentiles: [5n, 10n, 10n], min: 1n, max: 10n, sum: 71n });
  });
});
