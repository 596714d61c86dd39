import type { OrderBy, Row, Value } from './db.types.ts';

/**
 * Orders strings by Unicode code point, which is the order of their UTF-8 bytes (how DuckDB and
 * Arrow compare). Plain `<` compares UTF-16 code units, which disagrees for astral characters.
 */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const ca = a.charCodeAt(i);
    const cb = b.charCodeAt(i);
    if (ca !== cb) return codeUnitRank(ca) - codeUnitRank(cb);
  }
  return a.length - b.length;
}

/** Surrogates (U+D800-DFFF) encode code points above U+FFFF, so they must rank above U+E000-FFFF. */
function codeUnitRank(c: number): number {
  if (c >= 0xd800 && c <= 0xdfff) return c + 0x2000;
  if (c >= 0xe000) return c - 0x800;
  return c;
}

/**
 * Compares two non-null values of compatible types; undefined when they are not comparable
 * (different kinds, NaN, null), which predicate evaluation treats as "no match".
 */
export function compareValues(a: Value | undefined, b: Value | undefined): number | undefined {
  if (a === null || a === undefined || b === null || b === undefined) return undefined;
  if (typeof a === 'string') return typeof b === 'string' ? compareStrings(a, b) : undefined;
  if (typeof a === 'number' || typeof a === 'bigint') {
    if (typeof b !== 'number' && typeof b !== 'bigint') return undefined;
    if (Number.isNaN(a) || Number.isNaN(b)) return undefined;
    // Mixed bigint/number comparisons are exact in JS, so no conversion (and no precision loss).
    return a < b ? -1 : a > b ? 1 : 0;
  }
  if (typeof a === 'boolean') return typeof b === 'boolean' ? Number(a) - Number(b) : undefined;
  if (a instanceof Date) {
    if (!(b instanceof Date)) return undefined;
    const d = a.getTime() - b.getTime();
    return Number.isNaN(d) ? undefined : d;
  }
  return undefined;
}

/** Sorts in place with the contract's ORDER BY semantics: nulls last in both directions. */
export function sortRows(rows: Row[], orderBy: readonly OrderBy[]): Row[] {
  if (orderBy.length === 0) return rows;
  return rows.sort((x, y) => {
    for (const { column, direction } of orderBy) {
      const a = x[column] ?? null;
      const b = y[column] ?? null;
      if (a === null || b === null) {
        if (a === b) continue;
        return a === null ? 1 : -1;
      }
      const c = compareValues(a, b) ?? 0;
      if (c !== 0) return direction === 'desc' ? -c : c;
    }
    return 0;
  });
}
