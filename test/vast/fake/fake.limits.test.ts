import { Field, Int64, List, Message, Schema, Table, tableToIPC, Utf8, vectorFromArray } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DbUnavailableError } from '../../../src/db/db.errors.ts';
import { VastHttpError } from '../../../src/db/engines/vast/transport/transport.errors.ts';
import { encapsulate } from '../../../src/db/engines/vast/wire/wire.ipc.ts';
import {
  DEFAULT_MAX_OPEN_TRANSACTIONS,
  VAST_CELL_MAX_BYTES,
  VAST_REQUEST_MAX_BYTES,
} from '../../../tools/vast-fake/fake.limits.ts';
import { type FakeVast, startFakeVast } from '../../../tools/vast-fake/fake.server.ts';
import { COLUMNS, FakeClient, failure } from './fake.client.testkit.ts';

let vast: FakeVast;
let client: FakeClient;
let clock = 1_000_000;
beforeAll(async () => {
  vast = await startFakeVast({ txTimeoutMs: 5_000, now: () => clock, maxOpenTransactions: 4 });
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

const texts = async (tx: bigint) =>
  (await client.select(tx, 's', 't', { columns: ['c_utf8'] })).rows.map((r) => r.c_utf8);

describe('fake VAST: limits, on by default', () => {
  it("models VAST's documented values unless told otherwise", async () => {
    const plain = await startFakeVast();
    try {
      expect([
        plain.limits.cellMaxBytes,
        plain.limits.maxOpenTransactions,
        plain.limits.queryMaxBytes,
      ]).toEqual([126_000, DEFAULT_MAX_OPEN_TRANSACTIONS, 5 * 1024 * 1024]);
      expect(plain.store.txTimeoutMs).toBe(60_000);
    } finally {
      await plain.close();
    }
  });

  it('refuses a row write holding a cell over the limit (400), whole; takes one at the limit', async () => {
    const tx = await client.begin();
    const fits = 'é'.repeat(VAST_CELL_MAX_BYTES / 2);
    const over = `${fits}x`;
    const [id = 0n] = await client.insert(tx, 's', 't', [{ c_utf8: fits }]);
    const refused = [
      await failure(client.insert(tx, 's', 't', [{ c_utf8: 'a' }, { c_utf8: over }])),
      await failure(
        client.update(
          tx,
          's',
          't',
          [COLUMNS[0] as (typeof COLUMNS)[number]],
          [{ $row_id: id, c_utf8: over }],
        ),
      ),
    ];
    for (const e of refused) {
      expect(e).toBeInstanceOf(VastHttpError);
      expect([(e as VastHttpError).status, (e as VastHttpError).vastMessage]).toEqual([
        400,
        `column c_utf8: a cell of ${VAST_CELL_MAX_BYTES + 1} bytes exceeds the maximum cell size (${VAST_CELL_MAX_BYTES} bytes)`,
      ]);
    }
    expect(await texts(tx)).toEqual([fits]);
    expect(vast.limits.refused.cells).toBe(2);
    await client.rollback(tx);
  });

  it('sizes cells of the Arrow types other tools write: a list of texts by the sum of its texts', async () => {
    const list = new List(new Field('item', new Utf8(), true));
    const fields = [new Field('id', new Int64(), true), new Field('words', list, true)];
    await client.transport.request({
      method: 'POST',
      path: `/${vast.bucket}/s/lists`,
      query: [['table']],
      body: encapsulate(Message.encode(Message.from(new Schema(fields)))),
    });
    const half = 'w'.repeat(VAST_CELL_MAX_BYTES / 2);
    const rows = (words: string[]) =>
      tableToIPC(
        new Table({
          id: vectorFromArray([1n], new Int64()),
          words: vectorFromArray([words], list),
        }),
        'stream',
      );
    const insert = (words: string[]) =>
      client.transport.request({
        method: 'POST',
        path: `/${vast.bucket}/s/lists`,
        query: [['rows']],
        body: rows(words),
      });
    const before = vast.limits.refused.cells;
    await insert([half, half]);
    const e = await failure(insert([half, half, 'x']));
    expect([(e as VastHttpError).status, (e as VastHttpError).vastMessage]).toEqual([
      400,
      `column words: a cell of ${VAST_CELL_MAX_BYTES + 1} bytes exceeds the maximum cell size (${VAST_CELL_MAX_BYTES} bytes)`,
    ]);
    expect(vast.limits.refused.cells).toBe(before + 1);
  });

  it('refuses a QueryData body over 5 MiB (400 EntityTooLarge), runs one under it, keeps the largest', async () => {
    const tx = await client.begin();
    // An `in` of UUID-sized texts: ~148 bytes each in the body.
    const ids = (n: number) =>
      Array.from({ length: n }, (_, i) => `${String(i).padStart(8, '0')}-${'x'.repeat(27)}`);
    const select = (n: number) =>
      client.select(tx, 's', 't', {
        columns: ['c_utf8'],
        where: { all: [{ column: 'c_utf8', any: [{ op: 'in', value: ids(n) }] }] },
      });
    const refusedBefore = vast.limits.refused.queries;
    expect((await select(30_000)).rows).toEqual([]);
    const under = vast.limits.largestQueryBody;
    expect(under).toBeLessThanOrEqual(VAST_REQUEST_MAX_BYTES);
    const e = await failure(select(40_000));
    expect(e).toBeInstanceOf(VastHttpError);
    const { status, code, vastMessage } = e as VastHttpError;
    expect([status, code]).toEqual([400, 'EntityTooLarge']);
    expect(vastMessage).toMatch(
      new RegExp(
        `^a QueryData request of \\d+ bytes exceeds the maximum request size \\(${VAST_REQUEST_MAX_BYTES} bytes\\)$`,
      ),
    );
    expect(vast.limits.refused.queries).toBe(refusedBefore + 1);
    expect(vast.limits.largestQueryBody).toBeGreaterThan(VAST_REQUEST_MAX_BYTES);
    // Configurable: 0 takes any size.
    vast.limits.queryMaxBytes = 0;
    try {
      expect((await select(40_000)).rows).toEqual([]);
    } finally {
      vast.limits.queryMaxBytes = VAST_REQUEST_MAX_BYTES;
    }
    await client.rollback(tx);
  });

  it('refuses a begin (503) while the cap of open transactions is reached; expired ones free it', async () => {
    const open = [await client.begin(), await client.begin(), await client.begin(), await client.begin()];
    const refused = await failure(client.begin());
    // A begin is not retried (it may have begun one): the 503 ends the call.
    expect(refused).toBeInstanceOf(DbUnavailableError);
    const cause = (refused as Error).cause as VastHttpError;
    expect([cause.status, cause.code]).toEqual([503, 'ServiceUnavailable']);
    expect(cause.vastMessage).toBe('too many open transactions (4, at most 4)');
    expect(vast.limits.refused.begins).toBe(1);
    // Ending one frees a place.
    await client.rollback(open[0] as bigint);
    open[0] = await client.begin();
    // Idle past the timeout: the server forgets them, and they no longer count.
    clock += 5_001;
    const fresh = await client.begin();
    const gone = await failure(client.keepAlive(open[1] as bigint));
    expect([(gone as VastHttpError).status, (gone as VastHttpError).code]).toEqual([
      404,
      'NoSuchTransaction',
    ]);
    expect(vast.store.openTransactions).toBe(1);
    expect(vast.limits.openHighWater).toBe(4);
    await client.commit(fresh);
  });
});
