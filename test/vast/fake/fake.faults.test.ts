import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { VastUnavailableError } from '../../../src/db/engines/vast/transport/transport.errors.ts';
import { QueryDataFailedError } from '../../../src/db/engines/vast/wire/wire.frames.ts';
import { buildQueryRequest } from '../../../src/db/engines/vast/wire/wire.query.ts';
import { type FakeVast, startFakeVast } from '../../../tools/vast-fake/fake.server.ts';
import { FakeClient, failure } from './fake.client.testkit.ts';

let vast: FakeVast;
let client: FakeClient;
beforeAll(async () => {
  vast = await startFakeVast({ keepAliveFrameMs: 5 });
  client = new FakeClient(vast);
  const tx = await client.begin();
  await client.createSchema(tx, 's');
  await client.createTable(tx, 's', 't');
  await client.insert(tx, 's', 't', [{ c_int64: 1n }, { c_int64: 2n }]);
  await client.commit(tx);
});
beforeEach(() => {
  vast.faults.clear();
  vast.stats.reset();
});
afterAll(async () => {
  client.close();
  await vast.close();
});

describe('fake VAST: faults', () => {
  it('answers 503 SlowDown on every N-th picked request; the transport retries idempotent calls', async () => {
    const tx = await client.begin();
    vast.faults.slowDown({ kinds: ['query'], every: 2 });
    for (let i = 0; i < 3; i++) expect((await client.select(tx, 's', 't', {})).count).toBe(2);
    // picks 1..4: the 2nd and 4th were refused and retried
    expect([vast.stats.calls.query, vast.stats.faultsFired]).toEqual([5, 2]);
    vast.faults.slowDown({ kinds: ['insert'] }); // not idempotent: not retried
    const e = await failure(client.insert(tx, 's', 't', [{ c_int64: 3n }]));
    expect(e).toBeInstanceOf(VastUnavailableError);
    await client.rollback(tx);
  });

  it('slows down by predicate, a limited number of times', async () => {
    const tx = await client.begin();
    vast.faults.slowDown({ match: (r) => r.target.endsWith('?stats'), times: 1 });
    expect((await client.stats(tx, 's', 't')).numRows).toBe(2n);
    expect((await client.stats(tx, 's', 't')).numRows).toBe(2n);
    expect([vast.stats.calls.stats, vast.stats.faultsFired]).toEqual([3, 1]);
    await client.rollback(tx);
  });

  it('drops the connection before the body (retried for a select) or after applying (write kept)', async () => {
    const tx = await client.begin();
    vast.faults.dropConnection('before-body', { kinds: ['query'], times: 1 });
    expect((await client.select(tx, 's', 't', {})).count).toBe(2);
    expect(vast.stats.calls.query).toBe(2);
    vast.faults.dropConnection('after-apply', { kinds: ['insert'], times: 1 });
    const e = await failure(client.insert(tx, 's', 't', [{ c_int64: 9n }]));
    expect(e).toBeInstanceOf(VastUnavailableError);
    // the insert reached the transaction although its answer was lost
    expect((await client.select(tx, 's', 't', {})).count).toBe(3);
    vast.faults.dropConnection('after-body', { kinds: ['delete'], times: 1 });
    expect(await failure(client.delete(tx, 's', 't', [0n]))).toBeInstanceOf(VastUnavailableError);
    expect((await client.select(tx, 's', 't', {})).count).toBe(3);
    await client.rollback(tx);
  });

  it('ends a QueryData response with the failure frame', async () => {
    const tx = await client.begin();
    vast.faults.queryFailure({ times: 1 });
    expect(await failure(client.select(tx, 's', 't', {}))).toBeInstanceOf(QueryDataFailedError);
    expect((await client.select(tx, 's', 't', {})).count).toBe(2);
    await client.rollback(tx);
  });

  it('writes the failure frame in full: marker, error code, length 0, then nothing', async () => {
    const tx = await client.begin();
    vast.faults.queryFailure({ times: 1 });
    vast.faults.queryFailureCode = 0x1122334455667788n;
    const r = await client.transport.stream({
      method: 'GET',
      path: `/${vast.bucket}/s/t`,
      query: [['data']],
      headers: { 'tabular-txid': String(tx) },
      body: buildQueryRequest({ fields: [{ name: 'c_int64', type: 'int64', nullable: true }] }).body,
      idempotent: true,
    });
    const chunks: Buffer[] = [];
    for await (const c of r.body) chunks.push(Buffer.from(c));
    const tail = Buffer.concat(chunks).subarray(-16);
    expect(tail.readUInt32LE(0)).toBe(0xfffffffd);
    expect(tail.readBigUInt64LE(4)).toBe(0x1122334455667788n);
    expect(tail.readUInt32LE(12)).toBe(0);
    await client.rollback(tx);
  });

  it('holds a picked commit unapplied until released, while other transactions go on', async () => {
    const setup = await client.begin();
    await client.createTable(setup, 's', 'held');
    await client.commit(setup);
    const tx = await client.begin();
    await client.insert(tx, 's', 'held', [{ c_int64: 7n }]);
    const hold = vast.faults.hold({
      kinds: ['commit'],
      match: (r) => r.headers['tabular-txid'] === String(tx),
    });
    const committing = client.commit(tx);
    await expect.poll(() => hold.held).toBe(1);
    // Not applied: a transaction begun now does not see the row, and commits on its own.
    const other = await client.begin();
    expect((await client.select(other, 's', 'held', {})).count).toBe(0);
    await client.commit(other);
    hold.release();
    await committing;
    const after = await client.begin();
    expect((await client.select(after, 's', 'held', {})).count).toBe(1);
    await client.rollback(after);
    expect(hold.fired).toBe(1);
  });

  it('adds latency, sending keep-alive frames before a slow QueryData answer', async () => {
    const tx = await client.begin();
    vast.faults.latencyMs = 20;
    const r = await client.transport.stream({
      method: 'GET',
      path: `/${vast.bucket}/s/t`,
      query: [['data']],
      headers: { 'tabular-txid': String(tx) },
      body: buildQueryRequest({ fields: [{ name: 'c_int64', type: 'int64', nullable: true }] }).body,
      idempotent: true,
    });
    const chunks: Buffer[] = [];
    for await (const c of r.body) chunks.push(Buffer.from(c));
    const body = Buffer.concat(chunks);
    expect(body.readUInt32LE(0)).toBe(0xffffffff);
    expect((await client.select(tx, 's', 't', {})).count).toBe(2); // the parser skips them
    await client.rollback(tx);
  });

  it('refuses connections while down, and serves the same store on the same port when up', async () => {
    const tx = await client.begin();
    await vast.down();
    expect(await failure(client.begin())).toBeInstanceOf(VastUnavailableError);
    await vast.up();
    const again = new FakeClient(vast, { cooldownMs: 0 });
    expect((await again.select(tx, 's', 't', {})).count).toBe(2);
    again.close();
    await client.rollback(tx).catch(() => undefined);
  });
});
