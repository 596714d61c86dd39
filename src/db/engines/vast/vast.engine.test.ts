/**
 * The VAST engine's own behaviour on the fake server: round trips per operation, reads that
 * neither wait for a write transaction nor for their own commit, freshness after this process's
 * commits, keep-alives of a long transaction (injected timers, the fake's clock moved), and no
 * acknowledged row lost when the cluster answers 503 SlowDown to one request in ten.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { testTransport, vastSettings } from '../../../../test/support/db/engines/vast/vast.testkit.ts';
import { type FakeVast, startFakeVast } from '../../../../tools/vast-fake/fake.server.ts';
import { loadConfig } from '../../../config.ts';
import { DbConflictError, DbUnavailableError } from '../../db.errors.ts';
import type { TableDef } from '../../db.types.ts';
import { openEngine } from '../../engine.factory.ts';
import { TableManager } from '../../manager.ts';
import { col, where } from '../../predicate.ts';
import { VastTransport } from './transport/transport.client.ts';
import type { VastRequest, VastResponse, VastStreamResponse } from './transport/transport.types.ts';
import type { VastTransportLike } from './vast.api.ts';
import { createVastEngine, type VastEngine, type VastEngineOptions } from './vast.engine.ts';
import { type EngineTimers, realEngineTimers } from './vast.tx.ts';

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
  vast = await startFakeVast({ now: () => fakeNow, txTimeoutMs: 60_000 });
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

/** Holds commits (`PUT /?transaction`) until released: shows what a call awaits. */
class GatedTransport implements VastTransportLike {
  held: (() => void)[] = [];
  gate = false;
  constructor(private readonly inner: VastTransportLike) {}
  async request(req: VastRequest): Promise<VastResponse> {
    if (this.gate && req.method === 'PUT' && req.query?.[0]?.[0] === 'transaction') {
      await new Promise<void>((resolve) => this.held.push(resolve));
    }
    return this.inner.request(req);
  }
  stream(req: VastRequest): Promise<VastStreamResponse> {
    return this.inner.stream(req);
  }
  close(): void {
    this.inner.close();
  }
}

/** Sends begins (`POST /?transaction`) but holds their answers until released. */
class HeldBegins implements VastTransportLike {
  gate = false;
  readonly waiting: (() => void)[] = [];
  constructor(private readonly inner: VastTransportLike) {}
  async request(req: VastRequest): Promise<VastResponse> {
    const answer = this.inner.request(req);
    if (this.gate && req.method === 'POST' && req.query?.[0]?.[0] === 'transaction') {
      await answer;
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
    return answer;
  }
  stream(req: VastRequest): Promise<VastStreamResponse> {
    return this.inner.stream(req);
  }
  close(): void {
    this.inner.close();
  }
  release(): void {
    this.gate = false;
    for (const r of this.waiting.splice(0)) r();
  }
}

async function open(options: Partial<VastEngineOptions> = {}, transport?: VastTransportLike) {
  const engine = createVastEngine({
    transport: transport ?? testTransport(vast),
    bucket: vast.bucket,
    schema: `engine_${process.pid}_${++schemas}`,
    ...options,
  });
  const db = await TableManager.open(engine, [T]);
  opened.push(db);
  return { db, engine: engine as VastEngine };
}

/** Round trips `op` costs, counted by the engine once everything it started has ended. */
async function roundTrips(engine: VastEngine, op: () => Promise<unknown>): Promise<number> {
  await engine.settled();
  const before = engine.roundTrips;
  await op();
  await engine.settled();
  return engine.roundTrips - before;
}

describe('VAST engine', () => {
  it('costs the round trips it should per operation', async () => {
    const { db, engine } = await open();
    await db.insert('items', [{ id: 1n, label: 'a' }]);
    const figures = {
      // begin, query, commit (the commit is not awaited: see the next test)
      select: await roundTrips(engine, () => db.select('items', { where: where(col('id').eq(1n)) })),
      count: await roundTrips(engine, () => db.count('items')),
      // begin, insert, commit
      insert: await roundTrips(engine, () => db.insert('items', [{ id: 2n, label: 'b' }])),
      // begin, query $row_id, put/delete rows, commit
      update: await roundTrips(engine, () => db.update('items', where(col('id').eq(2n)), { label: 'B' })),
      delete: await roundTrips(engine, () => db.delete('items', where(col('id').eq(2n)))),
      // a segment registration's shape: begin, read, insert, commit
      transaction: await roundTrips(engine, () =>
        db.transaction(async (tx) => {
          await tx.select('items', { where: where(col('id').eq(3n)) });
          await tx.insert('items', [{ id: 3n, label: 'c' }]);
        }),
      ),
      // no round trip at all for a predicate that matches nothing
      nothing: await roundTrips(engine, () => db.select('items', { where: where(col('id').in([])) })),
    };
    expect(figures).toEqual({
      select: 3,
      count: 3,
      insert: 3,
      update: 4,
      delete: 4,
      transaction: 4,
      nothing: 0,
    });
  });

  it('answers a read before its read-only commit is done, and before a write transaction ends', async () => {
    const gated = new GatedTransport(testTransport(vast));
    const { db } = await open({}, gated);
    await db.insert('items', [{ id: 1n, label: 'a' }]);
    gated.gate = true;
    // The read resolves while its commit is held.
    expect(await db.count('items')).toBe(1);
    expect(gated.held).toHaveLength(1);
    // A write transaction that cannot commit yet does not hold reads up.
    let release!: () => void;
    const blocked = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tx = db.transaction(async (t) => {
      await t.insert('items', [{ id: 2n, label: 'b' }]);
      await blocked;
    });
    expect(await db.count('items')).toBe(1);
    release();
    await vi.waitFor(() => expect(gated.held.length).toBe(3));
    gated.gate = false;
    for (const r of gated.held.splice(0)) r();
    await tx;
    expect(await db.count('items')).toBe(2);
  });

  it('shares a read snapshot when asked, and never past this process’s own commit', async () => {
    const { db, engine } = await open({ readSnapshotMs: 3_600_000 });
    await db.insert('items', [{ id: 1n }]);
    expect(await db.count('items')).toBe(1);
    // The snapshot is open: the next read is one round trip.
    expect(await roundTrips(engine, () => db.count('items'))).toBe(1);
    await db.insert('items', [{ id: 2n }]);
    expect(await db.count('items')).toBe(2);
    await db.transaction((tx) => tx.delete('items', where(col('id').eq(1n))));
    expect(await db.count('items')).toBe(1);
  });

  it('lets no read join a shared snapshot older than readSnapshotMs: another process’s commit shows then', async () => {
    let now = 0;
    const schema = `engine_${process.pid}_${++schemas}`;
    // The clock is the test's: no timer of its own ends the idle snapshot meanwhile.
    const timers = { now: () => now, setTimeout: () => ({}), clearTimeout: () => {} };
    const { db, engine } = await open({ schema, readSnapshotMs: 50, timers });
    const other = await TableManager.open(
      createVastEngine({ transport: testTransport(vast), bucket: vast.bucket, schema }),
      [T],
    );
    opened.push(other);
    await db.insert('items', [{ id: 1n }]);
    expect(await db.count('items')).toBe(1); // opens the shared snapshot at 0 ms
    await other.insert('items', [{ id: 2n }]);
    now = 49;
    // Within the window the snapshot is joined (one round trip) and the other's row is missed.
    expect(await roundTrips(engine, async () => expect(await db.count('items')).toBe(1))).toBe(1);
    now = 50;
    expect(await db.count('items')).toBe(2);
  });

  it('shares one begin among reads started in the same turn, never a begin already sent', async () => {
    const schema = `engine_${process.pid}_${++schemas}`;
    const held = new HeldBegins(testTransport(vast));
    const engine = createVastEngine({ transport: held, bucket: vast.bucket, schema }) as VastEngine;
    const db = await TableManager.open(engine, [T]);
    opened.push(db);
    // Another process on the same tables.
    const other = await TableManager.open(
      createVastEngine({ transport: testTransport(vast), bucket: vast.bucket, schema }),
      [T],
    );
    opened.push(other);
    await db.insert('items', [{ id: 1n }]);
    // Three reads started together: one begin, three queries, one commit.
    expect(
      await roundTrips(engine, () => Promise.all([db.count('items'), db.count('items'), db.select('items')])),
    ).toBe(5);
    held.gate = true;
    const begins = vast.stats.calls.begin;
    const first = db.count('items');
    // Its begin has reached the cluster (its answer is held): its snapshot is taken.
    await vi.waitFor(() => expect(vast.stats.calls.begin).toBe(begins + 1));
    await other.insert('items', [{ id: 2n }]);
    // A read that starts now must see that commit: it begins its own transaction.
    const second = db.count('items');
    await vi.waitFor(() => expect(held.waiting).toHaveLength(2));
    held.release();
    expect(await first).toBe(1);
    expect(await second).toBe(2);
  });

  it('opens a table manager on existing tables in one read transaction', async () => {
    const schema = `engine_${process.pid}_${++schemas}`;
    const defs: TableDef[] = ['a', 'b', 'c'].map((n) => ({ ...T, name: `items_${n}` }));
    const first = createVastEngine({ transport: testTransport(vast), bucket: vast.bucket, schema });
    opened.push(await TableManager.open(first, defs));
    const engine = createVastEngine({
      transport: testTransport(vast),
      bucket: vast.bucket,
      schema,
    }) as VastEngine;
    const begins = vast.stats.calls.begin;
    opened.push(await TableManager.open(engine, defs));
    await engine.settled();
    expect(vast.stats.calls.begin - begins).toBe(1);
  });

  it('keeps a long transaction alive with GET /?transaction', async () => {
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
    const { db } = await open({ timers, keepAliveMs: 30_000 });
    const sent = () => vast.stats.calls.keepalive;
    await db.transaction(async (tx) => {
      await tx.insert('items', [{ id: 1n }]);
      const live = intervals.filter((h) => !h.cleared);
      expect(live.map((h) => h.ms)).toEqual([30_000]);
      // Three times 50 s: idle past the fake's 60 s expiry in all, never between keep-alives.
      for (let i = 1; i <= 3; i++) {
        fakeNow += 50_000;
        const before = sent();
        live[0]?.fn();
        await vi.waitFor(() => expect(sent()).toBe(before + 1));
      }
      await tx.insert('items', [{ id: 2n }]);
    });
    expect(intervals.every((h) => h.cleared)).toBe(true);
    expect(await db.count('items')).toBe(2);
    // Without keep-alives the same wait loses the transaction: the cluster forgot it.
    await expect(
      db.transaction(async (tx) => {
        await tx.insert('items', [{ id: 3n }]);
        fakeNow += 70_000;
      }),
    ).rejects.toThrow();
    expect(await db.count('items')).toBe(2);
  });

  it('loses no acknowledged row when one request in ten is answered 503 SlowDown', async () => {
    const { db } = await open({ timers: realEngineTimers });
    const fired = vast.stats.faultsFired;
    vast.faults.slowDown({ every: 10 });
    const acknowledged: bigint[] = [];
    const failed: unknown[] = [];
    for (let i = 0; i < 60; i++) {
      const rows = [{ id: BigInt(2 * i) }, { id: BigInt(2 * i + 1) }];
      try {
        await db.insert('items', rows);
        acknowledged.push(...rows.map((r) => r.id));
      } catch (e) {
        failed.push(e);
      }
    }
    expect(vast.stats.faultsFired - fired).toBeGreaterThan(10);
    vast.faults.clear();
    const stored = (await db.select('items', { columns: ['id'] })).map((r) => r.id as bigint);
    expect(new Set(stored).size).toBe(stored.length);
    expect(stored.sort((a, b) => (a < b ? -1 : 1))).toEqual(acknowledged);
    // The engine re-runs a refused autocommit write in a new transaction: none had to fail.
    expect(failed).toEqual([]);
  });

  it('never re-runs a write whose commit may have been applied', async () => {
    // One try per call: the commit's lost answer reaches the engine as DbUnavailableError.
    const once = new VastTransport({
      endpoints: [vast.url],
      accessKey: vast.keys.access,
      secretKey: vast.keys.secret,
      retry: { maxAttempts: 1 },
    });
    const { db } = await open({ timers: realEngineTimers }, once);
    const fired = vast.stats.faultsFired;
    // The commit is applied and its answer lost: the call fails, and the write must not be run
    // again in a new transaction (the row would be stored twice).
    vast.faults.dropConnection('after-apply', { kinds: ['commit'], times: 1 });
    await expect(db.insert('items', [{ id: 1n }])).rejects.toBeInstanceOf(DbUnavailableError);
    expect(vast.stats.faultsFired).toBe(fired + 1);
    vast.faults.clear();
    expect(await db.count('items')).toBe(1);
  });

  it('refuses a commit lost to another process’s as DbConflictError; an autocommit write runs again', async () => {
    const schema = `engine_${process.pid}_${++schemas}`;
    const gated = new GatedTransport(testTransport(vast));
    const { db } = await open({ schema }, gated);
    const other = await TableManager.open(
      createVastEngine({ transport: testTransport(vast), bucket: vast.bucket, schema }),
      [T],
    );
    opened.push(other);
    await db.insert('items', [{ id: 1n, label: 'first' }]);
    const label = async () => (await other.select('items', { where: where(col('id').eq(1n)) }))[0]?.label;

    // A transaction changed the row; another process changed and committed it meanwhile.
    const conflicts = vast.stats.conflicts;
    const lost = db.transaction(async (tx) => {
      await tx.update('items', where(col('id').eq(1n)), { label: 'mine' });
      await other.update('items', where(col('id').eq(1n)), { label: 'theirs' });
    });
    await expect(lost).rejects.toBeInstanceOf(DbConflictError);
    await expect(lost).rejects.toMatchObject({ code: 'conflict' });
    expect([vast.stats.conflicts - conflicts, await label()]).toEqual([1, 'theirs']);

    // An autocommit write whose commit loses is run again whole, on a snapshot holding the winner.
    gated.gate = true;
    const write = db.update('items', where(col('id').eq(1n)), { label: 'again' });
    await vi.waitFor(() => expect(gated.held).toHaveLength(1));
    gated.gate = false;
    await other.update('items', where(col('id').eq(1n)), { label: 'between' });
    for (const release of gated.held.splice(0)) release();
    await write;
    expect([vast.stats.conflicts - conflicts, await label()]).toEqual([2, 'again']);
  });

  it('reports a table dropped behind its back as unknown_table', async () => {
    const { db, engine } = await open();
    await db.insert('items', [{ id: 1n }]);
    await engine.dropTable('items');
    await expect(db.select('items')).rejects.toMatchObject({ code: 'unknown_table' });
    await expect(db.insert('items', [{ id: 2n }])).rejects.toMatchObject({ code: 'unknown_table' });
  });
});

describe('TAMS_DB=vast', () => {
  it('opens this engine, shared by replicas, with the TAMS_VAST_* settings', async () => {
    const config = loadConfig(vastSettings(vast, `factory_${process.pid}`));
    const db = await TableManager.open(await openEngine(config), [T]);
    opened.push(db);
    expect(db.engine.name).toBe('vast');
    expect(db.topology.ownsStore).toBe(false);
    await db.insert('items', [{ id: 1n, label: 'via config' }]);
    expect(await db.select('items', { columns: ['label'] })).toEqual([{ label: 'via config' }]);
    await expect(openEngine(config, { memory: true })).rejects.toThrow(/no in-memory mode/);
  });
});
