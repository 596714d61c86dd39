import type { ColumnDef, ColumnType, Predicate, Value } from '../db.types.ts';

/**
 * Analytic queries over the engine's tables (the design card's db/analytics: aggregations, time
 * series, percentiles, top values, time-range analysis), as data rather than SQL, for the same
 * reason the manager's predicates are data: everything above db/ stays engine-neutral, and SQL
 * lives only in db/engines/. The DuckDB engine runs them as SQL on its own tables; any other
 * engine (VAST) runs them as "hybrid analytics": it fetches the inputs' columns, filtered by
 * their predicates where the data is, and aggregates them in an in-process DuckDB.
 *
 * Each input is one table's columns under a predicate the engines push down (db.types.ts), so a
 * report names exactly what it reads: VAST sends only those columns of those rows.
 */

/** One input relation: a table's columns, filtered by a predicate the engine pushes down. */
export interface AnalyticsInput {
  readonly table: string;
  readonly columns: readonly string[];
  readonly where?: Predicate;
}

/**
 * A value expression over the inputs' columns. `from` names a join's alias (default: the main
 * input). Integer arithmetic stays exact (never a double: nanosecond timestamps, ~1.7e18, do not
 * survive one), and sums and differences are wider than int64 where they need to be.
 */
export type Expr =
  | { readonly col: string; readonly from?: string }
  /** a - b of two int64s, exact (it may lie beyond int64: the ends of the range apart). */
  | { readonly sub: readonly [Expr, Expr] }
  /**
   * The largest multiple of `step` not above the value (floors negatives too), int64: where that
   * multiple lies below the int64 minimum, the minimum itself.
   */
  | { readonly floor: Expr; readonly step: bigint }
  /** A timestamp truncated (UTC) to the start of its minute, hour or day. */
  | { readonly trunc: Expr; readonly unit: TruncUnit }
  /** The first of the values that is not null (all of one type). */
  | { readonly coalesce: readonly Expr[] };

export type TruncUnit = 'minute' | 'hour' | 'day';

/** A row condition of a measure: counts only the rows where the value is (not) null. */
export type Condition = { readonly isNull: Expr } | { readonly isNotNull: Expr };

/**
 * An aggregate. `distinctOn`: each distinct value of that expression counts once per group (the
 * first row met), e.g. the bytes of the distinct objects a group's segments reference.
 * `quantiles` are exact nearest-rank percentiles: for q, the smallest value v such that at least
 * q·n of the n values are ≤ v (DuckDB's quantile_disc).
 */
export type Measure =
  | { readonly fn: 'count'; readonly where?: Condition }
  | { readonly fn: 'countDistinct'; readonly of: Expr; readonly where?: Condition }
  | {
      readonly fn: 'sum' | 'min' | 'max';
      readonly of: Expr;
      readonly distinctOn?: Expr;
      readonly where?: Condition;
    }
  | { readonly fn: 'quantiles'; readonly of: Expr; readonly at: readonly number[] }
  | { readonly fn: 'argMin' | 'argMax'; readonly of: Expr; readonly by: Expr };

/**
 * A join of the main input with another, on one column each. `left`: every main row, with the
 * joined row's columns (null without one); the joined input must have at most one row per key.
 * `semi` / `anti`: only the main rows that have (have no) joined row.
 */
export interface AnalyticsJoin {
  readonly as: string;
  readonly input: AnalyticsInput;
  readonly on: readonly [main: string, joined: string];
  readonly kind: 'left' | 'semi' | 'anti';
}

export interface OrderKey {
  /** An output name: a group key or a measure. */
  readonly by: string;
  readonly direction?: 'asc' | 'desc';
}

/** Groups and measures: one output row per group (one row without groups, even with no input). */
export interface AggregateQuery {
  readonly kind: 'aggregate';
  readonly from: AnalyticsInput;
  readonly joins?: readonly AnalyticsJoin[];
  readonly groupBy?: Readonly<Record<string, Expr>>;
  readonly measures: Readonly<Record<string, Measure>>;
  readonly orderBy?: readonly OrderKey[];
  /** Keyset paging: only output rows whose `by` is past `value` in `orderBy`'s first direction. */
  readonly after?: { readonly by: string; readonly value: Value };
  readonly limit?: number;
}

/** The four columns holding an interval (start and end, and whether each is included). */
export interface IntervalColumns {
  readonly start: string;
  readonly end: string;
  readonly startIncl: string;
  readonly endIncl: string;
}

/**
 * Time-range analysis: the input's intervals (which must not overlap, as a Flow's segments do
 * not) merged into islands. Two consecutive intervals join when the hole between them is empty
 * (`[0_10)` and `[10_20)`, or `(0_10]` and `(10_20)`), or, with `bridge`, when it is no longer
 * than `bridge`. A hole holding one instant (`[0_10)` then `(10_20)`) is not empty: it has length
 * 0, bridged by any `bridge`.
 */
export interface IslandsQuery {
  readonly kind: 'islands';
  readonly from: AnalyticsInput;
  readonly interval: IntervalColumns;
  readonly bridge?: bigint;
  /**
   * Only what lies inside this range counts: intervals are cut to it (their parts outside it,
   * and intervals wholly outside it, dropped) before islands form. A null bound is unbounded.
   */
  readonly clip?: Bounds;
  /**
   * Paging: the islands whose start is greater than this. Two islands never start at the same
   * value: an instant `[t]` followed by `(t_…)` is one island.
   */
  readonly after?: bigint;
  readonly limit: number;
}

export type AnalyticsQuery = AggregateQuery | IslandsQuery;

/** A range that may be unbounded on either side (null), with each bound's inclusivity. */
export interface Bounds {
  readonly start: bigint | null;
  readonly end: bigint | null;
  readonly startIncl: boolean;
  readonly endIncl: boolean;
}

export interface Interval {
  readonly start: bigint;
  readonly end: bigint;
  readonly startIncl: boolean;
  readonly endIncl: boolean;
}

/** A result value: scalars as the manager's (bigint for integers), lists for quantiles. */
export type AnalyticsValue = Value | readonly (bigint | number | null)[];
export type AnalyticsRow = Record<string, AnalyticsValue>;

export interface IslandsResult {
  /** The page: up to `limit` islands in timeline order, after `after`. */
  readonly spans: Interval[];
  /** The island after the page, when there is one (the next page starts there). */
  readonly next?: Interval;
  /** Over every island, not only the page. */
  readonly islands: number;
  /** The first and last island (the whole timeline's ends); absent without any interval. */
  readonly first?: Interval;
  readonly last?: Interval;
  /** Sum of the intervals' lengths (end - start). */
  readonly covered: bigint;
  /** Sum of the lengths of the holes between consecutive islands. */
  readonly holes: bigint;
  /** Intervals read. */
  readonly intervals: number;
}

export type AnalyticsResult =
  | { readonly kind: 'aggregate'; readonly rows: AnalyticsRow[] }
  | { readonly kind: 'islands'; readonly result: IslandsResult };

/** A table's rows (or some), for an export. */
export interface ExportQuery {
  readonly from: AnalyticsInput;
  readonly orderBy?: readonly { readonly column: string; readonly direction?: 'asc' | 'desc' }[];
  readonly limit?: number;
}

export type ExportFormat = 'parquet' | 'csv';

/** An input as engines receive it: the manager has checked it and resolved the column types. */
export interface EngineInput {
  readonly table: string;
  readonly columns: readonly ColumnDef[];
  /** Values in the engine's representation (the manager converted them). */
  readonly where?: Predicate;
}

/** The queries as engines receive them: every input resolved (see EngineInput). */
export type EngineQuery =
  | (Omit<AggregateQuery, 'from' | 'joins'> & {
      readonly from: EngineInput;
      readonly joins?: readonly (Omit<AnalyticsJoin, 'input'> & { readonly input: EngineInput })[];
    })
  | (Omit<IslandsQuery, 'from'> & { readonly from: EngineInput });

export interface EngineExport extends Omit<ExportQuery, 'from'> {
  readonly from: EngineInput;
}

/**
 * What an engine implements for analytics (db.types.ts Engine.analytics). The DuckDB engine runs
 * them on its tables through connections of their own, never the writer's, so a report never
 * holds ingest up; engines without one get the hybrid executor from the engine factory.
 */
export interface AnalyticsEngine {
  /** Runs the queries on one snapshot of the data; their results in order. */
  query(batch: readonly EngineQuery[]): Promise<AnalyticsResult[]>;
  /**
   * Writes the rows to a new file at `path` (Parquet or CSV with a header), appending as it goes,
   * so a reader can follow the file while it grows. Resolves with the rows written.
   */
  exportTo(query: EngineExport, format: ExportFormat, path: string): Promise<{ rows: number }>;
  close(): Promise<void>;
}

/**
 * An engine that runs analytics itself (the DuckDB engine, on its own tables). Not a member of
 * Engine (db.types.ts) so that the engine contract does not depend on this file; the engine
 * factory looks for it and gives other engines the hybrid executor.
 */
export interface AnalyticsCapable {
  readonly analytics: AnalyticsEngine;
}

/** The type an expression yields (checked by the manager, used by engines to stage data). */
export type ExprType = ColumnType;
