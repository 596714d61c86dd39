import { describe, expect, it } from 'vitest';
import { ROW_ID_DONE } from '../../../src/db/engines/vast/wire/wire.frames.ts';
import {
  decodeRows,
  deleteBody,
  encodeRows,
  updateBody,
} from '../../../src/db/engines/vast/wire/wire.rows.ts';
import {
  type QueryRequest,
  ROW_ID,
  ROW_ID_FIELD,
  type WireExpr,
  type WireField,
  type WireRow,
  type WireValue,
} from '../../../src/db/engines/vast/wire/wire.types.ts';
import { FakeVastError } from './fake.errors.ts';
import { planQuery } from './fake.plan.ts';
import { runQuery } from './fake.query.ts';
import { type RandomSource, randomSource } from './fake.random.testkit.ts';
import { deleteRows, insertRows, updateRows } from './fake.rows.ts';
import { FakeStore, type Transaction } from './fake.store.ts';

/**
 * The fake's indexed QueryData against a brute-force model: random tables written through the
 * fake's own row calls in transactions (inserts, updates, deletes, commits, rollbacks, a reader's
 * older snapshot), random filters (equalities, `in`, ranges either way round, nulls, NaN, -0,
 * `$row_id`, unlike types), random sub-splits, limits and cursors. Every answer (rows, counts,
 * cursors, failures) must be what evaluating the filter on every row, in row-id order, gives.
 */

const COLUMNS: WireField[] = [
  { name: 'k', type: 'utf8', nullable: true },
  { name: 'n', type: 'int64', nullable: true },
  { name: 'i', type: 'int32', nullable: true },
  { name: 'f', type: 'float64', nullable: true },
  { name: 'b', type: 'bool', nullable: true },
  { name: 'ts', type: 'timestamp_us', nullable: true },
];
/** Request schema: every column, then `$row_id` (positions 0..6). */
const FIELDS = [...COLUMNS, ROW_ID_FIELD];
const POOLS: Record<string, readonly WireValue[]> = {
  k: ['a', 'b', 'c', 'flow-1', '', 'Ω', '😀', '\uffff'],
  n: [-3n, -1n, 0n, 1n, 2n, 5n, 9n, 1n << 62n],
  i: [-2, 0, 1, 3, 7, 2147483647],
  f: [-1.5, -0, 0, 0.5, 2, Number.NaN, Number.POSITIVE_INFINITY],
  b: [true, false],
  ts: [0n, 1_700_000_000_000_000n, 1_700_000_000_000_001n, -5n],
};
const RANGED = [1, 2, 3, 5]; // n, i, f, ts
const OPS = ['less', 'less_equal', 'greater', 'greater_equal'];

type Model = Map<bigint, WireRow>;

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

interface Asked {
  readonly split: number;
  readonly splits: number;
  readonly subsplits: number;
  readonly limit: number;
  cursors: bigint[];
}

/** Per sub-split asked for: the rows of its page and its next cursor; or 'fails'. */
function bruteForce(model: Model, filter: WireExpr, q: Asked) {
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

const field = (position: number): WireExpr => ({ kind: 'field', position });
const literal = (value: WireValue, at = 0): WireExpr => ({
  kind: 'literal',
  type: (FIELDS[at] as WireField).type,
  value,
});
const call = (name: string, ...args: WireExpr[]): WireExpr => ({ kind: 'call', name, args });

function comparison(r: RandomSource, name: string, position: number, value: WireValue): WireExpr {
  const [f, l] = [field(position), literal(value, position)];
  if (!r.chance(0.3)) return call(name, f, l);
  const mirrored: Record<string, string> = { less: 'greater', less_equal: 'greater_equal' };
  const back = Object.fromEntries(Object.entries(mirrored).map(([a, b]) => [b, a]));
  return call(mirrored[name] ?? back[name] ?? name, l, f);
}

function conjunct(r: RandomSource, model: Model): WireExpr {
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

// --- the run ----------------------------------------------------------------------------------

const T = ['s', 't'] as const;
/** Queries the fake could plan: with a lookup, and with a range as well. */
const planned = { queries: 0, lookups: 0, ranges: 0 };

/** One QueryData against the brute force; the cursors it answers. */
function checkQuery(store: FakeStore, tx: Transaction, model: Model, req: QueryRequest, q: Asked): boolean {
  const want = bruteForce(model, req.filter, q);
  const headers: Record<string, string> = {
    'tabular-split': `${q.split},${q.splits},8`,
    'tabular-num-of-subsplits': String(q.subsplits),
  };
  // No limit: sent as 0 or left out.
  if (q.limit > 0 || q.cursors.length % 2 === 0) headers['tabular-limit-rows'] = String(q.limit);
  q.cursors.forEach((c, i) => {
    headers[`tabular-start-row-id-${i}`] = `${i},${c}`;
  });
  let got: ReturnType<typeof runQuery>;
  try {
    got = runQuery(store.table(tx, ...T), req, headers);
  } catch (e) {
    expect(e).toBeInstanceOf(FakeVastError);
    expect(want).toBe('fails');
    return false;
  }
  expect(want).not.toBe('fails');
  const counting = req.projection.length === 0;
  const seen = got.streams.map((s) => ({
    streamId: s.streamId,
    page: s.batches[0]?.rows,
    next: s.batches[0]?.nextRowId,
  }));
  const expected = (want as Exclude<typeof want, 'fails'>).map((s) => ({
    ...s,
    page: counting ? s.page.length : s.page,
  }));
  expect(seen).toEqual(expected);
  q.cursors = q.cursors.map((c, i) => seen.find((s) => s.streamId === i)?.next ?? c);
  return true;
}

function query(r: RandomSource, store: FakeStore, tx: Transaction, model: Model): void {
  const filter = call('and', ...Array.from({ length: 1 + r.int(3) }, () => conjunct(r, model)));
  const projection = FIELDS.map((_, i) => i).filter(() => r.chance(0.4));
  const req: QueryRequest = { fields: FIELDS, projection, filter };
  const plan = planQuery(filter, FIELDS);
  planned.queries++;
  if (plan !== null) planned.lookups++;
  if (plan !== null && plan.ranges.length > 0) planned.ranges++;
  const splits = r.pick([1, 1, 2, 3]);
  const subsplits = 1 + r.int(4);
  const ids = [...model.keys()];
  const q: Asked = {
    split: r.int(splits),
    splits,
    subsplits,
    limit: r.pick([0, 1, 2, 5, 1000]),
    cursors: Array.from({ length: subsplits }, () =>
      r.pick([0n, 0n, ROW_ID_DONE, ids.length > 0 ? r.pick(ids) : 0n, BigInt(r.int(400))]),
    ),
  };
  // Page on from the cursors answered until every sub-split is done.
  for (let pages = 0; q.cursors.some((c) => c < ROW_ID_DONE); pages++) {
    expect(pages).toBeLessThan(2000);
    if (!checkQuery(store, tx, model, req, q)) return;
  }
}

function randomRow(r: RandomSource): WireRow {
  const row: WireRow = {};
  for (const c of COLUMNS) row[c.name] = r.chance(0.15) ? null : r.pick(POOLS[c.name] as WireValue[]);
  return row;
}

function write(r: RandomSource, store: FakeStore, tx: Transaction, model: Model): void {
  const ids = [...model.keys()];
  const some = () => [
    ...new Set(Array.from({ length: 1 + r.int(r.chance(0.1) ? 400 : 8) }, () => r.pick(ids))),
  ];
  const op = r.int(ids.length === 0 ? 1 : 3);
  if (op === 0) {
    // Now and then a load larger than the table (rebuilt in one pass, fake.table.ts).
    const rows = Array.from({ length: r.chance(0.1) ? 257 + r.int(150) : 1 + r.int(12) }, () => randomRow(r));
    const answer = insertRows(store, tx, ...T, encodeRows(COLUMNS, rows));
    decodeRows(answer.body as Uint8Array).rows.forEach((idRow, i) => {
      const id = idRow[ROW_ID] as bigint;
      model.set(id, { ...(rows[i] as WireRow), [ROW_ID]: id });
    });
  } else if (op === 1) {
    const columns = COLUMNS.filter(() => r.chance(0.5));
    if (columns.length === 0) columns.push(COLUMNS[0] as WireField);
    const changes = some().map((id) => {
      const fresh = randomRow(r);
      return Object.fromEntries([[ROW_ID, id], ...columns.map((c) => [c.name, fresh[c.name] ?? null])]);
    });
    const body = updateBody(columns, changes);
    updateRows(store, tx, ...T, encodeRows(body.fields, body.rows));
    for (const c of changes) model.set(c[ROW_ID] as bigint, { ...model.get(c[ROW_ID] as bigint), ...c });
  } else {
    const gone = some();
    const body = deleteBody(gone);
    deleteRows(store, tx, ...T, encodeRows(body.fields, body.rows));
    for (const id of gone) model.delete(id);
  }
}

describe('fake VAST: indexed queries', () => {
  it('answer as a brute-force scan does, in transactions, snapshots, after commits and rollbacks', () => {
    const r = randomSource(2026);
    const store = new FakeStore(() => 0, Number.MAX_SAFE_INTEGER);
    const setup = store.begin();
    store.createSchema(setup, 's');
    store.createTable(setup, ...T, COLUMNS);
    store.commit(setup.id);
    let committed: Model = new Map();
    for (let round = 0; round < 60; round++) {
      const before = committed;
      const reader = store.begin(); // sees `before` whatever the writer does
      const writer = store.begin();
      const mine: Model = new Map(committed);
      for (let step = 0; step < 8; step++) {
        if (r.chance(0.5)) write(r, store, writer, mine);
        else if (r.chance(0.7)) query(r, store, writer, mine);
        else query(r, store, reader, before);
      }
      if (r.chance(0.7)) {
        store.commit(writer.id);
        committed = mine;
      } else store.rollback(writer.id);
      query(r, store, reader, before);
      const after = store.begin();
      for (let n = 0; n < 3; n++) query(r, store, after, committed);
      store.rollback(after.id);
      store.rollback(reader.id);
    }
    expect(committed.size).toBeGreaterThan(50);
    expect(planned.lookups).toBeGreaterThan(200);
    expect(planned.ranges).toBeGreaterThan(60);
  });
});

describe('fake VAST: what a query costs', () => {
  it('evaluates the filter on the rows of the looked-up value (and range) only, not the table', () => {
    const store = new FakeStore(() => 0, Number.MAX_SAFE_INTEGER);
    const tx = store.begin();
    store.createSchema(tx, 's');
    store.createTable(tx, ...T, COLUMNS);
    const rows = Array.from({ length: 4000 }, (_, i) => ({ k: `flow-${i % 20}`, n: BigInt(i) }));
    for (let at = 0; at < rows.length; at += 500) {
      insertRows(store, tx, ...T, encodeRows(COLUMNS.slice(0, 2), rows.slice(at, at + 500)));
    }
    const examined = (...conjuncts: WireExpr[]) => {
      const headers = { 'tabular-num-of-subsplits': '4', 'tabular-split': '0,1,8' };
      const req = { fields: FIELDS, projection: [0, 1], filter: call('and', ...conjuncts) };
      return runQuery(store.table(tx, ...T), req, headers).examined;
    };
    const flow = call('or', call('equal', field(0), literal('flow-7')));
    expect(examined(flow)).toBe(200);
    const window = [
      call('greater_equal', field(1), literal(1000n, 1)),
      call('less', field(1), literal(1400n, 1)),
    ];
    expect(examined(flow, ...window)).toBe(20); // 1007, 1027, ... 1387
    expect(examined(...window)).toBe(4000); // no equality: a scan
  });
});
