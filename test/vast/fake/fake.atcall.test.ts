/**
 * The fake's at-call conflict mode (fake.claims.ts): the second of two open transactions changing
 * one row or one object is refused at that call with 409, as VAST's SDK tests expect of VAST
 * (test_tables.py, test_rename_column), and its commit is refused after it.
 */
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeVast } from '../../../tools/vast-fake/fake.server.ts';
import { isRunning, killChild, spawnChild } from '../../helpers/children.ts';
import { COLUMNS, FakeClient, fakeWithTables, refusal } from './fake.client.testkit.ts';

let vast: FakeVast;
let client: FakeClient;
beforeAll(async () => {
  ({ vast, client } = await fakeWithTables({ conflictsAt: 'call' }));
});
afterAll(async () => {
  client.close();
  await vast.close();
});

const utf8 = [COLUMNS[0] as (typeof COLUMNS)[number]];
const ADDED = [{ name: 'c_added', type: 'int64', nullable: true }] as const;

async function rowsOf(table: string, values: { c_int64: bigint }[]): Promise<bigint[]> {
  const tx = await client.begin();
  const ids = await client.insert(tx, 's', table, values);
  await client.commit(tx);
  return ids;
}

const atCall = (e: { status: number; code: string }) => [e.status, e.code];

describe('fake VAST refusing conflicts at the call', () => {
  it('refuses a row change another open transaction made first, at the call, and its commit', async () => {
    const [r1, r2] = (await rowsOf('b', [{ c_int64: 1n }, { c_int64: 2n }])) as [bigint, bigint];
    const t1 = await client.begin();
    const t2 = await client.begin();
    const calls = vast.stats.callConflicts;
    await client.update(t1, 's', 'b', utf8, [{ $row_id: r1, c_utf8: 'one' }]);
    const e = await refusal(client.update(t2, 's', 'b', utf8, [{ $row_id: r1, c_utf8: 'two' }]));
    expect(atCall(e)).toEqual([409, 'SerializationFailure']);
    expect(atCall(await refusal(client.delete(t2, 's', 'b', [r1])))).toEqual([409, 'SerializationFailure']);
    expect(vast.stats.callConflicts - calls).toBe(2);
    // Another row, and inserts, are no conflict.
    const t3 = await client.begin();
    await client.update(t3, 's', 'b', utf8, [{ $row_id: r2, c_utf8: 'three' }]);
    await client.insert(t3, 's', 'b', [{ c_int64: 3n }]);
    await client.insert(t1, 's', 'b', [{ c_int64: 4n }]);
    // The refused transaction's commit is refused too (the SDK's test: errors.Conflict).
    expect(atCall(await refusal(client.commit(t2)))).toEqual([409, 'SerializationFailure']);
    await client.commit(t1);
    await client.commit(t3);
    const check = await client.begin();
    const rows = (await client.select(check, 's', 'b', { columns: ['c_int64', 'c_utf8'] })).rows;
    expect(rows.filter((r) => r.c_utf8 !== null)).toEqual([
      { c_int64: 1n, c_utf8: 'one' },
      { c_int64: 2n, c_utf8: 'three' },
    ]);
    await client.rollback(check);
  });

  it('refuses a row change of a row committed by another transaction since this one began', async () => {
    const [r] = (await rowsOf('b', [{ c_int64: 10n }])) as [bigint];
    const late = await client.begin();
    const first = await client.begin();
    await client.update(first, 's', 'b', utf8, [{ $row_id: r, c_utf8: 'first' }]);
    await client.commit(first);
    expect(atCall(await refusal(client.delete(late, 's', 'b', [r])))).toEqual([409, 'SerializationFailure']);
    await client.rollback(late);
    // A rolled-back holder frees the row at once.
    const holder = await client.begin();
    await client.update(holder, 's', 'b', utf8, [{ $row_id: r, c_utf8: 'held' }]);
    await client.rollback(holder);
    const next = await client.begin();
    await client.update(next, 's', 'b', utf8, [{ $row_id: r, c_utf8: 'next' }]);
    await client.commit(next);
  });

  it('refuses the second create of one table, open or committed since, and lets other tables be', async () => {
    const t1 = await client.begin();
    const t2 = await client.begin();
    const t3 = await client.begin();
    await client.createTable(t1, 's', 'x');
    expect(atCall(await refusal(client.createTable(t2, 's', 'x')))).toEqual([409, 'SerializationFailure']);
    await client.createTable(t3, 's', 'y'); // another table of the same schema
    await client.commit(t1);
    const t4 = await client.begin();
    await client.commit(t3);
    // Begun before t3 committed: its snapshot has no y, and y was committed since.
    expect(atCall(await refusal(client.createTable(t4, 's', 'y')))).toEqual([409, 'SerializationFailure']);
    await client.rollback(t4);
    // Begun after: x is there, refused as existing.
    const t6 = await client.begin();
    expect(atCall(await refusal(client.createTable(t6, 's', 'x')))).toEqual([409, 'TableAlreadyExists']);
    await client.rollback(t6);
  });

  it('refuses a column added to a table another open transaction writes rows of, and a drop of its schema', async () => {
    const writer = await client.begin();
    await client.insert(writer, 's', 'a', [{ c_int64: 20n }]);
    const ddl = await client.begin();
    expect(atCall(await refusal(client.addColumns(ddl, 's', 'a', ADDED)))).toEqual([
      409,
      'SerializationFailure',
    ]);
    await client.rollback(ddl);
    await client.commit(writer);
    // And the other way round: rows written to a table whose columns an open transaction changes.
    const adder = await client.begin();
    await client.addColumns(adder, 's', 'a', ADDED);
    const inserter = await client.begin();
    expect(atCall(await refusal(client.insert(inserter, 's', 'a', [{ c_int64: 21n }])))).toEqual([
      409,
      'SerializationFailure',
    ]);
    await client.rollback(inserter);
    await client.commit(adder);

    const creator = await client.begin();
    await client.createSchema(creator, 'gone');
    await client.commit(creator);
    const maker = await client.begin();
    await client.createTable(maker, 'gone', 't');
    const dropper = await client.begin();
    expect((await refusal(client.dropSchema(dropper, 'gone'))).status).toBe(409);
    await client.rollback(dropper);
    await client.rollback(maker);
  });

  it('answers the code it is given, and its process takes the mode as a flag', async () => {
    const args = ['--conflicts-at', 'call', '--call-conflict-code', 'Busy'];
    const child = spawnChild(process.execPath, ['--import', 'tsx', 'tools/vast-fake/fake.main.ts', ...args], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      const given: Record<string, string> = {};
      for await (const line of createInterface({ input: child.stdout as NodeJS.ReadableStream })) {
        if (line === 'ready') break;
        const at = line.indexOf('=');
        given[line.slice(0, at)] = line.slice(at + 1);
      }
      const other = new FakeClient({
        url: given.url as string,
        bucket: given.bucket as string,
        keys: { access: given.access as string, secret: given.secret as string },
      });
      try {
        const setup = await other.begin();
        await other.createSchema(setup, 's');
        await other.createTable(setup, 's', 't');
        await other.commit(setup);
        const [t1, t2] = [await other.begin(), await other.begin()];
        await other.addColumns(t1, 's', 't', ADDED);
        expect(atCall(await refusal(other.addColumns(t2, 's', 't', ADDED)))).toEqual([409, 'Busy']);
      } finally {
        other.close();
      }
    } finally {
      if (isRunning(child)) await killChild(child);
    }
  });
});
