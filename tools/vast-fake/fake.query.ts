import { ROW_ID_DONE } from '../../src/db/engines/vast/wire/wire.frames.ts';
import type { ResponseStream } from '../../src/db/engines/vast/wire/wire.response.ts';
import {
  ROW_ID,
  type WireExpr,
  type WireField,
  type WireRow,
} from '../../src/db/engines/vast/wire/wire.types.ts';
import type { Tree } from './fake.cells.ts';
import { type FakeExpr, type FakeQuery, readQuery } from './fake.computeir.ts';
import { badRequest } from './fake.errors.ts';
import { type Reader, reader, rescaled, resolve } from './fake.operands.ts';
import { type Lookup, planQuery } from './fake.plan.ts';
import { inProjectionOrder, type Projection, ROW_GROUP_ROWS } from './fake.projections.ts';
import type { TableState } from './fake.store.ts';
import type { Bounds } from './fake.table.ts';
import { type FakeField, isArrowColumn } from './fake.types.ts';

type Headers = Readonly<Record<string, string | undefined>>;

export interface QueryAnswer {
  /** The response's columns (the projection, as the table types them), empty for a count. */
  readonly fields: readonly FakeField[];
  readonly streams: readonly ResponseStream[];
  /** Rows the filter was evaluated on (a scan: every row from the lowest cursor on). */
  readonly examined: number;
  /** Index entries walked to find the rows examined (fake.table.ts `lookup`). */
  readonly walked: number;
  /** The projection read instead of the table, if any (fake.projections.ts). */
  readonly projection: string | null;
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

function compare(a: Tree, b: Tree): number {
  if (Array.isArray(a) && Array.isArray(b)) {
    // A fixed-size list against a list literal: element by element, then the shorter first.
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      const c = compare(a[i] as Tree, b[i] as Tree);
      if (c !== 0) return c;
    }
    return a.length - b.length;
  }
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
type ValueOf = (row: WireRow) => Tree;

function value(e: FakeExpr, read: Reader): ValueOf {
  if (e.kind === 'field') return read(e.position);
  if (e.kind === 'literal') {
    const v = e.value;
    return () => v;
  }
  throw badRequest(`a call (${e.name}) where a value is expected`);
}

/**
 * An integer as a set key: a bigint and an integral number of the same value compare equal
 * (`compare`), so they share a key; undefined for any other value.
 */
function integerKey(v: unknown): string | undefined {
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number' && Number.isSafeInteger(v)) return String(v);
  return undefined;
}

/**
 * `or` of `equal(field, literal)` on one field, every literal a string or an integer (how the
 * engine sends `in`): a set lookup per row instead of one comparison per literal, or an `in` of
 * 1,000 ids (a bulk registration's objects) costs the fake seconds per query over a table of
 * 10,000s of rows, in a benchmark that measures the server, and an `in` of 25,000 segment starts
 * (a Flow's deletion) minutes. Same answers: string equality is code-point equality, integers
 * are equal by value whatever their JS type, and a null value (or one of another type) is never
 * in the set.
 */
function equalsOneOf(
  args: readonly FakeExpr[],
): { field: FakeExpr & { kind: 'field' }; strings: Set<string>; integers: Set<string> } | null {
  if (args.length < 2) return null;
  let field: (FakeExpr & { kind: 'field' }) | undefined;
  const strings = new Set<string>();
  const integers = new Set<string>();
  for (const a of args) {
    if (a.kind !== 'call' || a.name !== 'equal' || a.args.length !== 2) return null;
    const [f, l] = a.args as [FakeExpr, FakeExpr];
    if (f.kind !== 'field' || l.kind !== 'literal') return null;
    if (field !== undefined && field.position !== f.position) return null;
    field = f;
    if (typeof l.value === 'string') strings.add(l.value);
    else {
      const key = integerKey(l.value);
      if (key === undefined) return null;
      integers.add(key);
    }
  }
  return field === undefined ? null : { field, strings, integers };
}

/** Compiles the filter once per request into a row predicate. */
export function compileFilter(e: FakeExpr, read: Reader): Compiled {
  if (e.kind !== 'call') throw badRequest('the filter must be a call');
  const { name, args } = e;
  if (name === 'or') {
    const set = equalsOneOf(args);
    if (set !== null) {
      const get = value(set.field, read);
      const { strings, integers } = set;
      return (row) => {
        const v = get(row);
        if (typeof v === 'string') return strings.has(v);
        const key = integerKey(v);
        return key !== undefined && integers.has(key);
      };
    }
  }
  if (name === 'and' || name === 'or') {
    const parts = args.map((a) => compileFilter(a, read));
    return name === 'and' ? (row) => parts.every((p) => p(row)) : (row) => parts.some((p) => p(row));
  }
  const arity = name === 'is_null' || name === 'is_valid' ? 1 : 2;
  if (args.length !== arity) throw badRequest(`${name} takes ${arity} argument(s), got ${args.length}`);
  const [a, b] = args.map((x) => value(x, read)) as [ValueOf, ValueOf | undefined];
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

export function parseQuery(body: Uint8Array): FakeQuery {
  return readQuery(body);
}

/** A sub-split being answered: its residue's rows from `start`, `limit` at most. */
interface SubSplit {
  readonly index: number;
  readonly start: bigint;
  readonly page: WireRow[];
  next: bigint;
  done: boolean;
}

/**
 * Rows (ascending ids, >= `from`) a lookup admits, within `range` if given; null when finding them
 * would take more than `cap` steps (index entries walked, or row ids looked up).
 */
function lookupRows(
  t: TableState,
  l: Lookup,
  range: Bounds | undefined,
  from: bigint,
  cap: number,
): { rows: WireRow[] | null; walked: number } {
  if (l.column !== ROW_ID) return t.rows.lookup(l.column, l.values, range, from, cap);
  if (l.values.length > cap) return { rows: null, walked: 0 };
  const ids = (l.values as bigint[]).filter((id) => id >= from).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return { rows: ids.map((id) => t.rows.get(id)).filter((r) => r !== undefined), walked: ids.length };
}

/** Steps the first round of `candidates` allows each lookup; each round allows four times more. */
const FIRST_BUDGET = 16;

/**
 * The smallest candidate set of the filter's plan (a superset of its answer from `from` on, in
 * row-id order), or null when the rows must be scanned. A lookup within a range open on one side
 * may walk most of a Flow's rows while another holds a few (segments that start before a time,
 * or end after it: the first are many, the second few when ingest appends), and which one is
 * small cannot be told before walking: so the lookups are walked in rounds, each with a budget
 * four times the last, and the first round in which one finishes picks the one that took fewest
 * steps. That costs a few times the smallest lookup's walk, never the largest's.
 */
function candidates(
  t: TableState,
  req: { readonly fields: readonly WireField[]; readonly filter: WireExpr },
  from: bigint,
  firstBudget: number,
): { rows: WireRow[] | null; walked: number } {
  const plan = planQuery(req.filter, req.fields);
  if (plan === null) return { rows: null, walked: 0 };
  const tries: { lookup: Lookup; range?: Bounds; rank: number }[] = [];
  for (const lookup of plan.lookups) {
    tries.push({ lookup, rank: 2 });
    if (lookup.column === ROW_ID) continue;
    for (const range of plan.ranges) {
      if (range.column === lookup.column) continue;
      tries.push({ lookup, range, rank: range.lo !== undefined && range.hi !== undefined ? 0 : 1 });
    }
  }
  if (tries.length === 0) return { rows: null, walked: 0 };
  tries.sort((a, b) => a.rank - b.rank);
  // A walk never takes more steps than the table has rows (an index holds each row at most
  // once per value looked up): the round whose budget reaches that finishes every lookup.
  let walked = 0;
  for (let budget = firstBudget; ; budget *= 4) {
    let best: WireRow[] | null = null;
    let cap = budget;
    // A lookup within a range walks no more than the lookup alone (which is then not tried, nor
    // its index built and kept).
    const ranged = new Set<Lookup>();
    for (const { lookup, range } of tries) {
      if (range === undefined && ranged.has(lookup)) continue;
      if (range !== undefined) ranged.add(lookup);
      const tried = lookupRows(t, lookup, range, from, cap);
      walked += tried.walked;
      const rows = tried.rows;
      if (rows !== null && (best === null || rows.length < best.length)) best = rows;
      if (best !== null) cap = Math.min(cap, best.length);
    }
    if (best !== null) return { rows: best, walked };
  }
}

/** `firstBudget`: see `candidates` (tests make it small, so that lookups need several rounds). */
export function runQuery(
  t: TableState,
  req: FakeQuery,
  headers: Headers,
  firstBudget = FIRST_BUDGET,
  projection: Projection | null = null,
): QueryAnswer {
  const columns = resolve(t, req);
  const scales = rescaled(columns, req);
  const matches = compileFilter(req.filter, reader(columns, req.operands, scales));
  const fields = req.projection.map((p) => columns[p] as FakeField);
  // Indexes serve filters on columns of the engine's types, as the request names them
  // (fake.plan.ts); others are scanned.
  const plannable =
    req.operands === undefined &&
    req.fields.every((f) => !isArrowColumn(f)) &&
    columns.every((c) => !isArrowColumn(c));
  const [splitText = '0', splitsText = '1'] = (headers['tabular-split'] ?? '0,1').split(',');
  const split = int(splitText, 0);
  const splits = Math.max(1, int(splitsText, 1));
  const subsplits = Math.max(1, int(headers['tabular-num-of-subsplits'], 1));
  const limit = int(headers['tabular-limit-rows'], 0) || Number.MAX_SAFE_INTEGER;
  const modulus = BigInt(splits * subsplits);
  const base = split * subsplits;
  // By residue - base: the sub-splits still asked for (a finished one gets no frames).
  const open: (SubSplit | undefined)[] = new Array(subsplits);
  let from = ROW_ID_DONE;
  let looking = 0;
  for (let i = 0; i < subsplits; i++) {
    const cursorText = headers[`tabular-start-row-id-${i}`];
    const start = cursorText === undefined ? 0n : BigInt(cursorText.split(',')[1] ?? '0');
    if (start >= ROW_ID_DONE) continue;
    open[i] = { index: i, start, page: [], next: ROW_ID_DONE, done: false };
    if (start < from) from = start;
    looking++;
  }
  let examined = 0;
  let walked = 0;
  // One pass over the rows in row-id order deals each to its sub-split, which takes it from its
  // cursor on, up to the limit; the first match past that is its next cursor.
  // From a projection (fake.projections.ts), `id` is the row's position in the projection's order
  // and `deal` its block's (sub-splits read blocks of positions).
  const visit = (row: WireRow, id = row[ROW_ID] as bigint, deal = id): boolean => {
    const s = open[Number(deal % modulus) - base];
    if (s === undefined || s.done || id < s.start) return true;
    examined++;
    if (!matches(row)) return true;
    if (s.page.length < limit) {
      s.page.push(row);
      return true;
    }
    s.next = id;
    s.done = true;
    return --looking > 0;
  };
  if (looking > 0) {
    // Planned only when every column is of the engine's types: its literals are then WireValues.
    const flat = req as { fields: readonly WireField[]; filter: WireExpr };
    // A projection holds every row in its own order: all the matches are found first.
    const start = projection === null ? from : 0n;
    const found = plannable ? candidates(t, flat, start, firstBudget) : { rows: null, walked: 0 };
    walked = found.walked;
    if (projection !== null) {
      const rows = found.rows ?? t.rows.all();
      const sorted = inProjectionOrder(rows.filter(matches), projection);
      const block = int(headers['tabular-split']?.split(',')[2], 8) * ROW_GROUP_ROWS;
      for (let at = 0; at < sorted.length; at++) {
        if (!visit(sorted[at] as WireRow, BigInt(at), BigInt(Math.floor(at / block)))) break;
      }
      examined = rows.length;
    } else if (found.rows === null) t.rows.walk(from, visit);
    else for (const row of found.rows) if (!visit(row)) break;
  }
  const streams: ResponseStream[] = [];
  for (const s of open) {
    if (s === undefined) continue;
    streams.push({
      streamId: s.index,
      batches: [{ rows: fields.length > 0 ? s.page : s.page.length, nextRowId: s.next }],
    });
  }
  return { fields, streams, examined, walked, projection: projection?.name ?? null };
}
