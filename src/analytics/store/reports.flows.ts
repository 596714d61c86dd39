import type { Analytics } from '../../db/analytics/analytics.ts';
import type {
  AggregateQuery,
  AnalyticsJoin,
  AnalyticsRow,
  Interval,
  IslandsResult,
  Measure,
} from '../../db/analytics/analytics.types.ts';
import { and, col } from '../../db/predicate.ts';
import { T } from '../../store/tables.ts';
import { TimeRange } from '../../time/index.ts';
import { AT } from './analytics.tables.ts';
import { bigOr0, bigOrNull, count, mayOverlap, within } from './reports.window.ts';

const RANGE = ['seg_start', 'seg_end', 'seg_start_incl', 'seg_end_incl'];
const DURATION = { sub: [{ col: 'seg_end' }, { col: 'seg_start' }] } as const;
/** An object's size: from the Flow's own size rows, else from those of objects it shares. */
const SIZE = {
  coalesce: [
    { col: 'size', from: 'z' },
    { col: 'size', from: 's' },
  ],
} as const;
const OBJECT = { col: 'object_id' } as const;

/** A Flow's segments and the objects they reference, as one bucket or the whole window holds them. */
export interface UsageFigures {
  segments: number;
  /** Sum of the segments' lengths (end - start), nanoseconds. */
  duration: bigint;
  /** Distinct objects the segments reference. */
  objects: number;
  /** Bytes of those of them whose size is known (each object once). */
  bytes: bigint;
  /** Of the objects, those with no known size yet (or whose backend had no bytes). */
  unsized: number;
}

export interface UsageBucket extends UsageFigures {
  /** The bucket's start on the media timeline, nanoseconds. */
  start: bigint;
}

export interface FlowUsage {
  totals: UsageFigures;
  /** The window's first and last segments (by start). */
  first?: TimeRange;
  last?: TimeRange;
  buckets: UsageBucket[];
  /** The next bucket's start when there are more. */
  next?: bigint;
}

/** The measures both the totals and each bucket have. */
const FIGURES: Record<string, Measure> = {
  segments: { fn: 'count' },
  duration: { fn: 'sum', of: DURATION },
  objects: { fn: 'countDistinct', of: OBJECT },
  // Each object once per bucket: an object some segments share weighs its size once.
  bytes: { fn: 'sum', of: SIZE, distinctOn: OBJECT },
  unsized: { fn: 'countDistinct', of: OBJECT, where: { isNull: SIZE } },
};

function figures(row: AnalyticsRow | undefined): UsageFigures {
  return {
    segments: count(row, 'segments'),
    duration: bigOr0(row, 'duration'),
    objects: count(row, 'objects'),
    bytes: bigOr0(row, 'bytes'),
    unsized: count(row, 'unsized'),
  };
}

function segmentAt(row: AnalyticsRow | undefined, which: 'first' | 'last'): TimeRange | undefined {
  const start = bigOrNull(row, `${which}_start`);
  const end = bigOrNull(row, `${which}_end`);
  if (start === null || end === null) return undefined;
  return TimeRange.fromBounds(start, end, row?.[`${which}_si`] === true, row?.[`${which}_ei`] === true);
}

/** Objects the Flow uses that another Flow registered first (their size rows are attributed there). */
async function sharedObjects(analytics: Analytics, flowId: string): Promise<string[]> {
  const rows = await analytics.aggregate({
    kind: 'aggregate',
    from: {
      table: T.objectRefs,
      columns: ['object_id'],
      where: and(col('flow_id').eq(flowId), col('first').eq(false)),
    },
    groupBy: { object_id: { col: 'object_id' } },
    measures: { n: { fn: 'count' } },
  });
  return rows.map((r) => r.object_id as string);
}

/**
 * A Flow's usage over `window` (segments whose start lies in it), with the same figures per
 * bucket of `bucketNs` on the media timeline (a segment's bucket is where it starts), paged by
 * bucket start. Totals and buckets come from one snapshot (the shared objects, from the one before).
 */
export async function flowUsage(
  analytics: Analytics,
  flowId: string,
  window: TimeRange,
  bucketNs: bigint,
  page: { after?: bigint; limit: number },
): Promise<FlowUsage> {
  const from = {
    table: T.segments,
    columns: [...RANGE, 'object_id'],
    where: and(col('flow_id').eq(flowId), ...within('seg_start', window)),
  };
  // Sizes are found among the rows attributed to this Flow (a filter on one column, where a join
  // with every size row probes millions: 0.5-0.7 s on 10M), and among those of the objects it
  // shares with a Flow that registered them first (its `object_refs` rows not marked first:
  // none, or few, but for a Flow edited by reference).
  const shared = await sharedObjects(analytics, flowId);
  const sizes: AnalyticsJoin[] = [
    {
      as: 'z',
      input: { table: AT.sizes, columns: ['object_id', 'size'], where: and(col('flow_id').eq(flowId)) },
      on: ['object_id', 'object_id'],
      kind: 'left',
    },
    {
      as: 's',
      input: { table: AT.sizes, columns: ['object_id', 'size'], where: and(col('object_id').in(shared)) },
      on: ['object_id', 'object_id'],
      kind: 'left',
    },
  ];
  const ends: Record<string, Measure> = {};
  for (const [which, fn] of [
    ['first', 'argMin'],
    ['last', 'argMax'],
  ] as const) {
    for (const [suffix, column] of [
      ['start', 'seg_start'],
      ['end', 'seg_end'],
      ['si', 'seg_start_incl'],
      ['ei', 'seg_end_incl'],
    ] as const) {
      ends[`${which}_${suffix}`] = { fn, of: { col: column }, by: { col: 'seg_start' } };
    }
  }
  const totals: AggregateQuery = {
    kind: 'aggregate',
    from,
    joins: sizes,
    measures: { ...FIGURES, ...ends },
  };
  const buckets: AggregateQuery = {
    kind: 'aggregate',
    from,
    joins: sizes,
    groupBy: { start: { floor: { col: 'seg_start' }, step: bucketNs } },
    measures: FIGURES,
    orderBy: [{ by: 'start' }],
    ...(page.after !== undefined && { after: { by: 'start', value: page.after } }),
    limit: page.limit + 1,
  };
  const [t, b] = await analytics.run([totals, buckets]);
  const totalRow = t?.kind === 'aggregate' ? t.rows[0] : undefined;
  const rows = b?.kind === 'aggregate' ? b.rows : [];
  const more = rows.length > page.limit;
  const list = rows.slice(0, page.limit).map((r) => ({ start: bigOr0(r, 'start'), ...figures(r) }));
  const first = segmentAt(totalRow, 'first');
  const last = segmentAt(totalRow, 'last');
  return {
    totals: figures(totalRow),
    ...(first !== undefined && { first }),
    ...(last !== undefined && { last }),
    buckets: list,
    ...(more && list.length > 0 && { next: (list[list.length - 1] as UsageBucket).start }),
  };
}

/**
 * A Flow's timeline over `window` as islands (analytics.types.ts IslandsQuery): covered spans cut
 * to the window, holes no longer than `bridge` bridged, paged by span start. The segments read are
 * those that may overlap the window (pushed down); the cut makes it exact.
 */
export function flowIslands(
  analytics: Analytics,
  flowId: string,
  window: TimeRange,
  bridge: bigint | undefined,
  page: { after?: bigint; limit: number },
): Promise<IslandsResult> {
  return analytics.islands({
    kind: 'islands',
    from: {
      table: T.segments,
      columns: RANGE,
      where: and(col('flow_id').eq(flowId), ...mayOverlap(window)),
    },
    interval: { start: 'seg_start', end: 'seg_end', startIncl: 'seg_start_incl', endIncl: 'seg_end_incl' },
    ...(bridge !== undefined && { bridge }),
    ...(!window.isEternity() && {
      clip: {
        start: window.start,
        end: window.end,
        startIncl: window.startInclusive,
        endIncl: window.endInclusive,
      },
    }),
    ...(page.after !== undefined && { after: page.after }),
    limit: page.limit,
  });
}

export type { Interval };
