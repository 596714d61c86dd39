/**
 * What the replicas' design assumes of the shared database's transactions (docs/replicas.md), on
 * a real PostgreSQL: two engines on one schema stand for two replicas. PostgreSQL's REPEATABLE
 * READ is snapshot isolation where the first *updater* of a row wins: a transaction that changes a
 * row another committed after its snapshot fails at once (40001); one that changes a row another
 * open transaction changed waits for it, and fails when that one commits. Either way the loser is
 * DbConflictError and applies nothing. A server that is down is DbUnavailableError.
 */
import { spawnSync } from 'node:child_process';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type PostgresServer,
  postgresAvailable,
  startPostgres,
} from '../../../../tools/postgres/postgres.server.ts';
import { DbConflictError, DbUnavailableError } from '../../db.errors.ts';
import type { TableDef } from '../../db.types.ts';
import { TableManager } from '../../manager.ts';
import { col, where } from '../../predicate.ts';
import { PostgresEngine } from './postgres.engine.ts';

const T: TableDef = {
  name: 'guards_probe',
  columns: [
    { name: 'key', type: 'string', nullable: false },
    { name: 'stamp', type: 'int64' },
  ],
};

const available = postgresAvailable();

describe.skipIf(!available)('PostgreSQL transactions of two processes on one database', () => {
  let server: PostgresServer;
  const opened: TableManager[] = [];
  beforeAll(async () => {
    server = await startPostgres();
  });
  afterAll(async () => {
    for (const db of opened) await db.close();
    await server?.close();
  });

  let stores = 0;
  async function two(): Promise<[TableManager, TableManager]> {
    const schema = `conflicts_${++stores}`;
    const a = await TableManager.open(new PostgresEngine({ url: server.url, schema }), [T]);
    const b = await TableManager.open(new PostgresEngine({ url: server.url, schema }), [T]);
    opened.push(a, b);
    await a.insert(T.name, [
      { key: 'x', stamp: 0n },
      { key: 'y', stamp: 0n },
    ]);
    return [a, b];
  }
  const stamps = async (db: TableManager) =>
    Object.fromEntries((await db.select(T.name)).map((r) => [r.key as string, r.stamp]));

  /** Resolves once some session of the server waits for a row lock. */
  async function someoneWaitsForALock(): Promise<void> {
    const client = new pg.Client({ connectionString: server.url });
    await client.connect();
    try {
      for (;;) {
        const { rows } = await client.query(
          "SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock'",
        );
        if ((rows[0] as { n: number }).n > 0) return;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    } finally {
      await client.end();
    }
  }

  it('refuses a change to a row committed by another since the snapshot, applying none of it', async () => {
    const [a, b] = await two();
    let snapshotTaken!: () => void;
    const taken = new Promise<void>((resolve) => {
      snapshotTaken = resolve;
    });
    let otherCommitted!: () => void;
    const committed = new Promise<void>((resolve) => {
      otherCommitted = resolve;
    });
    const late = b
      .transaction(async (tx) => {
        await tx.select(T.name); // the snapshot
        snapshotTaken();
        await committed;
        await tx.insert(T.name, [{ key: 'z', stamp: 2n }]);
        await tx.update(T.name, where(col('key').eq('x')), { stamp: 2n });
      })
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    await taken;
    await a.transaction((tx) => tx.update(T.name, where(col('key').eq('x')), { stamp: 1n }));
    otherCommitted();
    expect(await late).toBeInstanceOf(DbConflictError);
    expect(await stamps(a)).toEqual({ x: 1n, y: 0n });
  });

  it('makes the second updater of a row wait, and refuses it when the first commits', async () => {
    const [a, b] = await two();
    let release!: () => void;
    const commitFirst = new Promise<void>((resolve) => {
      release = resolve;
    });
    let updated!: () => void;
    const firstUpdated = new Promise<void>((resolve) => {
      updated = resolve;
    });
    const first = a.transaction(async (tx) => {
      await tx.update(T.name, where(col('key').eq('x')), { stamp: 1n });
      updated();
      await commitFirst;
    });
    await firstUpdated;
    const second = b
      .transaction(async (tx) => {
        await tx.insert(T.name, [{ key: 'z', stamp: 2n }]);
        await tx.update(T.name, where(col('key').eq('x')), { stamp: 2n });
      })
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    await someoneWaitsForALock();
    release();
    await first;
    expect(await second).toBeInstanceOf(DbConflictError);
    expect(await stamps(b)).toEqual({ x: 1n, y: 0n });
  });

  it('commits both when both insert into one table, or change different rows', async () => {
    const [a, b] = await two();
    let release!: () => void;
    const bothWrote = new Promise<void>((resolve) => {
      release = resolve;
    });
    const late = b.transaction(async (tx) => {
      await tx.insert(T.name, [{ key: 'q', stamp: 2n }]);
      await tx.update(T.name, where(col('key').eq('y')), { stamp: 2n });
      await bothWrote;
    });
    await a.transaction(async (tx) => {
      await tx.insert(T.name, [{ key: 'p', stamp: 1n }]);
      await tx.update(T.name, where(col('key').eq('x')), { stamp: 1n });
    });
    release();
    await late;
    expect(await stamps(b)).toEqual({ x: 1n, y: 2n, p: 1n, q: 2n });
  });

  it("has the server probe this process's connections every 10 s, so a vanished replica's locks go in ~half a minute", async () => {
    const [a] = await two();
    await a.select(T.name);
    // The server's end of each of its TCP connections, with the kernel's keepalive timer: without
    // the engine's settings it is the system's (two hours).
    const ss = spawnSync('ss', ['-tnoH', 'state', 'established', `( sport = :${server.port} )`], {
      encoding: 'utf8',
    });
    expect(ss.status).toBe(0);
    const timers = [...ss.stdout.matchAll(/timer:\(keepalive,([\d.]+)(ms|sec|min)/g)].map(([, n, unit]) =>
      unit === 'min' ? Number(n) * 60 : unit === 'ms' ? Number(n) / 1000 : Number(n),
    );
    expect(timers.length).toBeGreaterThan(0);
    expect(Math.max(...timers)).toBeLessThanOrEqual(10);
  });

  it('answers DbUnavailableError while the server is down', async () => {
    const gone = await startPostgres();
    const engine = new PostgresEngine({ url: gone.url, schema: 'down', connectTimeoutMs: 2000 });
    try {
      const db = await TableManager.open(engine, [T]);
      await db.insert(T.name, [{ key: 'x', stamp: 0n }]);
      await gone.close();
      await expect(db.select(T.name)).rejects.toBeInstanceOf(DbUnavailableError);
      await expect(db.transaction((tx) => tx.count(T.name))).rejects.toBeInstanceOf(DbUnavailableError);
      await expect(engine.server.probe(new AbortController().signal)).rejects.toBeInstanceOf(
        DbUnavailableError,
      );
    } finally {
      await engine.close();
      await gone.close();
    }
  });
});
