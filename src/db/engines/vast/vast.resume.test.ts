/**
 * Selects that break off: a connection dropped in the middle of a QueryData answer resumes from
 * the cursors of the batches already taken (no row twice, none lost); QueryData failure frames
 * are retried the same way, and a failure that persists is DbUnavailableError (503), not a plain
 * error (500).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEngine } from '../../../../test/support/db/engines/vast/vast.testkit.ts';
import { type FakeVast, startFakeVast } from '../../../../tools/vast-fake/fake.server.ts';
import { DbUnavailableError } from '../../db.errors.ts';
import type { TableDef } from '../../db.types.ts';
import { TableManager } from '../../manager.ts';

const T: TableDef = {
  name: 'items',
  columns: [
    { name: 'id', type: 'int64', nullable: false },
    { name: 'label', type: 'string' },
  ],
};
const ROWS = 200;

let vast: FakeVast;
let db: TableManager;
beforeAll(async () => {
  vast = await startFakeVast();
  db = await TableManager.open(testEngine(vast, 'resume'), [T]);
  await db.insert(
    'items',
    Array.from({ length: ROWS }, (_, i) => ({ id: BigInt(i), label: `row ${i}` })),
  );
});
afterAll(async () => {
  await db?.close();
  await vast?.close();
});

const ids = async () =>
  ((await db.select('items')).map((r) => r.id) as bigint[]).sort((a, b) => Number(a - b));
const all = Array.from({ length: ROWS }, (_, i) => BigInt(i));

describe('a select that breaks off', () => {
  it('resumes from its cursors after a connection dropped mid-response', async () => {
    vast.faults.dropConnection('mid-response', { kinds: ['query'], times: 1 });
    const before = { fired: vast.stats.faultsFired, queries: vast.stats.calls.query };
    expect(await ids()).toEqual(all);
    expect(vast.stats.faultsFired - before.fired).toBe(1);
    // The cut answer and the resumed one (with sub-split 0 finished, the others from 0).
    expect(vast.stats.calls.query - before.queries).toBe(2);
    vast.faults.clear();
  });

  it('retries a query the cluster failed, and answers unavailable when it keeps failing', async () => {
    vast.faults.queryFailureAt = 'start';
    vast.faults.queryFailure({ times: 2 });
    expect(await ids()).toEqual(all);
    vast.faults.queryFailureAt = 'start';
    vast.faults.queryFailure({});
    await expect(db.select('items')).rejects.toBeInstanceOf(DbUnavailableError);
    vast.faults.clear();
    expect(await ids()).toEqual(all);
  });
});
