import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeVast } from '../../../tools/vast-fake/fake.server.ts';
import { COLUMNS, type FakeClient, fakeWithTables, refusal } from './fake.client.testkit.ts';

let vast: FakeVast;
let client: FakeClient;
let clock = 1_000_000;
beforeAll(async () => {
  ({ vast, client } = await fakeWithTables({ txTimeoutMs: 5_000, now: () => clock }));
});
afterAll(async () => {
  client.close();
  await vast.close();
});

const ints = async (tx: bigint, table: string) =>
  (await client.select(tx, 's', table, { columns: ['c_int64'] })).rows.map((r) => r.c_int64);

describe('fake VAST: transactions', () => {
  it('hands out txids above 2^53, as decimal text', async () => {
    const tx = await client.begin();
    expect(tx).toBeGreaterThan(2n ** 53n);
    await client.rollback(tx);
  });

  it('isolates uncommitted writes, shows a transaction its own, and commits them atomically', async () => {
    const writer = await client.begin();
    const reader = await client.begin();
    await client.insert(writer, 's', 'a', [{ c_int64: 1n }]);
    await client.insert(writer, 's', 'b', [{ c_int64: 2n }]);
    expect(await ints(writer, 'a')).toEqual([1n]);
    expect(await ints(reader, 'a')).toEqual([]);
    await client.commit(writer);
    expect(await ints(reader, 'a')).toEqual([]); // its snapshot is from its start
    const later = await client.begin();
    expect([await ints(later, 'a'), await ints(later, 'b')]).toEqual([[1n], [2n]]);
    await client.rollback(reader);
    await client.rollback(later);
  });

  it('drops rolled-back writes and never reuses their row ids', async () => {
    const tx = await client.begin();
    const [lost] = await client.insert(tx, 's', 'a', [{ c_int64: 10n }]);
    await client.rollback(tx);
    const tx2 = await client.begin();
    expect(await ints(tx2, 'a')).not.toContain(10n);
    const [kept] = await client.insert(tx2, 's', 'a', [{ c_int64: 11n }]);
    expect(kept).toBeGreaterThan(lost as bigint);
    await client.commit(tx2);
  });

  it('commits two transactions that insert into one table: inserts never conflict', async () => {
    const t1 = await client.begin();
    const t2 = await client.begin();
    await client.insert(t1, 's', 'a', [{ c_int64: 20n }]);
    await client.insert(t2, 's', 'a', [{ c_int64: 21n }]);
    await client.commit(t1);
    await client.commit(t2);
    const check = await client.begin();
    expect(await ints(check, 'a')).toEqual(expect.arrayContaining([20n, 21n]));
    await client.rollback(check);
  });

  it('lets the first committer win when two transactions change one row, and only then', async () => {
    const setup = await client.begin();
    const [r1, r2] = (await client.insert(setup, 's', 'b', [
      { c_int64: 40n, c_utf8: 'r1' },
      { c_int64: 41n, c_utf8: 'r2' },
    ])) as [bigint, bigint];
    await client.commit(setup);
    const utf8 = [COLUMNS[0] as (typeof COLUMNS)[number]];
    const text = async (tx: bigint) =>
      (
        await client.select(tx, 's', 'b', {
          columns: ['c_int64', 'c_utf8'],
          where: { all: [{ column: 'c_int64', any: [{ op: 'in', value: [40n, 41n] }] }] },
        })
      ).rows;

    // Same row updated by both: the second to commit is refused and leaves nothing.
    const t1 = await client.begin();
    const t2 = await client.begin();
    const t3 = await client.begin();
    await client.update(t1, 's', 'b', utf8, [{ $row_id: r1, c_utf8: 'one' }]);
    await client.update(t2, 's', 'b', utf8, [{ $row_id: r1, c_utf8: 'two' }]);
    await client.insert(t2, 's', 'a', [{ c_int64: 42n }]);
    await client.update(t3, 's', 'b', utf8, [{ $row_id: r2, c_utf8: 'three' }]); // another row
    await client.commit(t1);
    const e = await refusal(client.commit(t2));
    expect([e.status, e.code, e.kind]).toEqual([409, 'TransactionConflict', 'conflict']);
    await client.commit(t3);
    let check = await client.begin();
    expect(await text(check)).toEqual([
      { c_int64: 40n, c_utf8: 'one' },
      { c_int64: 41n, c_utf8: 'three' },
    ]);
    expect(await ints(check, 'a')).not.toContain(42n); // t2's insert went with it
    await client.rollback(check);
    const gone = await refusal(client.commit(t2)); // a failed commit ends the transaction
    expect(gone.code).toBe('NoSuchTransaction');

    // A row changed and committed after a transaction began conflicts with that transaction's
    // change of it made later (its snapshot holds the old row), and a delete with an update.
    const late = await client.begin();
    const deleter = await client.begin();
    const first = await client.begin();
    await client.update(first, 's', 'b', utf8, [{ $row_id: r2, c_utf8: 'four' }]);
    await client.commit(first);
    await client.update(late, 's', 'b', utf8, [{ $row_id: r2, c_utf8: 'five' }]);
    await client.delete(deleter, 's', 'b', [r2]);
    expect((await refusal(client.commit(late))).code).toBe('TransactionConflict');
    expect((await refusal(client.commit(deleter))).code).toBe('TransactionConflict');
    check = await client.begin();
    expect((await text(check))[1]).toEqual({ c_int64: 41n, c_utf8: 'four' });
    await client.rollback(check);
  });

  it('refuses row changes made on a table whose columns changed since the transaction began', async () => {
    const writer = await client.begin();
    await client.insert(writer, 's', 'b', [{ c_int64: 50n }]);
    const ddl = await client.begin();
    await client.addColumns(ddl, 's', 'b', [{ name: 'c_added', type: 'int64', nullable: true }]);
    await client.commit(ddl);
    expect((await refusal(client.commit(writer))).code).toBe('TransactionConflict');
  });

  it('updates and deletes by $row_id; an unknown row id is refused and changes nothing', async () => {
    const tx = await client.begin();
    const ids = await client.insert(tx, 's', 'b', [
      { c_int64: 30n, c_utf8: 'x' },
      { c_int64: 31n, c_utf8: 'y' },
    ]);
    const [id30, id31] = ids as [bigint, bigint];
    await client.update(
      tx,
      's',
      'b',
      [COLUMNS[0] as (typeof COLUMNS)[number]],
      [{ $row_id: id31, c_utf8: 'y2' }],
    );
    await client.delete(tx, 's', 'b', [id30]);
    const got = await client.select(tx, 's', 'b', {
      columns: ['c_int64', 'c_utf8'],
      where: { all: [{ column: 'c_int64', any: [{ op: 'in', value: [30n, 31n] }] }] },
    });
    expect(got.rows).toEqual([{ c_int64: 31n, c_utf8: 'y2' }]);
    const e = await refusal(client.delete(tx, 's', 'b', [id30]));
    expect([e.status, e.code]).toEqual([400, 'BadRequest']);
    await client.rollback(tx);
  });

  it('expires an idle transaction, keeps a live one alive, and refuses unknown txids', async () => {
    const idle = await client.begin();
    const kept = await client.begin();
    clock += 4_000;
    await client.keepAlive(kept);
    clock += 4_000;
    const e = await refusal(client.select(idle, 's', 'a', {}));
    expect([e.status, e.code]).toEqual([404, 'NoSuchTransaction']);
    await client.commit(kept);
    const unknown = await refusal(client.commit(123n));
    expect([unknown.status, unknown.code]).toEqual([404, 'NoSuchTransaction']);
  });
});
