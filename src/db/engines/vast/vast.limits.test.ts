/**
 * The engine against VAST's limits, on the fake with its clock moved (never waited for): open
 * transactions are kept alive well within the idle timeout; a transaction the cluster has
 * forgotten ends the request with a DbUnavailableError saying it expired (the API's 503), nothing
 * more is sent under its txid, and the next request works; a cell the cluster refuses is the
 * caller's 400, not a 500.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { testTransport } from '../../../../test/support/db/engines/vast/vast.testkit.ts';
import { type FakeVast, startFakeVast } from '../../../../tools/vast-fake/fake.server.ts';
import { CELL_MAX_BYTES } from '../../../common/cells.ts';
import { DbCellTooLargeError, DbUnavailableError } from '../../db.errors.ts';
import type { TableDef } from '../../db.types.ts';
import { TableManager } from '../../manager.ts';
import { col, where } from '../../predicate.ts';
import { createVastEngine, type VastEngineOptions } from './vast.engine.ts';
import { VastTransactionExpiredError } from './vast.limits.ts';
import type { EngineTimers } from './vast.tx.ts';

const T: TableDef = {
  name: 'items',
  columns: [
    { name: 'id', type: 'int64', nullable: false },
    { name: 'label', type: 'string' },
  ],
};

let fakeNow = 1_000_000;
let vast: FakeVast;
beforeAll(async () => {
  // The fake's idle timeout as it is by default (60 s), on a clock the tests move.
  vast = await startFakeVast({ now: () => fakeNow });
});
afterAll(async () => {
  await vast?.close();
});

let schemas = 0;
const opened: TableManager[] = [];
afterEach(async () => {
  vast.faults.clear();
  for (const db of opened.splice(0)) await db.close();
});

async function open(options: Partial<VastEngineOptions> = {}) {
  const engine = createVastEngine({
    transport: testTransport(vast),
    bucket: vast.bucket,
    schema: `limits_${process.pid}_${++schemas}`,
    ...options,
  });
  const db = await TableManager.open(engine, [T]);
  opened.push(db);
  return db;
}

/** Timers whose intervals the test fires itself. */
function manualIntervals() {
  const intervals: { fn: () => void; ms: number; cleared: boolean }[] = [];
  const timers: Partial<EngineTimers> = {
    setInterval: (fn, ms) => {
      const h = { fn, ms, cleared: false };
      intervals.push(h);
      return h;
    },
    clearInterval: (h) => {
      (h as { cleared: boolean }).cleared = true;
    },
  };
  return { intervals, timers };
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => expect.unreachable('it succeeded'),
    (e: unknown) => e,
  );
}

describe('VAST engine: transactions the cluster forgets', () => {
  it("keeps open transactions alive within a third of the fake's idle timeout by default", async () => {
    const { intervals, timers } = manualIntervals();
    const db = await open({ timers });
    await db.transaction(async (tx) => {
      await tx.insert('items', [{ id: 1n }]);
      const live = intervals.filter((h) => !h.cleared).map((h) => h.ms);
      expect(live).toHaveLength(1);
      expect(live[0]).toBeLessThanOrEqual(vast.store.txTimeoutMs / 3);
    });
  });

  it('ends a transaction idle past the timeout with an expiry (503), sends nothing more for it', async () => {
    const db = await open();
    await db.insert('items', [{ id: 1n, label: 'kept' }]);
    const rollbacks = vast.stats.calls.rollback;
    const e = await rejection(
      db.transaction(async (tx) => {
        await tx.insert('items', [{ id: 2n }]);
        fakeNow += 70_000;
        await tx.update('items', where(col('id').eq(1n)), { label: 'lost' });
      }),
    );
    expect(e).toBeInstanceOf(VastTransactionExpiredError);
    expect(e).toBeInstanceOf(DbUnavailableError);
    expect((e as DbUnavailableError).reason).toBe(
      'the transaction expired before the request was done (nothing of it was applied)',
    );
    // The cluster rolled it back: no rollback is sent under the dead txid.
    expect(vast.stats.calls.rollback).toBe(rollbacks);
    // The next request works, on a new transaction; nothing of the lost one was applied.
    await db.transaction(async (tx) => tx.insert('items', [{ id: 3n }]));
    const rows = await db.select('items', { orderBy: [{ column: 'id' }] });
    expect(rows).toEqual([
      { id: 1n, label: 'kept' },
      { id: 3n, label: null },
    ]);
  });

  it('says so when the transaction had expired at its commit', async () => {
    const db = await open();
    const e = await rejection(
      db.transaction(async (tx) => {
        await tx.insert('items', [{ id: 1n }]);
        fakeNow += 70_000;
      }),
    );
    expect(e).toBeInstanceOf(VastTransactionExpiredError);
    expect((e as VastTransactionExpiredError).atCommit).toBe(true);
    expect((e as DbUnavailableError).reason).toMatch(/^the transaction had expired when it was committed/);
    expect(await db.count('items')).toBe(0);
  });

  it('fails the calls of a transaction at once once a keep-alive found it gone', async () => {
    const { intervals, timers } = manualIntervals();
    const db = await open({ timers });
    const e = await rejection(
      db.transaction(async (tx) => {
        await tx.insert('items', [{ id: 1n }]);
        fakeNow += 70_000;
        const keepalives = vast.stats.calls.keepalive;
        intervals.find((h) => !h.cleared)?.fn();
        await expect.poll(() => vast.stats.calls.keepalive).toBe(keepalives + 1);
        const sent = vast.stats.total;
        // The keep-alive's answer may come a moment after the fake counted it.
        await expect
          .poll(() => tx.count('items').catch((err: unknown) => err))
          .toBeInstanceOf(VastTransactionExpiredError);
        expect(vast.stats.total).toBeLessThanOrEqual(sent + 1);
      }),
    );
    expect(e).toBeInstanceOf(VastTransactionExpiredError);
  });

  it('answers a read whose snapshot expired with an expiry, and the next read works', async () => {
    const db = await open();
    await db.insert('items', [{ id: 1n }]);
    const hold = vast.faults.hold({ kinds: ['query'], times: 1 });
    const read = rejection(db.select('items'));
    await expect.poll(() => hold.held).toBe(1);
    vast.store.expireAll();
    hold.release();
    expect(await read).toBeInstanceOf(VastTransactionExpiredError);
    expect(await db.select('items')).toEqual([{ id: 1n, label: null }]);
  });

  it('re-runs an autocommit write whose transaction expired before its commit, once, anew', async () => {
    const db = await open();
    const hold = vast.faults.hold({ kinds: ['insert'], times: 1 });
    const write = db.insert('items', [{ id: 7n }]);
    await expect.poll(() => hold.held).toBe(1);
    vast.store.expireAll();
    hold.release();
    await write;
    expect(await db.select('items')).toEqual([{ id: 7n, label: null }]);
  });
});

describe('VAST engine: the cap of open transactions', () => {
  it('fails a read whose begin is refused (503); the next read begins anew', async () => {
    // Reads share a snapshot for a minute: the one whose begin failed must not be shared.
    const db = await open({ readSnapshotMs: 60_000 });
    await db.insert('items', [{ id: 1n }]);
    const cap = vast.limits.maxOpenTransactions;
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let opened = () => {};
    const isOpen = new Promise<void>((resolve) => {
      opened = resolve;
    });
    const writer = db.transaction(async (tx) => {
      await tx.insert('items', [{ id: 2n }]);
      opened();
      await held;
    });
    try {
      await isOpen;
      vast.limits.maxOpenTransactions = vast.store.openTransactions;
      try {
        const e = await rejection(db.select('items'));
        expect(e).toBeInstanceOf(DbUnavailableError);
        expect((e as DbUnavailableError).reason).toBe('the cluster answered 503');
      } finally {
        vast.limits.maxOpenTransactions = cap;
      }
      expect(await db.select('items')).toEqual([{ id: 1n, label: null }]);
    } finally {
      release();
      await writer;
    }
  });
});

describe('VAST engine: a cell the cluster refuses', () => {
  it("is the caller's error (400), when the cluster keeps less than the server", async () => {
    const small = await startFakeVast({ cellMaxBytes: 1000 });
    try {
      const engine = createVastEngine({ transport: testTransport(small), bucket: small.bucket, schema: 's' });
      const db = await TableManager.open(engine, [T]);
      opened.push(db);
      const e = await rejection(db.insert('items', [{ id: 1n, label: 'x'.repeat(1001) }]));
      expect(e).toBeInstanceOf(DbCellTooLargeError);
      expect((e as DbCellTooLargeError).statusCode).toBe(400);
      expect((e as Error).message).toMatch(
        /larger than VAST DataBase keeps in one cell \(column label: a cell/,
      );
      expect(CELL_MAX_BYTES).toBeGreaterThan(1001);
      expect(await db.count('items')).toBe(0);
    } finally {
      for (const db of opened.splice(0)) await db.close();
      await small.close();
    }
  });
});
