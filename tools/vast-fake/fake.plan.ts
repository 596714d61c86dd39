/**
 * What of a QueryData filter an index can answer. A top-level conjunct (an argument of the
 * outermost `and`s, or the filter itself) that is `equal(field, literal)`, or an `or` of such on
 * one field (how the engine and the SDK send `in`), admits only the rows whose field holds one of
 * those literals: an index lookup of them is a superset of the answer, in which the whole filter
 * is then evaluated row by row, as the scan would. So the rows returned are the same.
 *
 * One difference would remain: evaluating a comparison of a string with a number fails the query
 * (400), and a scan meets such a comparison on rows an index lookup never looks at. So a filter
 * with any comparison whose two sides can hold values of types that do not compare is not planned
 * at all (the scan answers it, failing as before); nor is a lookup whose literal is not of the
 * column's own JavaScript type (a bigint against a float64 column compares as a number).
 *
 * A conjunct that is one ordering comparison of a number or bigint column with a literal of its
 * type bounds that column: a lookup can then walk an index of (its column, that column) between
 * the bounds only (a Flow's segments in a time window rather than all of them).
 */
import {
  ROW_ID,
  type WireExpr,
  type WireField,
  type WireType,
  type WireValue,
} from '../../src/db/engines/vast/wire/wire.types.ts';
import type { Bounds } from './fake.table.ts';

/** Rows whose `column` holds one of `values` (distinct, of the column's JavaScript type, not NaN). */
export interface Lookup {
  readonly column: string;
  readonly values: readonly WireValue[];
}

type Kind = 'string' | 'bigint' | 'number' | 'boolean';

const KIND_OF: Readonly<Record<WireType, Kind>> = {
  utf8: 'string',
  int64: 'bigint',
  uint64: 'bigint',
  timestamp_us: 'bigint',
  int32: 'number',
  float64: 'number',
  bool: 'boolean',
};

const COMPARISONS = new Set(['equal', 'not_equal', 'less', 'less_equal', 'greater', 'greater_equal']);

/** The kind of values an operand holds; null for a null literal (compares with nothing, no error). */
function kindOf(e: WireExpr, fields: readonly WireField[]): Kind | null {
  if (e.kind === 'field') return KIND_OF[(fields[e.position] as WireField).type];
  if (e.kind === 'literal') return e.value === null ? null : (typeof e.value as Kind);
  return null; // a call as an operand is refused when the filter is compiled
}

/** Whether evaluating `e` on some row could fail (a comparison of values of unlike types). */
function mayFail(e: WireExpr, fields: readonly WireField[]): boolean {
  if (e.kind !== 'call') return false;
  if (COMPARISONS.has(e.name) && e.args.length === 2) {
    const a = kindOf(e.args[0] as WireExpr, fields);
    const b = kindOf(e.args[1] as WireExpr, fields);
    const numeric = (k: Kind) => k === 'bigint' || k === 'number';
    return a !== null && b !== null && a !== b && !(numeric(a) && numeric(b));
  }
  return e.args.some((a) => mayFail(a, fields));
}

function flatten(e: WireExpr, name: 'and' | 'or'): WireExpr[] {
  return e.kind === 'call' && e.name === name ? e.args.flatMap((a) => flatten(a, name)) : [e];
}

/** `equal(field, literal)` either way round, as position and value. */
function equality(e: WireExpr): { position: number; value: WireValue } | null {
  if (e.kind !== 'call' || e.name !== 'equal' || e.args.length !== 2) return null;
  const [a, b] = e.args as [WireExpr, WireExpr];
  if (a.kind === 'field' && b.kind === 'literal') return { position: a.position, value: b.value };
  if (b.kind === 'field' && a.kind === 'literal') return { position: b.position, value: a.value };
  return null;
}

function lookupOf(conjunct: WireExpr, fields: readonly WireField[]): Lookup | null {
  let position: number | undefined;
  const values = new Set<WireValue>();
  for (const d of flatten(conjunct, 'or')) {
    const eq = equality(d);
    if (eq === null || (position !== undefined && eq.position !== position)) return null;
    position = eq.position;
    const field = fields[position] as WireField;
    const v = eq.value;
    if (v === null || typeof v !== KIND_OF[field.type] || Number.isNaN(v)) return null;
    values.add(v);
  }
  if (position === undefined) return null;
  return { column: (fields[position] as WireField).name, values: [...values] };
}

const LOWER: Readonly<Record<string, boolean>> = {
  greater: true,
  greater_equal: true,
  less: false,
  less_equal: false,
};

/** `column <op> literal` (either way round) on a number or bigint column, as a bound. */
function boundOf(
  e: WireExpr,
  fields: readonly WireField[],
): { column: string; lower: boolean; value: WireValue } | null {
  if (e.kind !== 'call' || !(e.name in LOWER) || e.args.length !== 2) return null;
  const [a, b] = e.args as [WireExpr, WireExpr];
  const flipped = a.kind === 'literal' && b.kind === 'field';
  const [f, l] = flipped ? [b, a] : [a, b];
  if (f.kind !== 'field' || l.kind !== 'literal') return null;
  const field = fields[f.position] as WireField;
  const kind = KIND_OF[field.type];
  const v = l.value;
  if (field.name === ROW_ID || (kind !== 'bigint' && kind !== 'number')) return null;
  if (typeof v !== kind || Number.isNaN(v)) return null;
  return { column: field.name, lower: LOWER[e.name] !== flipped, value: v };
}

export interface Plan {
  /** Each bounds the answer: the rows a lookup admits hold every row the filter matches. */
  readonly lookups: readonly Lookup[];
  /** Ranges the answer lies in, per column: the loosest bounds the filter implies (closed). */
  readonly ranges: readonly Bounds[];
}

/**
 * The lookups and ranges that bound the filter's answer, or null when the filter must be
 * answered by a scan (no lookup, or evaluating it might fail). `$row_id` lookups name ROW_ID.
 */
export function planQuery(filter: WireExpr, fields: readonly WireField[]): Plan | null {
  if (mayFail(filter, fields)) return null;
  const lookups: Lookup[] = [];
  const ranges = new Map<string, { lo?: WireValue; hi?: WireValue }>();
  for (const c of flatten(filter, 'and')) {
    const l = lookupOf(c, fields);
    if (l !== null) lookups.push(l);
    const only = flatten(c, 'or');
    const b = only.length === 1 ? boundOf(only[0] as WireExpr, fields) : null;
    if (b === null) continue;
    const r = ranges.get(b.column) ?? {};
    // Values of one kind: `<` orders them as the comparisons do.
    const plain = b.value as number | bigint;
    if (b.lower && (r.lo === undefined || plain > (r.lo as number | bigint))) r.lo = b.value;
    if (!b.lower && (r.hi === undefined || plain < (r.hi as number | bigint))) r.hi = b.value;
    ranges.set(b.column, r);
  }
  if (lookups.length === 0) return null;
  return { lookups, ranges: [...ranges].map(([column, r]) => ({ column, ...r })) };
}
