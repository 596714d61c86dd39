/**
 * The fake's QueryData: evaluates the ComputeIR filter over the table as the transaction sees it,
 * projects, and pages per sub-split. Rows are dealt to splits and sub-splits by row id
 * (`row_id % (splits * subsplits)`), each sub-split walks its rows in row-id order from its
 * cursor `tabular-start-row-id-{i}` (`"{i},{first row id to read}"`), returns at most
 * `tabular-limit-rows` rows, and answers as cursor the row id of the next matching row, or
 * (1<<48)-1 when it has no more. A sub-split the client sends as finished gets no frames.
 * Filter semantics are SQL's where it matters: a comparison with null is false; strings compare
 * as UTF-8 bytes (code point order).
 */
import { ROW_ID_DONE } from '../../../src/db/engines/vast/wire/wire.frames.ts';
import { decodeQueryRequest } from '../../../src/db/engines/vast/wire/wire.query.ts';
import type { ResponseStream } from '../../../src/db/engines/vast/wire/wire.response.ts';
import {
  type QueryRequest,
  ROW_ID,
  type WireExpr,
  type WireField,
  type WireRow,
  type WireValue,
} from '../../../src/db/engines/vast/wire/wire.types.ts';
import { badRequest } from './fake.errors.ts';
import { findRow } from './fake.rows.ts';
import type { TableState } from './fake.store.ts';

type Headers = Readonly<Record<string, string | undefined>>;

export interface QueryAnswer {
  /** The response's columns (the projection), empty for a count. */
  readonly fields: readonly WireField[];
  readonly streams: readonly ResponseStream[];
}

/** UTF-16 code unit -> a key that orders as UTF-8 bytes do (surrogates above U+E000..U+FFFF). */
function unitKey(c: number): number {
  if (c >= 0xd800 && c <= 0xdfff) return c + 0x2000;
  if (c >= 0xe000) return c - 0x800;
  return c;
}

export function compareUtf8(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return unitKey(x) - unitKey(y);
  }
  return a.length - b.length;
}

function compare(a: WireValue, b: WireValue): number {
  if (typeof a === 'string' && typeof b === 'string') return compareUtf8(a, b);
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  if (typeof a === 'bigint' && typeof b === 'bigint') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'number' && typeof b === 'number')
    return a < b ? -1 : a > b ? 1 : a === b ? 0 : Number.NaN;
  if ((typeof a === 'bigint' || typeof a === 'number') && (typeof b === 'bigint' || typeof b === 'number')) {
    const x = Number(a);
    const y = Number(b);
    return x < y ? -1 : x > y ? 1 : x === y ? 0 : Number.NaN;
  }
  throw badRequest(`cannot compare ${typeof a} with ${typeof b}`);
}

const COMPARISONS: Readonly<Record<string, (c: number) => boolean>> = {
  equal: (c) => c === 0,
  not_equal: (c) => c !== 0 && !Number.isNaN(c),
  less: (c) => c < 0,
  less_equal: (c) => c <= 0,
  greater: (c) => c > 0,
  greater_equal: (c) => c >= 0,
};

type Compiled = (row: WireRow) => boolean;
type ValueOf = (row: WireRow) => WireValue;

function value(e: WireExpr, names: readonly string[]): ValueOf {
  if (e.kind === 'field') {
    const name = names[e.position] as string;
    return (row) => row[name] ?? null;
  }
  if (e.kind === 'literal') {
    const v = e.value;
    return () => v;
  }
  throw badRequest(`a call (${e.name}) where a value is expected`);
}

/**
 * `or` of `equal(field, string literal)` on one field (how the engine sends `in`): a set lookup
 * per row instead of one comparison per literal, or an `in` of 1,000 ids (a bulk registration's
 * objects) costs the fake seconds per query over a table of 10,000s of rows, in a benchmark that
 * measures the server. Same answers: string equality is code-point equality, and a null value
 * (or a non-string) is never in the set.
 */
function equalsOneOf(
  args: readonly WireExpr[],
): { field: WireExpr & { kind: 'field' }; values: Set<string> } | null {
  if (args.length < 2) return null;
  let field: (WireExpr & { kind: 'field' }) | undefined;
  const values = new Set<string>();
  for (const a of args) {
    if (a.kind !== 'call' || a.name !== 'equal' || a.args.length !== 2) return null;
    const [f, l] = a.args as [WireExpr, WireExpr];
    if (f.kind !== 'field' || l.kind !== 'literal' || typeof l.value !== 'string') return null;
    if (field !== undefined && field.position !== f.position) return null;
    field = f;
    values.add(l.value);
  }
  return field === undefined ? null : { field, values };
}

/** Compiles the filter once per request into a row predicate. */
export function compileFilter(e: WireExpr, names: readonly string[]): Compiled {
  if (e.kind !== 'call') throw badRequest('the filter must be a call');
  const { name, args } = e;
  if (name === 'or') {
    const set = equalsOneOf(args);
    if (set !== null) {
      const get = value(set.field, names);
      return (row) => set.values.has(get(row) as string);
    }
  }
  if (name === 'and' || name === 'or') {
    const parts = args.map((a) => compileFilter(a, names));
    return name === 'and' ? (row) => parts.every((p) => p(row)) : (row) => parts.some((p) => p(row));
  }
  const arity = name === 'is_null' || name === 'is_valid' ? 1 : 2;
  if (args.length !== arity) throw badRequest(`${name} takes ${arity} argument(s), got ${args.length}`);
  const [a, b] = args.map((x) => value(x, names)) as [ValueOf, ValueOf | undefined];
  if (name === 'is_null') return (row) => a(row) === null;
  if (name === 'is_valid') return (row) => a(row) !== null;
  const rhs = b as ValueOf;
  if (name === 'match_substring') {
    return (row) => {
      const x = a(row);
      const y = rhs(row);
      return typeof x === 'string' && typeof y === 'string' && x.includes(y);
    };
  }
  const test = COMPARISONS[name];
  if (!test) throw badRequest(`function ${name} is not supported`, 'NotImplemented');
  return (row) => {
    const x = a(row);
    const y = rhs(row);
    return x !== null && y !== null && test(compare(x, y));
  };
}

function int(text: string | undefined, fallback: number): number {
  if (text === undefined || text === '') return fallback;
  const n = Number.parseInt(text, 10);
  if (!Number.isSafeInteger(n) || n < 0) throw badRequest(`bad number ${text}`);
  return n;
}

/** Checks the request schema against the table: names must exist with the table's types. */
function resolve(t: TableState, req: QueryRequest): void {
  for (const f of req.fields) {
    const column = f.name === ROW_ID ? { type: 'uint64' } : t.fields.find((c) => c.name === f.name);
    if (!column) throw badRequest(`table has no column ${f.name}`);
    if (column.type !== f.type) throw badRequest(`column ${f.name} is ${column.type}, not ${f.type}`);
  }
}

export function parseQuery(body: Uint8Array): QueryRequest {
  return decodeQueryRequest(body);
}

export function runQuery(t: TableState, req: QueryRequest, headers: Headers): QueryAnswer {
  resolve(t, req);
  const names = req.fields.map((f) => f.name);
  const matches = compileFilter(req.filter, names);
  const fields = req.projection.map((p) => req.fields[p] as WireField);
  const [splitText = '0', splitsText = '1'] = (headers['tabular-split'] ?? '0,1').split(',');
  const split = int(splitText, 0);
  const splits = Math.max(1, int(splitsText, 1));
  const subsplits = Math.max(1, int(headers['tabular-num-of-subsplits'], 1));
  const limit = int(headers['tabular-limit-rows'], 0) || Number.MAX_SAFE_INTEGER;
  const modulus = BigInt(splits * subsplits);
  const streams: ResponseStream[] = [];
  for (let i = 0; i < subsplits; i++) {
    const cursorText = headers[`tabular-start-row-id-${i}`];
    const start = cursorText === undefined ? 0n : BigInt(cursorText.split(',')[1] ?? '0');
    if (start >= ROW_ID_DONE) continue;
    const residue = BigInt(split * subsplits + i);
    const page: WireRow[] = [];
    let next = ROW_ID_DONE;
    let at = firstAtOrAfter(t.rows, start);
    for (; at < t.rows.length; at++) {
      const row = t.rows[at] as WireRow;
      const id = row[ROW_ID] as bigint;
      if (id % modulus !== residue || !matches(row)) continue;
      if (page.length === limit) {
        next = id;
        break;
      }
      page.push(row);
    }
    streams.push({
      streamId: i,
      batches: [{ rows: fields.length > 0 ? page : page.length, nextRowId: next }],
    });
  }
  return { fields, streams };
}

function firstAtOrAfter(rows: readonly WireRow[], id: bigint): number {
  const exact = findRow(rows, id);
  if (exact >= 0) return exact;
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (((rows[mid] as WireRow)[ROW_ID] as bigint) < id) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
