/**
 * The calls VAST's newer clients make beside the engine's: `?sorted-columns` (vastdb 2.1.0 opens
 * every table with it), `?columns` (the Java client's listing), and calls outside a transaction
 * (the SDK's calls default to txid 0; the Java client lists without a txid).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeListSchemasResponse } from '../../../src/db/engines/vast/wire/wire.catalog.ts';
import { decodeStreamSchema, encodeSchemaMessage } from '../../../src/db/engines/vast/wire/wire.schema.ts';
import { type FakeVast, startFakeVast } from '../../../tools/vast-fake/fake.server.ts';
import { COLUMNS, FakeClient, refusal } from './fake.client.testkit.ts';

let vast: FakeVast;
let client: FakeClient;
/** No transaction: the SDK sends `tabular-txid: 0`. */
const NONE = 0n;
beforeAll(async () => {
  vast = await startFakeVast();
  client = new FakeClient(vast);
  const tx = await client.begin();
  await client.createSchema(tx, 's');
  await client.createTable(tx, 's', 't');
  await client.commit(tx);
});
afterAll(async () => {
  client.close();
  await vast.close();
});

const get = (path: string, command: string, headers: Record<string, string> = {}) =>
  client.transport.request({ method: 'GET', path: `/${vast.bucket}/${path}`, query: [[command]], headers });

describe('fake VAST: sorted columns and column listings', () => {
  it('answers ?sorted-columns on a table without a sorting key with 400, as VAST does', async () => {
    const e = await refusal(get('s/t', 'sorted-columns'));
    expect(e.status).toBe(400);
    expect(e.message).toMatch(/Listing sorted.*columns.*without elysium.*enabled/);
    expect((await refusal(get('s/missing', 'sorted-columns'))).status).toBe(404);
  });

  it('refuses to create a sorted table with 501 rather than creating an unsorted one', async () => {
    const e = await refusal(
      client.transport.request({
        method: 'POST',
        path: `/${vast.bucket}/s/sorted`,
        query: [['table']],
        headers: { 'tabular-sorted-column-0': 'c_int64' },
        body: encodeSchemaMessage(COLUMNS),
      }),
    );
    expect([e.status, e.code]).toEqual([501, 'NotImplemented']);
    expect((await client.listTables(NONE, 's')).tables.map((t) => t.name)).toEqual(['t']);
  });

  it('lists columns under ?columns as under ?column', async () => {
    const listed = decodeStreamSchema((await get('s/t', 'columns')).body);
    expect(listed).toEqual(await client.columns(NONE, 's', 't'));
    expect(listed.map((f) => f.name)).toEqual(COLUMNS.map((f) => f.name));
  });
});

describe('fake VAST: calls outside a transaction', () => {
  it('lists the committed catalog, with tabular-txid 0 or without the header', async () => {
    const open = await client.begin();
    await client.createSchema(open, 'uncommitted');
    try {
      expect((await client.listSchemas(NONE)).names).toEqual(['s']);
      const bare = await client.transport.request({
        method: 'GET',
        path: `/${vast.bucket}`,
        query: [['schema']],
      });
      expect(decodeListSchemasResponse(bare.body).schemas.map((s) => s.name)).toEqual(['s']);
    } finally {
      await client.rollback(open);
    }
  });

  it('commits each write at once, seen by transactions begun after it', async () => {
    await client.createSchema(NONE, 'auto');
    await client.createTable(NONE, 'auto', 'rows');
    const [id] = await client.insert(NONE, 'auto', 'rows', [{ c_int64: 7n, c_utf8: 'seven' }]);
    const tx = await client.begin();
    const got = await client.select(tx, 'auto', 'rows', { columns: ['c_int64', 'c_utf8'], rowId: true });
    expect(got.rows).toEqual([{ c_int64: 7n, c_utf8: 'seven', $row_id: id }]);
    await client.rollback(tx);
    expect((await client.select(NONE, 'auto', 'rows', {})).count).toBe(1);
  });

  it('leaves nothing behind when the call fails, and still refuses a commit without a txid', async () => {
    const e = await refusal(client.delete(NONE, 'auto', 'rows', [999n]));
    expect(e.status).toBe(400);
    expect(vast.store.openTransactions).toBe(0);
    const commit = await refusal(
      client.transport.request({ method: 'PUT', path: '/', query: [['transaction']] }),
    );
    expect([commit.status, commit.code]).toEqual([400, 'MissingTransaction']);
  });

  it('commits as a transaction does: a transaction changing the same row after it loses', async () => {
    const tx = await client.begin();
    const [row] = (await client.select(tx, 'auto', 'rows', { columns: ['c_int64'], rowId: true })).rows;
    const id = row?.$row_id as bigint;
    const utf8 = [COLUMNS[0] as (typeof COLUMNS)[number]];
    await client.update(NONE, 'auto', 'rows', utf8, [{ $row_id: id, c_utf8: 'outside' }]);
    await client.update(tx, 'auto', 'rows', utf8, [{ $row_id: id, c_utf8: 'inside' }]);
    const e = await refusal(client.commit(tx));
    expect([e.status, e.code]).toEqual([409, 'TransactionConflict']);
    const got = await client.select(NONE, 'auto', 'rows', { columns: ['c_utf8'] });
    expect(got.rows).toEqual([{ c_utf8: 'outside' }]);
  });
});

describe('fake VAST: rows written, then the table changed, in one transaction', () => {
  it('commits a drop or an added column after the same transaction changed rows', async () => {
    const setup = await client.begin();
    await client.createTable(setup, 's', 'rows_then_drop');
    await client.createTable(setup, 's', 'rows_then_column');
    await client.commit(setup);
    const tx = await client.begin();
    await client.insert(tx, 's', 'rows_then_drop', [{ c_int64: 1n }]);
    await client.dropTable(tx, 's', 'rows_then_drop');
    await client.insert(tx, 's', 'rows_then_column', [{ c_int64: 2n }]);
    await client.addColumns(tx, 's', 'rows_then_column', [{ name: 'added', type: 'utf8', nullable: true }]);
    await client.commit(tx);
    expect((await client.listTables(NONE, 's')).tables.map((t) => t.name)).toEqual(['rows_then_column', 't']);
    const got = await client.select(NONE, 's', 'rows_then_column', {
      fields: [...COLUMNS, { name: 'added', type: 'utf8', nullable: true }],
      columns: ['c_int64', 'added'],
    });
    expect(got.rows).toEqual([{ c_int64: 2n, added: null }]);
  });
});
