import { DbTooLargeError } from '../../db.errors.ts';
import type { ColumnGroup, Predicate, Value } from '../../db.types.ts';
import { buildQueryRequest, type QueryRequestInput } from './wire/wire.query.ts';
import { MAX_TABULAR_REQUEST_SIZE } from './wire/wire.slices.ts';
import type { QueryRequest } from './wire/wire.types.ts';

/**
 * The SDK refuses a QueryData body over 0.9 x 5 MiB (`util.MAX_QUERY_DATA_REQUEST_SIZE`,
 * `TooLargeRequest`), 4,718,592 bytes; the Java client caps any body at 5 MB, "<= the server's
 * largest buffer".
 */
export const MAX_QUERY_BYTES = Math.floor(0.9 * MAX_TABULAR_REQUEST_SIZE);

/** A QueryData body ready to send, and the request it encodes. */
export interface BuiltQuery {
  readonly body: Uint8Array;
  readonly request: QueryRequest;
}

/** A value as a key: the manager hands one representation per column type (db.types.ts). */
function keyOf(v: Value): string {
  return v instanceof Date ? `d${v.getTime()}` : `${typeof v}:${String(v)}`;
}

/**
 * The distinct values of a group made only of `eq` and `in` (a set of values of one column), or
 * undefined for a group with any other comparison.
 */
function valueSet(g: ColumnGroup): Value[] | undefined {
  const seen = new Map<string, Value>();
  for (const c of g.any) {
    if (c.op === 'eq') seen.set(keyOf(c.value as Value), c.value as Value);
    else if (c.op === 'in') for (const v of c.value as readonly Value[]) seen.set(keyOf(v), v);
    else return undefined;
  }
  return [...seen.values()];
}

/**
 * The query as bodies each at most `maxBytes`: one when it fits; else the largest set of values
 * (a group of `eq`/`in` on one column, values made distinct) is cut into parts, each part
 * replacing the group in a query of its own, cut again while one is still too large. A row's
 * value is in one part at most, so the parts' rows are the query's, each once: their union is
 * the answer, in no order (VAST returns rows in none; the session sorts and limits after).
 * DbTooLargeError (413) when no group can be cut: ranges, `startsWith`, `contains`, or one value
 * too large alone.
 */
export function splitQuery(input: QueryRequestInput, maxBytes = MAX_QUERY_BYTES): BuiltQuery[] {
  const built = buildQueryRequest(input);
  if (built.body.byteLength <= maxBytes) return [built];
  const groups = input.where?.all ?? [];
  let at = -1;
  let values: Value[] = [];
  groups.forEach((g, i) => {
    const set = valueSet(g);
    if (set !== undefined && set.length > values.length) {
      at = i;
      values = set;
    }
  });
  if (at < 0 || values.length < 2) {
    throw new DbTooLargeError(
      `a query too large for VAST DataBase: ${built.body.byteLength} bytes (at most ${maxBytes} per request), with no list of values to send in parts`,
    );
  }
  // Parts of about 80% of the limit, so that most fit at the first try.
  const parts = Math.max(2, Math.ceil(built.body.byteLength / (0.8 * maxBytes)));
  const per = Math.ceil(values.length / parts);
  const column = (groups[at] as ColumnGroup).column;
  const out: BuiltQuery[] = [];
  for (let i = 0; i < values.length; i += per) {
    const all = groups.map((g, j) =>
      j === at ? { column, any: [{ op: 'in' as const, value: values.slice(i, i + per) }] } : g,
    );
    const where: Predicate = { all };
    out.push(...splitQuery({ ...input, where }, maxBytes));
  }
  return out;
}
