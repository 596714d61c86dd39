/**
 * VAST's limits at the HTTP level, the server on the VAST engine over the fake with its limits on
 * (`vast` project only: test/helpers/vast.mode.ts): a transaction the cluster forgot mid-request
 * is a 503 saying it expired, and the next request works; a begin refused at the cap of open
 * transactions is a 503, and the next request works. (A value over the cell limit: the 400s of
 * test/http/cells.test.ts, which runs here too.)
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { FakeRequestInfo } from '../../tools/vast-fake/fake.faults.ts';
import type { FakeVast } from '../../tools/vast-fake/fake.server.ts';
import type { TestResponse, TestServer } from '../helpers/server.ts';
import { startServer } from '../helpers/server.ts';
import { sharedFakeVast } from '../helpers/vast.mode.ts';
import { createFlow, type Doc, expectError, getFlow, putValue, videoFlow } from '../http/fixtures.ts';

let server: TestServer;
let vast: FakeVast;
let flowId: string;
beforeAll(async () => {
  // No background workers: their transactions would meet the expiries this file causes.
  server = await startServer({ workers: false });
  vast = await sharedFakeVast();
  flowId = (await createFlow(server, videoFlow({ label: 'before' }))).id as string;
});
afterEach(() => {
  vast.faults.clear();
});
afterAll(async () => {
  await server?.close();
});

function expectUnavailable(res: TestResponse, reason: RegExp): void {
  expectError(res, 503);
  expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
  expect((res.body as Doc).summary).toMatch(reason);
}

/** Whether `req` is a call on the flows table (its path ends in `/flows`). */
const onFlows = (req: FakeRequestInfo) => /\/flows(\?|$)/.test(req.target);

/**
 * Sends `request` with its first `kind` call on the flows table held (for a commit: the commit of
 * the transaction that wrote that table, not another one the server commits meanwhile); expires
 * every transaction meanwhile.
 */
async function expiredDuring(
  kind: 'update' | 'commit',
  request: () => Promise<TestResponse>,
): Promise<TestResponse> {
  const writers = new Set<string>();
  const match = (req: FakeRequestInfo): boolean => {
    const txid = req.headers['tabular-txid'];
    if (req.kind !== 'commit') {
      if (onFlows(req) && txid !== undefined) writers.add(txid);
      return req.kind === kind && onFlows(req);
    }
    return kind === 'commit' && txid !== undefined && writers.has(txid);
  };
  const hold = vast.faults.hold({ match, times: 1 });
  const pending = request();
  await expect.poll(() => hold.held).toBe(1);
  expect(vast.store.expireAll()).toBeGreaterThan(0);
  hold.release();
  return pending;
}

describe('a transaction that expires during a request', () => {
  it('is a 503 saying so, nothing is applied, and the next request works', async () => {
    const rollbacks = vast.stats.calls.rollback;
    const res = await expiredDuring('update', () => putValue(server, `/flows/${flowId}/label`, 'lost'));
    expectUnavailable(
      res,
      /^The metadata database \(VAST DataBase\) is unavailable: the transaction expired before the request was done \(nothing of it was applied\)\. Try again later\.$/,
    );
    // The cluster dropped it: nothing is sent under its txid any more.
    expect(vast.stats.calls.rollback).toBe(rollbacks);
    expect((await getFlow(server, flowId)).label).toBe('before');
    expect((await putValue(server, `/flows/${flowId}/label`, 'after')).status).toBe(204);
    expect((await getFlow(server, flowId)).label).toBe('after');
  });

  it('at its commit is a 503 that says its outcome may hang on a lost try', async () => {
    const res = await expiredDuring('commit', () => putValue(server, `/flows/${flowId}/description`, 'x'));
    expectUnavailable(res, /the transaction had expired when it was committed/);
    expect((await getFlow(server, flowId)).description).toBeUndefined();
    expect((await putValue(server, `/flows/${flowId}/description`, 'y')).status).toBe(204);
  });
});

describe('the cap of open transactions', () => {
  it('refuses a request (503) while reached, and the next request works', async () => {
    const cap = vast.limits.maxOpenTransactions;
    // One request holds its transaction open at its commit; the cap is what is open then.
    const hold = vast.faults.hold({ kinds: ['commit'], times: 1 });
    const first = putValue(server, `/flows/${flowId}/label`, 'first');
    await expect.poll(() => hold.held).toBe(1);
    vast.limits.maxOpenTransactions = vast.store.openTransactions;
    try {
      const refusedBefore = vast.limits.refused.begins;
      const res = await server.get(`/flows/${flowId}`);
      expectUnavailable(
        res,
        /^The metadata database \(VAST DataBase\) is unavailable: the cluster answered 503/,
      );
      expect(vast.limits.refused.begins).toBeGreaterThan(refusedBefore);
    } finally {
      vast.limits.maxOpenTransactions = cap;
      hold.release();
    }
    expect((await first).status).toBe(204);
    expect((await getFlow(server, flowId)).label).toBe('first');
  });
});
