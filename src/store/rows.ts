import type { Row, Value } from '../db/db.types.ts';
import { TimeRange } from '../time/index.ts';

/** Column readers: the table manager returns null for missing values; records use undefined. */
export function str(row: Row, column: string): string | undefined {
  const v = row[column];
  return typeof v === 'string' ? v : undefined;
}

export function reqStr(row: Row, column: string): string {
  const v = row[column];
  if (typeof v !== 'string') throw new Error(`column ${column} is not a string`);
  return v;
}

export function num(row: Row, column: string): number | undefined {
  const v = row[column];
  if (typeof v === 'bigint') return Number(v);
  return typeof v === 'number' ? v : undefined;
}

export function big(row: Row, column: string): bigint | undefined {
  const v = row[column];
  return typeof v === 'bigint' ? v : undefined;
}

export function bool(row: Row, column: string): boolean | undefined {
  const v = row[column];
  return typeof v === 'boolean' ? v : undefined;
}

export function date(row: Row, column: string): Date | undefined {
  const v = row[column];
  return v instanceof Date ? v : undefined;
}

/** undefined -> null, numbers that must be int64 -> bigint. */
export function opt(v: Value | undefined): Value {
  return v === undefined ? null : v;
}

export function optBig(v: number | undefined): bigint | null {
  return v === undefined ? null : BigInt(v);
}

/** A timerange as the four `<prefix>_*` columns (see tables.ts): null bounds are unbounded. */
export function rangeToColumns(prefix: string, range: TimeRange): Row {
  return {
    [`${prefix}_start`]: range.start,
    [`${prefix}_end`]: range.end,
    [`${prefix}_start_incl`]: range.startInclusive,
    [`${prefix}_end_incl`]: range.endInclusive,
  };
}

export function rangeFromColumns(row: Row, prefix: string): TimeRange {
  return TimeRange.fromBounds(
    big(row, `${prefix}_start`) ?? null,
    big(row, `${prefix}_end`) ?? null,
    bool(row, `${prefix}_start_incl`) ?? false,
    bool(row, `${prefix}_end_incl`) ?? false,
  );
}
