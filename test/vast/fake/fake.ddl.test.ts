import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeVast, SERVER_HEADER, startFakeVast } from '../../../tools/vast-fake/fake.server.ts';
import { COLUMNS, FakeClient, refusal } from './fake.client.testkit.ts';

let vast: FakeVast;
let client: FakeClient;
beforeAll(async () => {
  vast = await startFakeVast();
  client = new FakeClient(vast);
});
afterAll(async () => {
  client.close();
  await vast.close();
});

describe('fake VAST: catalog calls', () => {
  it('answers the version probe with a 5.3 Server header', async () => {
    const r = await client.transport.request({ method: 'GET', path: '/', query: [['transaction']] });
    expect(r.headers.server).toBe(SERVER_HEADER);
    expect([vast.stats.calls.probe, vast.stats.calls.keepalive]).toEqual([1, 0]);
  });

  it('refuses a wrong signature with 403 SignatureDoesNotMatch, and an unknown bucket with 404', async () => {
    const wrong = new FakeClient(vast, { secretKey: 'not-the-secret' });
    const e = await refusal(wrong.begin());
    wrong.close();
    expect([e.status, e.code]).toEqual([403, 'SignatureDoesNotMatch']);
    const tx = await client.begin();
    const other = await refusal(
      client.transport.request({
        method: 'HEAD',
        path: '/no-such-bucket',
        headers: { 'tabular-txid': String(tx) },
      }),
    );
    expect(other.status).toBe(404); // HEAD: no body, so no code (as S3)
    const listed = await refusal(
      client.transport.request({
        method: 'GET',
        path: '/no-such-bucket',
        query: [['schema']],
        headers: { 'tabular-txid': String(tx) },
      }),
    );
    expect([listed.status, listed.missing]).toEqual([404, 'bucket']);
    await client.transport.request({ method: 'HEAD', path: `/${vast.bucket}` });
    await client.rollback(tx);
  });

  it('creates, lists (exact, prefix, pages) and drops schemas and tables', async () => {
    const tx = await client.begin();
    for (const s of ['ddl_a', 'ddl_b', 'ddl_c', 'other']) await client.createSchema(tx, s);
    const dup = await refusal(client.createSchema(tx, 'ddl_a'));
    expect([dup.status, dup.code, dup.kind]).toEqual([409, 'SchemaAlreadyExists', 'conflict']);
    expect((await client.listSchemas(tx, { 'tabular-name-exact-match': 'ddl_b' })).names).toEqual(['ddl_b']);
    expect((await client.listSchemas(tx, { 'tabular-name-prefix': 'ddl_' })).names).toEqual([
      'ddl_a',
      'ddl_b',
      'ddl_c',
    ]);
    const first = await client.listSchemas(tx, { 'tabular-name-prefix': 'ddl_', 'tabular-max-keys': '2' });
    expect(first.names).toEqual(['ddl_a', 'ddl_b']);
    expect(first.headers['tabular-is-truncated']).toBe('true');
    const second = await client.listSchemas(tx, {
      'tabular-name-prefix': 'ddl_',
      'tabular-max-keys': '2',
      'tabular-next-key': first.headers['tabular-next-key'] as string,
    });
    expect([second.names, second.headers['tabular-is-truncated']]).toEqual([['ddl_c'], 'false']);

    await client.createTable(tx, 'ddl_a', 't1');
    await client.createTable(tx, 'ddl_a', 't2', [{ name: 'n', type: 'int64', nullable: false }]);
    const dupTable = await refusal(client.createTable(tx, 'ddl_a', 't1'));
    expect([dupTable.status, dupTable.code]).toEqual([409, 'TableAlreadyExists']);
    expect((await client.listTables(tx, 'ddl_a')).tables.map((t) => t.name)).toEqual(['t1', 't2']);
    expect((await client.listTables(tx, 'ddl_a', { 'tabular-name-exact-match': 't2' })).tables.length).toBe(
      1,
    );
    expect(await client.columns(tx, 'ddl_a', 't1')).toEqual(COLUMNS);
    const missing = await refusal(client.columns(tx, 'ddl_a', 'nope'));
    expect([missing.status, missing.missing]).toEqual([404, 'table']);
    const notEmpty = await refusal(client.dropSchema(tx, 'ddl_a'));
    expect(notEmpty.status).toBe(409);
    await client.dropTable(tx, 'ddl_a', 't1');
    await client.dropTable(tx, 'ddl_a', 't2');
    await client.dropSchema(tx, 'ddl_a');
    const gone = await refusal(client.listTables(tx, 'ddl_a'));
    expect([gone.status, gone.missing]).toEqual([404, 'schema']);
    await client.commit(tx);
    expect(vast.stats.calls.ddl).toBeGreaterThanOrEqual(8);
    expect(vast.stats.calls.list).toBeGreaterThanOrEqual(6);
  });

  it('keeps stats and adds columns that existing rows read as null', async () => {
    const tx = await client.begin();
    await client.createSchema(tx, 'cols');
    await client.createTable(tx, 'cols', 't');
    await client.insert(tx, 'cols', 't', [{ c_utf8: 'x', c_int64: 1n }, { c_int64: 2n }]);
    const stats = await client.stats(tx, 'cols', 't');
    expect(stats.numRows).toBe(2n);
    expect(stats.sizeInBytes).toBeGreaterThan(0n);
    const added = { name: 'c_new', type: 'utf8', nullable: true } as const;
    await client.addColumns(tx, 'cols', 't', [added]);
    expect((await client.columns(tx, 'cols', 't')).map((f) => f.name)).toEqual([
      ...COLUMNS.map((f) => f.name),
      'c_new',
    ]);
    const got = await client.select(tx, 'cols', 't', {
      fields: [...COLUMNS, added],
      columns: ['c_int64', 'c_new'],
    });
    expect(got.rows).toEqual([
      { c_int64: 1n, c_new: null },
      { c_int64: 2n, c_new: null },
    ]);
    await client.rollback(tx);
  });

  it('answers a body that does not decode with 400', async () => {
    const tx = await client.begin();
    await client.createSchema(tx, 'bad');
    const e = await refusal(
      client.transport.request({
        method: 'POST',
        path: `/${vast.bucket}/bad/t`,
        query: [['table']],
        headers: { 'tabular-txid': String(tx) },
        body: new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]),
      }),
    );
    expect(e.status).toBe(400);
    await client.rollback(tx);
  });
});
