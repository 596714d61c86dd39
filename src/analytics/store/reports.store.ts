import type { Analytics } from '../../db/analytics/analytics.ts';
import type {
  AggregateQuery,
  AnalyticsResult,
  AnalyticsRow,
  TruncUnit,
} from '../../db/analytics/analytics.types.ts';
import { and, col } from '../../db/predicate.ts';
import { T } from '../../store/tables.ts';
import { AT } from './analytics.tables.ts';
import { bigOr0, count, text } from './reports.window.ts';

/**
 * Objects, their bytes and those of unknown size (see `unsized` below), for one storage backend,
 * one Flow format (keyed '' when the Flow that registered the objects is gone), or the store.
 */
export interface StorageFigures {
  objects: number;
  /** Bytes of the objects whose size is known. */
  bytes: bigint;
  /**
   * Objects whose size is not known: external (no backend), missing from their backend when
   * asked, or registered since the size follower last ran.
   */
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
  /** Objects segments use, in each backend. */
  backends: Map<string, StorageFigures>;
  /** Objects segments use, by the format of the Flow that registered each (as the follower saw it). */
  formats: Map<string, StorageFigures>;
  /** Every object segments use: the backends' and the external ones. */
  totals: StorageFigures;
  growth: StorageGrowth[];
  /** Objects allocated by /storage and never used by a segment: released after the grace period. */
  allocatedUnused: number;
  /** Released objects whose bytes the media worker has not deleted yet. */
  awaitingDeletion: number;
}

const SIZE = { col: 'size' } as const;
const SIZED = {
  n: { fn: 'count' },
  sized: { fn: 'count', where: { isNotNull: SIZE } },
  bytes: { fn: 'sum', of: SIZE },
} as const;
const count1 = (from: AggregateQuery['from'], groupBy?: AggregateQuery['groupBy']): AggregateQuery => ({
  kind: 'aggregate',
  from,
  ...(groupBy !== undefined && { groupBy }),
  measures: { n: { fn: 'count' } },
});
const BY_STORAGE = { storage_id: { col: 'storage_id' } } as const;

/**
 * The objects segments use, per backend (null: external objects): the objects table's rows less
 * the allocations no segment has used yet, which are no Flow's media yet. Those are the
 * allocations per backend less the ones used already (rows housekeeping has not tidied yet): the
 * references semi-joined with the few allocation rows, each one's backend from its allocation
 * row. The references are the main input on purpose: DuckDB hashes the allocations and filters
 * the scan of the references by their range, and object ids are time-ordered, so it reads the
 * newest row groups only (10M references, 1,500 allocations: 3 ms; the allocations as the main
 * input, an anti join with the references: 450 ms).
 */
function objectQueries(): AggregateQuery[] {
  const allocations = { table: T.allocations, columns: ['object_id', 'storage_id'] };
  const allocated = { n: { fn: 'countDistinct', of: { col: 'object_id' } } } as const;
  return [
    count1({ table: T.objects, columns: ['storage_id'] }, BY_STORAGE),
    { kind: 'aggregate', from: allocations, groupBy: BY_STORAGE, measures: allocated },
    {
      kind: 'aggregate',
      from: { table: T.objectRefs, columns: ['object_id'] },
      joins: [
        {
          as: 'u',
          input: { table: T.allocations, columns: ['object_id'] },
          on: ['object_id', 'object_id'],
          kind: 'semi',
        },
        { as: 'a', input: allocations, on: ['object_id', 'object_id'], kind: 'left' },
      ],
      groupBy: { storage_id: { col: 'storage_id', from: 'a' } },
      measures: allocated,
    },
  ];
}

/** Per backend: objects segments use, and allocations none uses yet (the first three results). */
function objectsByBackend(rows: AnalyticsRow[][]): { objects: Map<string, number>; unused: number } {
  const [objects = [], allocated = [], used = []] = rows;
  const out = new Map<string, number>();
  const addTo = (key: string, n: number) => out.set(key, (out.get(key) ?? 0) + n);
  let unused = 0;
  for (const r of objects) addTo(text(r, 'storage_id') ?? '', count(r, 'n'));
  for (const r of allocated) {
    addTo(text(r, 'storage_id') ?? '', -count(r, 'n'));
    unused += count(r, 'n');
  }
  for (const r of used) {
    addTo(text(r, 'storage_id') ?? '', count(r, 'n'));
    unused -= count(r, 'n');
  }
  return { objects: out, unused };
}

/**
 * The storage report's queries, one scan of each big table at most: objects per backend (objects,
 * less the unused allocations), sizes per backend and registration bucket over all time
 * (object_sizes: a row per backend and day or hour, from which the backends' bytes, the store's
 * and the growth since `since` are summed here), sizes per Flow (the Flow that registered each
 * object), the Flows' formats (small), the GC queue. Per format is summed here from the per-Flow
 * rows: a join of millions of rows with the Flows table cost as much again as the scan (0.3-0.4 s
 * per table on 10M rows).
 */
function queries(unit: TruncUnit): AggregateQuery[] {
  return [
    ...objectQueries(),
    {
      kind: 'aggregate',
      from: { table: AT.sizes, columns: ['storage_id', 'size', 'registered'] },
      groupBy: { ...BY_STORAGE, start: { trunc: { col: 'registered' }, unit } },
      measures: SIZED,
      orderBy: [{ by: 'storage_id' }, { by: 'start' }],
    },
    {
      kind: 'aggregate',
      from: { table: AT.sizes, columns: ['flow_id', 'size'] },
      groupBy: { flow_id: { col: 'flow_id' } },
      measures: SIZED,
    },
    {
      kind: 'aggregate',
      from: { table: T.flows, columns: ['id', 'format'] },
      groupBy: { id: { col: 'id' } },
      measures: { format: { fn: 'max', of: { col: 'format' } } },
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

const rowsOf = (results: AnalyticsResult[]) => results.map((r) => (r.kind === 'aggregate' ? r.rows : []));

/**
 * The storage report: objects per backend (the objects table, less the allocations no segment
 * has used) and bytes per backend (the size table, each object once, as recorded by the size
 * follower), the store's totals (external objects too), the same per format of the Flow that
 * registered them (from the size table: objects the follower has recorded), growth per backend
 * and wall-clock bucket since `since` (objects the follower recorded then: a backfilled size has
 * no registration time), and what awaits collection. One snapshot.
 */
export async function storageReport(
  analytics: Analytics,
  since: Date | undefined,
  unit: TruncUnit,
): Promise<StorageReport> {
  const rows = rowsOf(await analytics.run(queries(unit)));
  const [, , , buckets = [], perFlow = [], flows = [], gc = []] = rows;
  const inUse = objectsByBackend(rows);
  const formatOf = new Map(flows.map((r) => [text(r, 'id') ?? '', text(r, 'format') ?? '']));
  const backends = new Map<string, StorageFigures>();
  const formats = new Map<string, StorageFigures>();
  const totals = new Map<string, StorageFigures>();
  for (const [id, n] of inUse.objects) {
    add(totals, '', n, 0, 0n);
    // External objects (no backend) are in the totals only.
    if (id !== '') add(backends, id, n, 0, 0n);
  }
  for (const r of perFlow) {
    add(
      formats,
      formatOf.get(text(r, 'flow_id') ?? '') ?? '',
      count(r, 'n'),
      count(r, 'sized'),
      bigOr0(r, 'bytes'),
    );
  }
  const growth: StorageGrowth[] = [];
  for (const r of buckets) {
    const id = text(r, 'storage_id');
    add(totals, '', 0, count(r, 'sized'), bigOr0(r, 'bytes'));
    if (id === null) continue;
    add(backends, id, 0, count(r, 'sized'), bigOr0(r, 'bytes'));
    const start = r.start;
    if (!(start instanceof Date) || (since !== undefined && start < since)) continue;
    growth.push({
      storageId: id,
      start,
      objects: count(r, 'n'),
      bytes: bigOr0(r, 'bytes'),
      unsized: count(r, 'n') - count(r, 'sized'),
    });
  }
  return {
    backends: settle(backends),
    formats: settle(formats),
    totals: settle(totals).get('') ?? { objects: 0, bytes: 0n, unsized: 0 },
    growth,
    allocatedUnused: inUse.unused,
    awaitingDeletion: count(gc[0], 'n'),
  };
}

/** The store's totals alone (top's store-wide figure): every object segments use. */
export async function storeTotals(analytics: Analytics): Promise<StorageFigures> {
  const rows = rowsOf(
    await analytics.run([
      ...objectQueries(),
      { kind: 'aggregate', from: { table: AT.sizes, columns: ['size'] }, measures: SIZED },
    ]),
  );
  const objects = [...objectsByBackend(rows).objects.values()].reduce((n, v) => n + v, 0);
  const sizes = rows[3]?.[0];
  return {
    objects,
    bytes: bigOr0(sizes, 'bytes'),
    unsized: Math.max(0, objects - count(sizes, 'sized')),
  };
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
