import type { Analytics } from '../../db/analytics/analytics.ts';
import type { AggregateQuery, AnalyticsJoin, AnalyticsRow } from '../../db/analytics/analytics.types.ts';
import type { ColumnGroup } from '../../db/db.types.ts';
import { and, col } from '../../db/predicate.ts';
import { T } from '../../store/tables.ts';
import type { TimeRange } from '../../time/index.ts';
import { bigOr0, count, text, within } from './reports.window.ts';

const DURATION = { sub: [{ col: 'seg_end' }, { col: 'seg_start' }] } as const;
/**
 * Distinct durations up to which the percentiles are taken from a histogram (duration, count)
 * read here, instead of having the database sort every duration: segment durations are set by
 * encoders, so a Flow has a handful of them (the 10M bench set one: 0.1 s instead of 0.45-0.8 s
 * for every segment). Past it, the database's quantiles. Both give the same figures.
 */
export const HISTOGRAM_MAX = 10_000;

/** Which segments a durations report reads: one Flow's, or those of the Flows a filter selects. */
export interface SegmentScope {
  flowId?: string;
  /** Flow filters (exact values), pushed down to the flows table. */
  format?: string;
  codec?: string;
  sourceId?: string;
  /** Segments whose start lies in it. */
  window: TimeRange;
}

export interface DurationFigures {
  segments: number;
  /** Nearest-rank percentiles of end - start (nanoseconds), in the order asked. */
  percentiles: (bigint | null)[];
  min: bigint | null;
  max: bigint | null;
  /** Sum of the durations (the mean's numerator). */
  sum: bigint;
}

export interface FlowDurations extends DurationFigures {
  flowId: string;
}

function scopeInput(scope: SegmentScope): { where: ColumnGroup[]; joins: AnalyticsJoin[] } {
  const where = [...within('seg_start', scope.window)];
  if (scope.flowId !== undefined) where.push(col('flow_id').eq(scope.flowId));
  const filters = [
    scope.format !== undefined && col('format').eq(scope.format),
    scope.codec !== undefined && col('codec').eq(scope.codec),
    scope.sourceId !== undefined && col('source_id').eq(scope.sourceId),
  ];
  const joins: AnalyticsJoin[] = filters.some(Boolean)
    ? [
        {
          as: 'f',
          input: { table: T.flows, columns: ['id'], where: and(...filters) },
          on: ['flow_id', 'id'],
          kind: 'semi',
        },
      ]
    : [];
  return { where, joins };
}

/**
 * The rank of the nearest-rank percentile q of n values, as DuckDB's quantile_disc takes it:
 * n - ⌊n - n·q⌋ (the ⌈n·q⌉-th smallest, the first for q = 0). A fraction written as a decimal
 * (the compiler writes it so into the SQL, where DuckDB reads a DECIMAL) is computed exactly in
 * integers, as DuckDB does: 0.07 of 3000 is the 210th, where doubles make 0.07 × 3000 210.00…03.
 */
export function rankOf(q: number, n: number): number {
  const decimal = /^(\d+)(?:\.(\d+))?$/.exec(String(q));
  if (decimal === null) return Math.max(1, n - Math.floor(n - n * q));
  const digits = decimal[2] ?? '';
  const scale = 10n ** BigInt(digits.length);
  const scaled = BigInt(`${decimal[1]}${digits}`);
  const count = BigInt(n);
  const floored = (count * scale - count * scaled) / scale;
  return Math.max(1, Number(count - floored));
}

/** Figures from a histogram: (duration, count) pairs in increasing duration. */
export function fromHistogram(pairs: readonly [bigint, number][], at: readonly number[]): DurationFigures {
  const n = pairs.reduce((total, [, k]) => total + k, 0);
  if (n === 0) return { segments: 0, percentiles: at.map(() => null), min: null, max: null, sum: 0n };
  const percentiles = at.map((q) => {
    const rank = rankOf(q, n);
    let seen = 0;
    for (const [d, k] of pairs) {
      seen += k;
      if (seen >= rank) return d;
    }
    return (pairs[pairs.length - 1] as [bigint, number])[0];
  });
  return {
    segments: n,
    percentiles,
    min: (pairs[0] as [bigint, number])[0],
    max: (pairs[pairs.length - 1] as [bigint, number])[0],
    sum: pairs.reduce((total, [d, k]) => total + d * BigInt(k), 0n),
  };
}

function quantileFigures(r: AnalyticsRow | undefined): DurationFigures {
  const q = r?.q;
  const min = r?.min;
  const max = r?.max;
  return {
    segments: count(r, 'segments'),
    percentiles: Array.isArray(q) ? q.map((v) => (typeof v === 'bigint' ? v : null)) : [],
    min: typeof min === 'bigint' ? min : null,
    max: typeof max === 'bigint' ? max : null,
    sum: bigOr0(r, 'total'),
  };
}

/**
 * Figures per group (`perFlow`: by Flow, else one group ''): from the histogram when it has at
 * most `cap` rows, else from the database's quantiles.
 */
async function figures(
  analytics: Analytics,
  from: AggregateQuery['from'],
  joins: AnalyticsJoin[],
  at: readonly number[],
  perFlow: boolean,
  cap: number,
): Promise<Map<string, DurationFigures>> {
  const group = perFlow ? { flow_id: { col: 'flow_id' } } : undefined;
  const histogram = await analytics.aggregate({
    kind: 'aggregate',
    from,
    joins,
    groupBy: { ...group, d: DURATION },
    measures: { n: { fn: 'count' } },
    orderBy: [...(perFlow ? [{ by: 'flow_id' }] : []), { by: 'd' }],
    limit: cap + 1,
  });
  const out = new Map<string, DurationFigures>();
  if (histogram.length <= cap) {
    const pairs = new Map<string, [bigint, number][]>();
    for (const r of histogram) {
      const key = perFlow ? (text(r, 'flow_id') ?? '') : '';
      const list = pairs.get(key) ?? [];
      list.push([r.d as bigint, count(r, 'n')]);
      pairs.set(key, list);
    }
    for (const [key, list] of pairs) out.set(key, fromHistogram(list, at));
    return out;
  }
  const rows = await analytics.aggregate({
    kind: 'aggregate',
    from,
    joins,
    ...(group !== undefined && { groupBy: group }),
    measures: {
      segments: { fn: 'count' },
      q: { fn: 'quantiles', of: DURATION, at },
      min: { fn: 'min', of: DURATION },
      max: { fn: 'max', of: DURATION },
      total: { fn: 'sum', of: DURATION },
    },
  });
  for (const r of rows) out.set(perFlow ? (text(r, 'flow_id') ?? '') : '', quantileFigures(r));
  return out;
}

/**
 * Segment durations (end - start) over the scope: exact nearest-rank percentiles `at`, min, max
 * and sum, across the scope, or per Flow (paged by Flow id) with `perFlow`.
 */
export async function segmentDurations(
  analytics: Analytics,
  scope: SegmentScope,
  at: readonly number[],
  perFlow?: { after?: string; limit: number },
  cap = HISTOGRAM_MAX,
): Promise<{ across?: DurationFigures; flows?: FlowDurations[]; next?: string }> {
  const { where, joins } = scopeInput(scope);
  const from = (extra: ColumnGroup[]) => ({
    table: T.segments,
    columns: ['flow_id', 'seg_start', 'seg_end'],
    where: and(...where, ...extra),
  });
  if (perFlow === undefined) {
    const across = (await figures(analytics, from([]), joins, at, false, cap)).get('');
    return { across: across ?? fromHistogram([], at) };
  }
  // The page's Flows first (a count per Flow after the cursor), then the figures of theirs alone.
  const after = perFlow.after !== undefined ? [col('flow_id').gt(perFlow.after)] : [];
  const ids = await analytics.aggregate({
    kind: 'aggregate',
    from: from(after),
    joins,
    groupBy: { flow_id: { col: 'flow_id' } },
    measures: { n: { fn: 'count' } },
    orderBy: [{ by: 'flow_id' }],
    limit: perFlow.limit + 1,
  });
  const page = ids.slice(0, perFlow.limit).map((r) => text(r, 'flow_id') ?? '');
  if (page.length === 0) return { flows: [] };
  const byFlow = await figures(analytics, from([col('flow_id').in(page)]), joins, at, true, cap);
  const flows = page.map((flowId) => ({ flowId, ...(byFlow.get(flowId) ?? fromHistogram([], at)) }));
  const last = page[page.length - 1];
  return { flows, ...(ids.length > perFlow.limit && last !== undefined && { next: last }) };
}
