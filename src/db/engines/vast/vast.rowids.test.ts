/**
 * In a transaction the VAST engine keeps the `$row_id`s of rows it selected by key, so that an
 * updateEach on that key sends its update without selecting them again, and it sends writes to
 * different tables side by side. Counted and checked on the fake VAST server: the update's
 * answer and the rows after commit must be those of the plain path, including when a write to
 * the table came between (an inserted row with the same key must be updated too).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { testTransport } from '../../../../test/support/db/engines/vast/vast.testkit.ts';
import { type FakeVast, startFakeVast } from '../../../../tools/vast-fake/fake.server.ts';
import type { TableDef } from '../../db.types.ts';
import { TableManager } from '../../manager.ts';
import { col, where } from '../../predicate.ts';
import { createVastEngine } from './vast.engine.ts';

const ITEMS: TableDef = {
  name: 'items',
  columns: [
    { name: 'id', type: 'string', nullable: false },
    { name: 'n', type: 'int64' },
    { name: 'state', type: 'string' },
  ],
};
const NOTES: TableDef = { name: 'notes', columns: [{ name: 'id', type: 'string', nullable: false }] };

let vast: FakeVast;
let schemas = 0;
const opened: TableManager[] = [];
beforeAll(async () => {
  vast = await startFakeVast();
});
afterAll(async () => {
  await vast?.close();
});
afterEach(async () => {
  for (const db of opened.splice(0)) await db.close();
});

async function open(): Promise<TableManager> {
  const engine = createVastEngine({
    transport: testTransport(vast),
    bucket: vast.bucket,
    schema: `rowids_${process.pid}_${++schemas}`,
  });
  const db = await TableManager.open(engine, [ITEMS, NOTES]);
  opened.push(db);
  await db.insert('items', [
    { id: 'a', n: 1n, state: 'x' },
    { id: 'b', n: 2n, state: 'x' },
    { id: 'c', n: 3n, state: 'x' },
  ]);
  return db;
}

/** QueryData requests the fake answered while `op` ran. */
async function queries(op: () => Promise<unknown>): Promise<number> {
  const before = vast.stats.calls.query;
  await op();
  return vast.stats.calls.query - before;
}

const states = async (db: TableManager) =>
  Object.fromEntries(
    (await db.select('items', { orderBy: [{ column: 'id' }, { column: 'n' }] })).map((r) => [
      `${r.id}/${r.n}`,
      r.state,
    ]),
  );

describe('row ids found by key in a transaction', () => {
  it('an updateEach after a select on its key alone sends no second select', async () => {
    const db = await open();
    let updated = -1;
    const n = await queries(() =>
      db.transaction(async (tx) => {
        const rows = await tx.select('items', { where: where(col('id').in(['a', 'b', 'z'])) });
        expect(rows.map((r) => r.id).sort()).toEqual(['a', 'b']);
        // Rows as asked for: no $row_id among their columns.
        expect(Object.keys(rows[0] ?? {}).sort()).toEqual(['id', 'n', 'state']);
        updated = await tx.updateEach('items', 'id', [
          { id: 'a', state: 'y' },
          { id: 'b', state: 'y' },
          { id: 'z', state: 'y' },
        ]);
      }),
    );
    expect(n).toBe(1);
    expect(updated).toBe(2);
    expect(await states(db)).toEqual({ 'a/1': 'y', 'b/2': 'y', 'c/3': 'x' });
  });

  it('a key select with a projection returns only the columns asked for', async () => {
    const db = await open();
    await db.transaction(async (tx) => {
      const rows = await tx.select('items', { where: where(col('id').eq('a')), columns: ['state'] });
      expect(rows).toEqual([{ state: 'x' }]);
      expect(await tx.updateEach('items', 'id', [{ id: 'a', state: 'y' }])).toBe(1);
    });
    expect((await states(db))['a/1']).toBe('y');
  });

  it('a write to the table between them: found again, rows it added updated too', async () => {
    const db = await open();
    let updated = -1;
    const n = await queries(() =>
      db.transaction(async (tx) => {
        await tx.select('items', { where: where(col('id').eq('a')) });
        await tx.insert('items', [{ id: 'a', n: 9n, state: 'x' }]);
        updated = await tx.updateEach('items', 'id', [{ id: 'a', state: 'y' }]);
      }),
    );
    expect(n).toBe(2);
    expect(updated).toBe(2);
    expect(await states(db)).toEqual({ 'a/1': 'y', 'a/9': 'y', 'b/2': 'x', 'c/3': 'x' });
  });

  it('a select on more than its key is not kept; nor is one made while the table was written', async () => {
    const db = await open();
    const n = await queries(() =>
      db.transaction(async (tx) => {
        await tx.select('items', { where: where(col('id').in(['a', 'b']), col('state').eq('x')) });
        await tx.updateEach('items', 'id', [{ id: 'a', state: 'y' }]);
      }),
    );
    expect(n).toBe(2);
    const m = await queries(() =>
      db.transaction(async (tx) => {
        await Promise.all([
          tx.select('items', { where: where(col('id').in(['b', 'c'])) }),
          tx.insert('items', [{ id: 'b', n: 7n, state: 'x' }]),
        ]);
        await tx.updateEach('items', 'id', [{ id: 'b', state: 'z' }]);
      }),
    );
    expect(m).toBe(2);
    expect(await states(db)).toEqual({ 'a/1': 'y', 'b/2': 'z', 'b/7': 'z', 'c/3': 'x' });
  });

  it('writes to two tables go side by side; to one table, in the order made', async () => {
    const db = await open();
    // Both tables' layouts known (a first write loads one), so only the writes remain.
    await db.insert('notes', [{ id: 'n0' }]);
    let inFlight = 0;
    let most = 0;
    const watch = vast.stats;
    // The fake answers after a delay, so that writes sent side by side overlap there.
    vast.faults.latencyMs = 20;
    const spans: [bigint, bigint, string][] = [];
    watch.spans = spans as never;
    try {
      await db.transaction(async (tx) => {
        await Promise.all([
          tx.insert('notes', [{ id: 'n1' }]),
          tx.insert('items', [{ id: 'd', n: 4n, state: 'x' }]),
          tx.update('items', where(col('id').eq('d')), { state: 'after insert' }),
        ]);
      });
    } finally {
      vast.faults.latencyMs = 0;
      watch.spans = undefined;
    }
    const writes = spans.filter(([, , kind]) => kind === 'insert' || kind === 'update');
    for (const [start] of writes) {
      inFlight = writes.filter(([s, e]) => s <= start && start < e).length;
      most = Math.max(most, inFlight);
    }
    expect(most).toBe(2);
    // The update was made after the insert of the same table, and saw its row.
    expect((await db.select('items', { where: where(col('id').eq('d')) }))[0]?.state).toBe('after insert');
  });
});
