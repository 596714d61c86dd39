import type { Analytics } from '../../db/analytics/analytics.ts';
import type { AggregateQuery, TruncUnit } from '../../db/analytics/analytics.types.ts';
import { and, col } from '../../db/predicate.ts';
import { T } from '../tables.ts';
import { AT } from './analytics.tables.ts';
import { bigOr0, count, text } from './reports.window.ts';

/**
 * Objects and bytes of one storage backend, or of one Flow format (keyed '' when the Flow that
 * registered an object is gone).
 */
export interface StorageFigures {
  objects: number;
  /** Bytes of the objects whose size is known. */
  bytes: bigint;
  /** Objects whose size is not known (not looked up yet, or no bytes in the backend). */
  unsized: number;
}

export interface StorageGrowth {
  storageId: string;
  /** Start of the bucket (UTC, wall clock: when the objects were registered). */
  start: Date;
  objects: number;
  bytes: bigint;
  unsized: number;
}

export interface StorageReport {
  backends: Map<string, StorageFigures>;
  formats: Map<string, StorageFigures>;
  growth: StorageGrowth[];
  /** Objects allocated by /storage and never used by a segment: released after the grace period. */
  allocatedUnused: number;
  /** Released objects whose bytes the media worker has not deleted yet. */
  awaitingDeletion: number;
}

const SIZE = { col: 'size' } as const;
const count1 = (from: AggregateQuery['from'], groupBy?: AggregateQuery['groupBy']): AggregateQuery => ({
  kind: 'aggregate',
  from,
  ...(groupBy !== undefined && { groupBy }),
  measures: { n: { fn: 'count' } },
});

/**
 * The storage report's queries, one scan of each big table at most: objects per backend (objects),
 * sizes per backend and registration bucket over all time (object_sizes: a row per backend and
 * day or hour, from which both the totals and the growth since `since` are summed here), sizes per
 * Flow, first registrations per Flow (object_refs), the Flows' formats (small), allocations and
 * those used, the GC queue. Per format is summed here from the per-Flow rows: a join of millions
 * of rows with the Flows table cost as much again as the scan (0.3-0.4 s per table on 10M rows).
 */
function queries(unit: TruncUnit): AggregateQuery[] {
  const sized = {
    n: { fn: 'count' },
    sized: { fn: 'count', where: { isNotNull: SIZE } },
    bytes: { fn: 'sum', of: SIZE },
  } as const;
  return [
    count1(
      { table: T.objects, columns: ['storage_id'], where: and(col('storage_id').isNotNull()) },
      {
        storage_id: { col: 'storage_id' },
      },
    ),
    {
      kind: 'aggregate',
      from: { table: AT.sizes, columns: ['storage_id', 'size', 'registered'] },
      groupBy: { storage_id: { col: 'storage_id' }, start: { trunc: { col: 'registered' }, unit } },
      measures: sized,
      orderBy: [{ by: 'storage_id' }, { by: 'start' }],
    },
    {
      kind: 'aggregate',
      from: { table: AT.sizes, columns: ['flow_id', 'size'] },
      groupBy: { flow_id: { col: 'flow_id' } },
      measures: sized,
    },
    count1(
      { table: T.objectRefs, columns: ['flow_id'], where: and(col('first').eq(true)) },
      {
        flow_id: { col: 'flow_id' },
      },
    ),
    {
      kind: 'aggregate',
      from: { table: T.flows, columns: ['id', 'format'] },
      groupBy: { id: { col: 'id' } },
      measures: { format: { fn: 'max', of: { col: 'format' } } },
    },
    {
      kind: 'aggregate',
      from: { table: T.allocations, columns: ['object_id'] },
      measures: { n: { fn: 'countDistinct', of: { col: 'object_id' } } },
    },
    // Allocations used already (rows housekeeping has not tidied yet): the references of those
    // objects, found by their ids (a hash of the few allocations, probed by the references).
    {
      kind: 'aggregate',
      from: { table: T.objectRefs, columns: ['object_id'] },
      joins: [
        {
          as: 'a',
          input: { table: T.allocations, columns: ['object_id'] },
          on: ['object_id', 'object_id'],
          kind: 'semi',
        },
      ],
      measures: { n: { fn: 'countDistinct', of: { col: 'object_id' } } },
    },
    count1({ table: T.mediaGc, columns: ['object_id'], where: and(col('deleted').isNull()) }),
  ];
}

function add(into: Map<string, StorageFigures>, key: string, objects: number, sized: number, bytes: bigint) {
  const entry = into.get(key) ?? { objects: 0, bytes: 0n, unsized: 0 };
  entry.objects += objects;
  entry.bytes += bytes;
  // Counted as sized for now; unsized = objects - sized once every row is in.
  entry.unsized += sized;
  into.set(key, entry);
}

/** `unsized` held the sized count while adding up: now the objects without a known size. */
function settle(figures: Map<string, StorageFigures>): Map<string, StorageFigures> {
  for (const entry of figures.values()) entry.unsized = Math.max(0, entry.objects - entry.unsized);
  return figures;
}

/**
 * The storage report: objects per backend (the objects table) and bytes per backend (the size
 * table, each object once, as recorded by the size follower), the same per format of the Flow
 * that registered them, growth per backend and wall-clock bucket since `since` (objects the
 * follower recorded then: a backfilled size has no registration time), and what awaits
 * collection. One snapshot.
 */
export async function storageReport(
  analytics: Analytics,
  since: Date | undefined,
  unit: TruncUnit,
): Promise<StorageReport> {
  const results = await analytics.run(queries(unit));
  const rows = results.map((r) => (r.kind === 'aggregate' ? r.rows : []));
  const [
    objects = [],
    buckets = [],
    perFlow = [],
    firsts = [],
    flows = [],
    allocated = [],
    used = [],
    gc = [],
  ] = rows;
  const formatOf = new Map(flows.map((r) => [text(r, 'id') ?? '', text(r, 'format') ?? '']));
  const backends = new Map<string, StorageFigures>();
  const formats = new Map<string, StorageFigures>();
  for (const r of objects) add(backends, text(r, 'storage_id') ?? '', count(r, 'n'), 0, 0n);
  for (const r of firsts) add(formats, formatOf.get(text(r, 'flow_id') ?? '') ?? '', count(r, 'n'), 0, 0n);
  for (const r of perFlow) {
    add(formats, formatOf.get(text(r, 'flow_id') ?? '') ?? '', 0, count(r, 'sized'), bigOr0(r, 'bytes'));
  }
  const growth: StorageGrowth[] = [];
  for (const r of buckets) {
    add(backends, text(r, 'storage_id') ?? '', 0, count(r, 'sized'), bigOr0(r, 'bytes'));
    const start = r.start;
    if (!(start instanceof Date) || (since !== undefined && start < since)) continue;
    growth.push({
      storageId: text(r, 'storage_id') ?? '',
      start,
      objects: count(r, 'n'),
      bytes: bigOr0(r, 'bytes'),
      unsized: count(r, 'n') - count(r, 'sized'),
    });
  }
  return {
    backends: settle(backends),
    formats: settle(formats),
    growth,
    allocatedUnused: Math.max(0, count(allocated[0], 'n') - count(used[0], 'n')),
    awaitingDeletion: count(gc[0], 'n'),
  };
}

/** Objects with a backend, and how many of them have a known size (store-wide). */
export async function sizeCoverage(analytics: Analytics): Promise<{ objects: number; sized: number }> {
  const [objects, sized] = await analytics.run([
    count1({ table: T.objects, columns: ['storage_id'], where: and(col('storage_id').isNotNull()) }),
    count1({ table: AT.sizes, columns: ['size'], where: and(col('size').isNotNull()) }),
  ]);
  const n = (r: typeof objects) => (r?.kind === 'aggregate' ? count(r.rows[0], 'n') : 0);
  return { objects: n(objects), sized: n(sized) };
}

/** Size rows whose object is gone (a deletion that raced the follower), at most `limit` ids. */
export async function orphanSizes(analytics: Analytics, limit: number): Promise<string[]> {
  const rows = await analytics.aggregate({
    kind: 'aggregate',
    from: { table: AT.sizes, columns: ['object_id'] },
    joins: [{ as: 'o', input: { table: T.objects, columns: ['id'] }, on: ['object_id', 'id'], kind: 'anti' }],
    groupBy: { object_id: { col: 'object_id' } },
    measures: { n: { fn: 'count' } },
    orderBy: [{ by: 'object_id' }],
    limit,
  });
  return rows.map((r) => text(r, 'object_id') ?? '').filter((id) => id !== '');
}
