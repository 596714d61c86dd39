import type { Builder, Offset } from 'flatbuffers';
import { DbError } from '../../../db.errors.ts';
import type { ColumnGroup, Comparison, Predicate, Value } from '../../../db.types.ts';
import {
  buildCall,
  buildFieldRef,
  buildLiteral,
  buildRelation,
  decodeStringBound,
  type LiteralValue,
  readRelation,
} from './wire.computeir.ts';
import { type QueryRequest, ROW_ID, ROW_ID_FIELD, type WireExpr, type WireField } from './wire.types.ts';

/**
 * The QueryData request body (ComputeIR `Relation{Source}`), built as VAST's SDK builds it in
 * `build_query_data_request` and `Predicate.serialize`: the same request schema, the same
 * `and(or(...), ...)` tree of the same calls, the same literals, in the same byte layout.
 */

export interface QueryRequestInput {
  /** The table's columns. */
  readonly fields: readonly WireField[];
  /** Projection, in order; every column of `fields` when omitted. */
  readonly columns?: readonly string[];
  readonly where?: Predicate;
  /** Also return `$row_id` (it joins the projection, after `columns`). */
  readonly rowId?: boolean;
}

/**
 * Builds a QueryData body. The request schema is the projected columns in order, then `$row_id`
 * when asked (the SDK appends it to the projection), then the columns only the predicate needs, in
 * the order they first appear in it (the SDK takes them from a Python set, so its order varies).
 *
 * Refuses (DbError 'invalid_predicate') a group that can match no row, i.e. one whose comparisons
 * are all `in []`: the SDK cannot express it either (an empty OR); see `matchesNothing`.
 */
export function buildQueryRequest(input: QueryRequestInput): { body: Uint8Array; request: QueryRequest } {
  const byName = new Map(input.fields.map((f) => [f.name, f]));
  if (input.rowId) byName.set(ROW_ID, ROW_ID_FIELD);
  const lookup = (name: string, what: string): WireField => {
    const f = byName.get(name);
    if (f === undefined) throw new DbError('unknown_column', `${what}: unknown column "${name}"`);
    return f;
  };
  const projected = (input.columns ?? input.fields.map((f) => f.name)).map((n) => lookup(n, 'projection'));
  if (input.rowId) projected.push(ROW_ID_FIELD);
  const fields = [...projected];
  const groups = input.where?.all ?? [];
  for (const g of groups) {
    if (!fields.some((f) => f.name === g.column)) fields.push(lookup(g.column, 'where'));
  }
  const position = new Map(fields.map((f, i) => [f.name, i]));
  const projection = projected.map((_, i) => i);

  let filter: WireExpr | undefined;
  const body = buildRelation(fields, projection, (b) => {
    const built = groups.map((g) =>
      buildGroup(b, g, lookup(g.column, 'where'), position.get(g.column) as number),
    );
    const and = call(b, 'and', built);
    filter = and.expr;
    return and.off;
  });
  return { body, request: { fields, projection, filter: filter as WireExpr } };
}

/** Decodes a QueryData body (for the fake server and golden comparisons). */
export function decodeQueryRequest(body: Uint8Array): QueryRequest {
  return readRelation(body);
}

/**
 * True when some group of `where` can match no row (no comparisons, or only `in` with empty
 * lists). VAST cannot be sent such a predicate; the whole query then returns nothing, so the
 * engine answers it without a round trip (as the SDK's `select` does for a `False` predicate).
 */
export function matchesNothing(where: Predicate | undefined): boolean {
  return (where?.all ?? []).some((g) =>
    g.any.every((c) => c.op === 'in' && (c.value as Value[]).length === 0),
  );
}

interface Node {
  readonly off: Offset;
  readonly expr: WireExpr;
}

function call(b: Builder, name: string, args: readonly Node[]): Node {
  return {
    off: buildCall(
      b,
      name,
      args.map((a) => a.off),
    ),
    expr: { kind: 'call', name, args: args.map((a) => a.expr) },
  };
}

function literal(b: Builder, column: WireField, value: LiteralValue): Node {
  const wireValue = value instanceof Uint8Array ? decodeStringBound(value) : value;
  return {
    off: buildLiteral(b, column, value),
    expr: { kind: 'literal', type: column.type, value: wireValue },
  };
}

const CALLS = {
  eq: 'equal',
  ne: 'not_equal',
  lt: 'less',
  le: 'less_equal',
  gt: 'greater',
  ge: 'greater_equal',
  contains: 'match_substring',
} as const;

function buildGroup(b: Builder, g: ColumnGroup, column: WireField, position: number): Node {
  const leaves: Node[] = [];
  for (const c of g.any) {
    // One field reference per comparison, shared by the values of an `in` (and built even for
    // an empty `in`), as the SDK does: it keeps the bytes identical.
    const ref: Node = { off: buildFieldRef(b, position), expr: { kind: 'field', position } };
    leaves.push(...buildComparison(b, c, column, ref));
  }
  if (leaves.length === 0) {
    throw new DbError(
      'invalid_predicate',
      `where on "${column.name}": the group matches no row (empty "in"), which VAST cannot be sent`,
    );
  }
  return call(b, 'or', leaves);
}

function buildComparison(b: Builder, c: Comparison, column: WireField, ref: Node): Node[] {
  const at = `where on "${column.name}", ${c.op}`;
  switch (c.op) {
    case 'isNull':
      return [call(b, 'is_null', [ref])];
    case 'isNotNull':
      return [call(b, 'is_valid', [ref])];
    case 'in': {
      if (!Array.isArray(c.value)) throw new DbError('invalid_predicate', `${at}: needs an array`);
      return (c.value as readonly Value[]).map((v) =>
        call(b, 'equal', [ref, literal(b, column, toLiteral(v, column, at))]),
      );
    }
    case 'startsWith': {
      const prefix = toText(c.value, column, at);
      if (prefix === '') return [call(b, 'is_valid', [ref])];
      const [lower, upper] = prefixRange(prefix);
      const lo = literal(b, column, lower);
      const hi = literal(b, column, upper);
      return [call(b, 'and', [call(b, 'greater_equal', [ref, lo]), call(b, 'less', [ref, hi])])];
    }
    case 'contains':
      return [call(b, CALLS.contains, [ref, literal(b, column, toText(c.value, column, at))])];
    case 'eq':
    case 'ne':
    case 'lt':
    case 'le':
    case 'gt':
    case 'ge':
      return [call(b, CALLS[c.op], [ref, literal(b, column, toLiteral(c.value, column, at))])];
    default:
      throw new DbError('invalid_predicate', `${at}: unknown operator`);
  }
}

/**
 * `s` starts with `prefix` iff lower <= utf8(s) < upper, with lower the prefix's UTF-8 bytes and
 * upper the same bytes with the last one plus one (the last byte of UTF-8 text is never 0xFF).
 * The SDK's `util.prefix_to_range`; upper is not always valid UTF-8 and is sent as raw bytes.
 */
export function prefixRange(prefix: string): [Uint8Array, Uint8Array] {
  const lower = new TextEncoder().encode(prefix);
  const upper = lower.slice();
  upper[upper.length - 1] = (upper[upper.length - 1] as number) + 1;
  return [lower, upper];
}

function toText(v: unknown, column: WireField, at: string): string {
  if (column.type !== 'utf8')
    throw new DbError('invalid_predicate', `${at}: "${column.name}" is not a string column`);
  if (typeof v !== 'string') throw new DbError('invalid_predicate', `${at}: needs a string`);
  return v;
}

const INT32_MAX = 2 ** 31 - 1;
const INT64_MAX = 2n ** 63n - 1n;

/** A comparison value as the column's literal; timestamps go as microseconds since the epoch. */
function toLiteral(v: unknown, column: WireField, at: string): LiteralValue {
  const bad = (why: string): never => {
    throw new DbError('invalid_predicate', `${at}: "${column.name}" (${column.type}): ${why}`);
  };
  if (v === null || v === undefined) return bad('compared with null (use isNull/isNotNull)');
  const asBigInt = (min: bigint, max: bigint): bigint => {
    const n = typeof v === 'number' && Number.isSafeInteger(v) ? BigInt(v) : v;
    if (typeof n !== 'bigint') return bad(`needs an integer, got ${typeof v}`);
    if (n < min || n > max) return bad(`${n} is out of range`);
    return n;
  };
  switch (column.type) {
    case 'utf8':
      return typeof v === 'string' ? v : bad(`needs a string, got ${typeof v}`);
    case 'bool':
      return typeof v === 'boolean' ? v : bad(`needs a boolean, got ${typeof v}`);
    case 'float64':
      if (typeof v === 'bigint' && BigInt(Number(v)) === v) return Number(v);
      return typeof v === 'number' ? v : bad(`needs a number, got ${typeof v}`);
    case 'int32':
      return Number(asBigInt(BigInt(-INT32_MAX - 1), BigInt(INT32_MAX)));
    case 'int64':
      return asBigInt(-INT64_MAX - 1n, INT64_MAX);
    case 'uint64':
      return asBigInt(0n, 2n ** 64n - 1n);
    case 'timestamp_us':
      if (v instanceof Date) {
        const ms = v.getTime();
        return Number.isNaN(ms) ? bad('invalid Date') : BigInt(ms) * 1000n;
      }
      return asBigInt(-INT64_MAX - 1n, INT64_MAX);
  }
}
