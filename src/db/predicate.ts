import { compareValues } from './compare.ts';
import { DbError } from './db.errors.ts';
import type { ColumnGroup, CompareOp, Comparison, Predicate, Row, Value } from './db.types.ts';

/** The comparisons available on one column; each returns a one-comparison group. */
export interface ColumnRef {
  eq(value: Value): ColumnGroup;
  ne(value: Value): ColumnGroup;
  lt(value: Value): ColumnGroup;
  le(value: Value): ColumnGroup;
  gt(value: Value): ColumnGroup;
  ge(value: Value): ColumnGroup;
  /** An empty list matches nothing. */
  in(values: readonly Value[]): ColumnGroup;
  isNull(): ColumnGroup;
  isNotNull(): ColumnGroup;
  /** Literal, case-sensitive prefix match (no wildcards). */
  startsWith(prefix: string): ColumnGroup;
  /** Literal, case-sensitive substring match (no wildcards). */
  contains(part: string): ColumnGroup;
}

/** What `and`/`or` accept: a skipped entry lets callers write `and(a, cond && b)`. */
export type Skippable<T> = T | undefined | null | false;

function group(column: string, op: CompareOp, value?: Value | readonly Value[]): ColumnGroup {
  const comparison: Comparison = value === undefined ? { op } : { op, value };
  return { column, any: [comparison] };
}

export function col(name: string): ColumnRef {
  return {
    eq: (v) => group(name, 'eq', v),
    ne: (v) => group(name, 'ne', v),
    lt: (v) => group(name, 'lt', v),
    le: (v) => group(name, 'le', v),
    gt: (v) => group(name, 'gt', v),
    ge: (v) => group(name, 'ge', v),
    // Copied so that a caller mutating its array later cannot change a built predicate.
    in: (values) => group(name, 'in', [...values]),
    isNull: () => group(name, 'isNull'),
    isNotNull: () => group(name, 'isNotNull'),
    startsWith: (prefix) => group(name, 'startsWith', prefix),
    contains: (part) => group(name, 'contains', part),
  };
}

/** Merges groups on the same column into one OR group; groups on different columns cannot be ORed. */
export function or(...groups: Skippable<ColumnGroup>[]): ColumnGroup {
  const present = groups.filter((g): g is ColumnGroup => Boolean(g));
  const first = present[0];
  if (first === undefined) throw new DbError('invalid_predicate', 'or() needs at least one group');
  for (const g of present) {
    if (g.column !== first.column) {
      throw new DbError(
        'invalid_predicate',
        `or() can only combine comparisons on one column (got "${first.column}" and "${g.column}")`,
      );
    }
  }
  return { column: first.column, any: present.flatMap((g) => g.any) };
}

/** An AND of groups (and of the groups of nested predicates). No entries: matches every row. */
export function and(...parts: Skippable<ColumnGroup | Predicate>[]): Predicate {
  const all: ColumnGroup[] = [];
  for (const part of parts) {
    if (!part) continue;
    if ('all' in part) all.push(...part.all);
    else all.push(part);
  }
  return { all };
}

export const where = and;

/**
 * Evaluates a predicate in JS with the same semantics the engines push down (SQL NULL logic: every
 * comparison against a null column value is false, `ne` included). For engines that cannot push a
 * comparison down, and for tests.
 */
export function matchesPredicate(row: Row, predicate: Predicate | undefined): boolean {
  if (predicate === undefined) return true;
  for (const g of predicate.all) {
    const value = row[g.column] ?? null;
    if (!g.any.some((c) => matchesComparison(value, c))) return false;
  }
  return true;
}

/** The strings of an `in` list, kept per list (a predicate's list is read for every row). */
const listStrings = new WeakMap<readonly unknown[], ReadonlySet<string>>();

function stringsOf(list: readonly unknown[]): ReadonlySet<string> {
  let strings = listStrings.get(list);
  if (strings === undefined) {
    strings = new Set(list.filter((v): v is string => typeof v === 'string'));
    listStrings.set(list, strings);
  }
  return strings;
}

function matchesComparison(value: Value, c: Comparison): boolean {
  switch (c.op) {
    case 'isNull':
      return value === null;
    case 'isNotNull':
      return value !== null;
    case 'in': {
      if (!Array.isArray(c.value)) return false;
      // A string equals exactly the identical string (compareStrings): looked up, not compared
      // with each of the list's values, which made a filter over a table of N rows by a list of
      // M ids cost N x M comparisons.
      if (typeof value === 'string') return stringsOf(c.value).has(value);
      return c.value.some((v: Value) => compareValues(value, v) === 0);
    }
    case 'startsWith':
      return typeof value === 'string' && typeof c.value === 'string' && value.startsWith(c.value);
    case 'contains':
      return typeof value === 'string' && typeof c.value === 'string' && value.includes(c.value);
    default: {
      const d = compareValues(value, c.value as Value);
      if (d === undefined) return false;
      return OPS[c.op](d);
    }
  }
}

const OPS: Record<'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge', (d: number) => boolean> = {
  eq: (d) => d === 0,
  ne: (d) => d !== 0,
  lt: (d) => d < 0,
  le: (d) => d <= 0,
  gt: (d) => d > 0,
  ge: (d) => d >= 0,
};
