import {
  DuckDBListValue,
  type DuckDBMaterializedResult,
  DuckDBStructValue,
  DuckDBTimestampValue,
  type DuckDBValue,
} from '@duckdb/node-api';
import type {
  AnalyticsRow,
  AnalyticsValue,
  Interval,
  IslandsResult,
} from '../../analytics/analytics.types.ts';
import { DbError } from '../../db.errors.ts';
import type { Value } from '../../db.types.ts';
import { readRows } from './duckdb.values.ts';

/** A scalar result value as the manager's types: TIMESTAMP as Date (microseconds floored). */
function scalar(v: DuckDBValue): Value {
  if (v === null || typeof v !== 'object') return v as Value;
  if (v instanceof DuckDBTimestampValue) {
    let ms = v.micros / 1000n;
    if (v.micros < 0n && ms * 1000n !== v.micros) ms -= 1n;
    return new Date(Number(ms));
  }
  // The compiler casts sums and counts, so no DECIMAL or other wrapper is expected here.
  return String(v);
}

function value(v: DuckDBValue): AnalyticsValue {
  if (v instanceof DuckDBListValue) {
    return v.items.map((item) => {
      const s = scalar(item);
      return typeof s === 'bigint' || typeof s === 'number' || s === null ? s : Number(s);
    });
  }
  return scalar(v);
}

/** An aggregate's rows, keyed by its output names in order. */
export function aggregateRows(result: DuckDBMaterializedResult, names: readonly string[]): AnalyticsRow[] {
  const rows: AnalyticsRow[] = [];
  for (let ci = 0; ci < result.chunkCount; ci++) {
    const chunk = result.getChunk(ci);
    const columns = names.map((_, c) => chunk.getColumnValues(c));
    for (let r = 0; r < chunk.rowCount; r++) {
      const row: AnalyticsRow = {};
      names.forEach((name, c) => {
        row[name] = value((columns[c] as DuckDBValue[])[r] ?? null);
      });
      rows.push(row);
    }
  }
  return rows;
}

function interval(v: DuckDBValue): Interval | undefined {
  if (v === null) return undefined;
  if (!(v instanceof DuckDBStructValue)) throw new DbError('invalid_value', 'islands: expected a struct');
  const { s, e, si, ei } = v.entries;
  return { start: s as bigint, end: e as bigint, startIncl: si === true, endIncl: ei === true };
}

/** The one row of islandsSql. */
export function islandsResult(result: DuckDBMaterializedResult, limit: number): IslandsResult {
  const [row] = readRaw(result);
  if (row === undefined) throw new DbError('invalid_value', 'islands: no result row');
  const [page, islands, first, last, covered, holes, intervals] = row;
  const spans = page instanceof DuckDBListValue ? page.items.map((s) => interval(s) as Interval) : [];
  const next = spans.length > limit ? spans.pop() : undefined;
  const firstSpan = interval(first ?? null);
  const lastSpan = interval(last ?? null);
  return {
    spans,
    ...(next !== undefined && { next }),
    islands: Number(islands),
    ...(firstSpan !== undefined && { first: firstSpan }),
    ...(lastSpan !== undefined && { last: lastSpan }),
    covered: covered as bigint,
    holes: holes as bigint,
    intervals: Number(intervals),
  };
}

function readRaw(result: DuckDBMaterializedResult): DuckDBValue[][] {
  const rows: DuckDBValue[][] = [];
  for (let ci = 0; ci < result.chunkCount; ci++) {
    const chunk = result.getChunk(ci);
    for (const row of chunk.getRows()) rows.push(row);
  }
  return rows;
}

/** The rows a COPY wrote (its result is one row holding the count). */
export function copiedRows(result: DuckDBMaterializedResult): number {
  const [row] = readRows(result, ['count']);
  return Number(row?.count ?? result.rowsChanged);
}
