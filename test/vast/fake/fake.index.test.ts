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
  type WireExpr,
  type WireField,
  type WireRow,
} from '../../../src/db/engines/vast/wire/wire.types.ts';
import { FakeVastError } from '../../../tools/vast-fake/fake.errors.ts';
import { planQuery } from '../../../tools/vast-fake/fake.plan.ts';
import { runQuery } from '../../../tools/vast-fake/fake.query.ts';
import { deleteRows, insertRows, updateRows } from '../../../tools/vast-fake/fake.rows.ts';
import { FakeStore, type Transaction } from '../../../tools/vast-fake/fake.store.ts';
import {
  type Asked,
  bruteForce,
  COLUMNS,
  call,
  conjunct,
  FIELDS,
  field,
  literal,
  type Model,
  randomRow,
} from './fake.index.testkit.ts';
import { type RandomSource, randomSource } from './fake.random.testkit.ts';

/**
 * The fake's indexed QueryData against a brute-force model: random tables written through the
 * fake's own row calls in transactions (inserts, updates, deletes, commits, rollbacks, a reader's
 * older snapshot), random filters (equalities, `in`, ranges either way round, nulls, NaN, -0,
 * `$row_id`, unlike types), random sub-splits, limits and cursors. Every answer (rows, counts,
 * cursors, failures) must be what evaluating the filter on every row, in row-id order, gives.
 */

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
    // Tiny budgets: lookups take several rounds to finish, or give up on one another.
    got = runQuery(store.table(tx, ...T), req, headers, 1 + (planned.queries % 8));
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

  it('walks the smaller of two ranges open on one side each (an overlap check), not the larger', () => {
    const store = new FakeStore(() => 0, Number.MAX_SAFE_INTEGER);
    const tx = store.begin();
    store.createSchema(tx, 's');
    store.createTable(tx, ...T, COLUMNS);
    // 20 Flows of 1,000 segments each: n the start, i the end.
    const rows = Array.from({ length: 20_000 }, (_, x) => ({ k: `flow-${x % 20}`, n: BigInt(x), i: x + 1 }));
    for (let at = 0; at < rows.length; at += 1000) {
      insertRows(store, tx, ...T, encodeRows(COLUMNS.slice(0, 3), rows.slice(at, at + 1000)));
    }
    const run = (...conjuncts: WireExpr[]) => {
      const headers = { 'tabular-num-of-subsplits': '1', 'tabular-split': '0,1,1' };
      const req = { fields: FIELDS, projection: [0, 1, 2], filter: call('and', ...conjuncts) };
      const answer = runQuery(store.table(tx, ...T), req, headers);
      const batch = answer.streams[0]?.batches[0];
      return {
        walked: answer.walked,
        examined: answer.examined,
        found: Array.isArray(batch?.rows) ? batch.rows.length : -1,
      };
    };
    const flow = call('or', call('equal', field(0), literal('flow-7')));
    // Segments of flow-7 overlapping [19,950, 19,990]: 1,000 start at or before 19,990, two
    // (19,967 and 19,987) end at or after 19,950.
    const appended = run(
      flow,
      call('less_equal', field(1), literal(19_990n, 1)),
      call('greater_equal', field(2), literal(19_950, 2)),
    );
    expect(appended.found).toBe(2);
    expect(appended.examined).toBe(2);
    expect(appended.walked).toBeLessThan(30); // the first round's 16 steps, then the 2
    // The same check near the start of the Flow: now the end side is the large one.
    const early = run(
      flow,
      call('less_equal', field(1), literal(60n, 1)),
      call('greater_equal', field(2), literal(20, 2)),
    );
    expect(early.found).toBe(2); // 27 and 47 (7 ends at 8)
    expect(early.walked).toBeLessThan(30);
  });
});
