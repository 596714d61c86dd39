/**
 * The model of fake.index.test.ts: a table's columns and value pools, a brute-force QueryData
 * (every row, in row-id order, through an evaluator of its own) and random filters.
 */
import { ROW_ID_DONE } from '../../../src/db/engines/vast/wire/wire.frames.ts';
import {
  ROW_ID,
  ROW_ID_FIELD,
  type WireExpr,
  type WireField,
  type WireRow,
  type WireValue,
} from '../../../src/db/engines/vast/wire/wire.types.ts';
import type { RandomSource } from './fake.random.testkit.ts';

export const COLUMNS: WireField[] = [
  { name: 'k', type: 'utf8', nullable: true },
  { name: 'n', type: 'int64', nullable: true },
  { name: 'i', type: 'int32', nullable: true },
  { name: 'f', type: 'float64', nullable: true },
  { name: 'b', type: 'bool', nullable: true },
  { name: 'ts', type: 'timestamp_us', nullable: true },
];
/** Request schema: every column, then `$row_id` (positions 0..6). */
export const FIELDS = [...COLUMNS, ROW_ID_FIELD];
export const POOLS: Record<string, readonly WireValue[]> = {
  k: ['a', 'b', 'c', 'flow-1', '', 'Ω', '😀', '\uffff'],
  n: [-3n, -1n, 0n, 1n, 2n, 5n, 9n, 1n << 62n],
  i: [-2, 0, 1, 3, 7, 2147483647],
  f: [-1.5, -0, 0, 0.5, 2, Number.NaN, Number.POSITIVE_INFINITY],
  b: [true, false],
  ts: [0n, 1_700_000_000_000_000n, 1_700_000_000_000_001n, -5n],
};
const RANGED = [1, 2, 3, 5]; // n, i, f, ts
const OPS = ['less', 'less_equal', 'greater', 'greater_equal'];

export type Model = Map<bigint, WireRow>;

// --- the brute force ------------------------------------------------------------------------

const numeric = (v: WireValue) => typeof v === 'bigint' || typeof v === 'number';
function compare(a: WireValue, b: WireValue): number {
  if (typeof a === 'string' && typeof b === 'string') return Buffer.compare(Buffer.from(a), Buffer.from(b));
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  if (typeof a === 'bigint' && typeof b === 'bigint') return a < b ? -1 : a > b ? 1 : 0;
  if (numeric(a) && numeric(b)) {
    const [x, y] = [Number(a), Number(b)];
    return x < y ? -1 : x > y ? 1 : x === y ? 0 : Number.NaN;
  }
  throw new Error(`unlike types ${typeof a} and ${typeof b}`);
}

function evaluate(e: WireExpr, row: WireRow): boolean {
  const v = (x: WireExpr): WireValue =>
    x.kind === 'field'
      ? (row[(FIELDS[x.position] as WireField).name] ?? null)
      : (x as { value: WireValue }).value;
  if (e.kind !== 'call') throw new Error('not a call');
  const [a, b] = e.args as [WireExpr, WireExpr];
  switch (e.name) {
    case 'and':
      return e.args.every((x) => evaluate(x, row));
    case 'or':
      return e.args.some((x) => evaluate(x, row));
    case 'is_null':
      return v(a) === null;
    case 'is_valid':
      return v(a) !== null;
    case 'match_substring': {
      const [x, y] = [v(a), v(b)];
      return typeof x === 'string' && typeof y === 'string' && x.includes(y);
    }
  }
  const [x, y] = [v(a), v(b)];
  if (x === null || y === null) return false;
  const c = compare(x, y);
  const test: Record<string, boolean> = {
    equal: c === 0,
    not_equal: c !== 0 && !Number.isNaN(c),
    less: c < 0,
    less_equal: c <= 0,
    greater: c > 0,
    greater_equal: c >= 0,
  };
  return test[e.name] as boolean;
}

export interface Asked {
  readonly split: number;
  readonly splits: number;
  readonly subsplits: number;
  readonly limit: number;
  cursors: bigint[];
}

/** Per sub-split asked for: the rows of its page and its next cursor; or 'fails'. */
export function bruteForce(model: Model, filter: WireExpr, q: Asked) {
  const rows = [...model.values()].sort((a, b) => compare(a[ROW_ID] as bigint, b[ROW_ID] as bigint));
  const modulus = BigInt(q.splits * q.subsplits);
  const out: { streamId: number; page: WireRow[]; next: bigint }[] = [];
  try {
    q.cursors.forEach((start, i) => {
      if (start >= ROW_ID_DONE) return;
      const s = { streamId: i, page: [] as WireRow[], next: ROW_ID_DONE };
      for (const row of rows) {
        const id = row[ROW_ID] as bigint;
        if (id < start || id % modulus !== BigInt(q.split * q.subsplits + i) || !evaluate(filter, row))
          continue;
        if (s.page.length === (q.limit || Number.MAX_SAFE_INTEGER)) {
          s.next = id;
          break;
        }
        s.page.push(row);
      }
      out.push(s);
    });
  } catch {
    return 'fails' as const;
  }
  return out;
}

// --- random filters ---------------------------------------------------------------------------

export const field = (position: number): WireExpr => ({ kind: 'field', position });
export const literal = (value: WireValue, at = 0): WireExpr => ({
  kind: 'literal',
  type: (FIELDS[at] as WireField).type,
  value,
});
export const call = (name: string, ...args: WireExpr[]): WireExpr => ({ kind: 'call', name, args });

function comparison(r: RandomSource, name: string, position: number, value: WireValue): WireExpr {
  const [f, l] = [field(position), literal(value, position)];
  if (!r.chance(0.3)) return call(name, f, l);
  const mirrored: Record<string, string> = { less: 'greater', less_equal: 'greater_equal' };
  const back = Object.fromEntries(Object.entries(mirrored).map(([a, b]) => [b, a]));
  return call(mirrored[name] ?? back[name] ?? name, l, f);
}

export function conjunct(r: RandomSource, model: Model): WireExpr {
  const column = r.int(COLUMNS.length);
  const pool = POOLS[(COLUMNS[column] as WireField).name] as readonly WireValue[];
  const ids = [...model.keys()];
  switch (r.int(12)) {
    case 0:
    case 1:
    case 2: // `in` (or a single equality)
      return call(
        'or',
        ...Array.from({ length: 1 + r.int(4) }, () => comparison(r, 'equal', column, r.pick(pool))),
      );
    case 3: // row ids
      return call(
        'or',
        ...Array.from({ length: 1 + r.int(3) }, () =>
          comparison(r, 'equal', 6, ids.length > 0 && r.chance(0.8) ? r.pick(ids) : BigInt(r.int(500))),
        ),
      );
    case 4:
    case 5:
    case 6: {
      const at = r.pick(RANGED);
      const c = comparison(r, r.pick(OPS), at, r.pick(POOLS[(FIELDS[at] as WireField).name] as WireValue[]));
      return r.chance(0.5) ? call('or', c) : c;
    }
    case 7:
      return call(r.pick(['is_null', 'is_valid']), field(column));
    case 8:
      return call('or', comparison(r, 'not_equal', column, r.pick(pool)));
    case 9: // a disjunction of unlike parts: bounds nothing
      return call(
        'or',
        comparison(r, 'equal', 0, r.pick(POOLS.k as WireValue[])),
        comparison(r, 'less', 1, 2n),
      );
    case 10:
      return call('match_substring', field(0), literal(r.pick(['a', '', 'low'])));
    default: // unlike types: bigint against float64 compares as numbers; a string fails
      return r.chance(0.7)
        ? call('or', comparison(r, r.pick(['equal', 'less']), 3, r.pick([0n, 2n, -2n])))
        : call('or', call('equal', field(1), literal('a', 0)));
  }
}

export function randomRow(r: RandomSource): WireRow {
  const row: WireRow = {};
  for (const c of COLUMNS) row[c.name] = r.chance(0.15) ? null : r.pick(POOLS[c.name] as WireValue[]);
  return row;
}
