/**
 * Autocommit writes on a real PostgreSQL are run again when they failed having applied nothing
 * (a deadlock with another server's transaction, a connection that could not be had), and never
 * when the connection was lost after the statement went out: the server may have committed it.
 * Connections are cut by a TCP proxy between the engine and the server; a cut connection is a
 * failed call, never the end of the process.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CuttingProxy } from '../../../../test/helpers/postgres.proxy.ts';
import {
  type PostgresServer,
  postgresAvailable,
  startPostgres,
} from '../../../../tools/postgres/postgres.server.ts';
import { DbUnavailableError } from '../../db.errors.ts';
import type { TableDef } from '../../db.types.ts';
import { TableManager } from '../../manager.ts';
import { and, col } from '../../predicate.ts';
import { PostgresEngine } from './postgres.engine.ts';

const ITEMS: TableDef = {
  name: 'items',
  columns: [
    { name: 'key', type: 'string', nullable: false },
    { name: 'v', type: 'string' },
  ],
};

const available = postgresAvailable();

describe.skipIf(!available)('PostgreSQL write retries and lost connections', () => {
  let server: PostgresServer;
  let proxy: CuttingProxy;
  const engines: PostgresEngine[] = [];
  beforeAll(async () => {
    server = await startPostgres();
    proxy = await CuttingProxy.start(server.port);
  });
  afterAll(async () => {
    for (const e of engines) await e.close();
    await proxy?.close();
    await server?.close();
  });

  let schemas = 0;
  /** A schema with ITEMS holding k1 then k2, and an engine on it (through `url`, else directly). */
  async function items(url?: string): Promise<{ db: TableManager; schema: string }> {
    const schema = `retries_${++schemas}`;
    const engine = new PostgresEngine({ url: url ?? server.url, schema, poolSize: 2 });
    engines.push(engine);
    const db = await TableManager.open(engine, [ITEMS]);
    await db.insert(ITEMS.name, [{ key: 'k1' }]);
    await db.insert(ITEMS.name, [{ key: 'k2' }]);
    return { db, schema };
  }

  async function session(): Promise<pg.Client> {
    const client = new pg.Client({ connectionString: server.url });
    await client.connect();
    return client;
  }

  it('runs again an update that lost a deadlock to another server', async () => {
    // The engine's backend checks for deadlocks 3 s after it begins to wait, the other session's
    // never in the test's time: when the cycle closes, the engine's statement is the one aborted.
    const url = `${server.url}?options=${encodeURIComponent('-c deadlock_timeout=3s')}`;
    const { db, schema } = await items(url);
    const other = await session();
    try {
      await other.query("SET deadlock_timeout = '10min'");
      await other.query('BEGIN');
      await other.query(`UPDATE "${schema}"."items" SET v = 'other' WHERE key = 'k2'`);
      // One statement: locks k1 (written first), then waits for the other's k2.
      const update = db.update(ITEMS.name, and(col('key').in(['k1', 'k2'])), { v: 'engine' }).then(
        (n) => ({ n }),
        (error: unknown) => ({ error }),
      );
      await waitFor(other, "SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock'");
      // The other session now waits for k1: a cycle, which the engine's backend finds.
      await other.query(`UPDATE "${schema}"."items" SET v = 'other' WHERE key = 'k1'`);
      await other.query('COMMIT');
      expect(await update).toEqual({ n: 2 });
    } finally {
      await other.query('ROLLBACK').catch(() => undefined);
      await other.end();
    }
    expect(await db.select(ITEMS.name, { columns: ['v'] })).toEqual([{ v: 'engine' }, { v: 'engine' }]);
  });

  it('runs again a write whose connection was dropped before anything was sent', async () => {
    const { schema } = await items();
    // A server with no connection yet, whose first one is closed as it is made.
    const engine = new PostgresEngine({ url: proxy.url(), schema, poolSize: 2 });
    engines.push(engine);
    proxy.refuse = 1;
    await engine.session.insert(ITEMS.name, [{ key: 'k3', v: 'new' }]);
    expect(proxy.refuse).toBe(0);
    const check = await session();
    try {
      const { rows } = await check.query(`SELECT key FROM "${schema}"."items" WHERE key = 'k3'`);
      expect(rows).toHaveLength(1);
    } finally {
      await check.end();
    }
  });

  it('never runs again a write whose connection was lost after it went out', async () => {
    const { db } = await items(proxy.url());
    proxy.cut = { trigger: 'INSERT INTO', after: 'answer' };
    // Committed by the server, its answer lost: a second run would add the row twice.
    await expect(db.insert(ITEMS.name, [{ key: 'k3', v: 'once' }])).rejects.toBeInstanceOf(
      DbUnavailableError,
    );
    expect(await db.count(ITEMS.name, and(col('key').eq('k3')))).toBe(1);
  });

  it('ends a write transaction stalled between statements, and its row locks go to other servers', async () => {
    const schema = `retries_${++schemas}`;
    const engine = new PostgresEngine({ url: server.url, schema, poolSize: 2, txIdleSeconds: 1 });
    engines.push(engine);
    const db = await TableManager.open(engine, [ITEMS]);
    await db.insert(ITEMS.name, [{ key: 'k1' }, { key: 'k2' }]);
    const other = await session();
    try {
      const stalled = db.transaction(async (tx) => {
        await tx.update(ITEMS.name, and(col('key').eq('k1')), { v: 'stalled' });
        // The transaction holds k1 and sends nothing while another server waits for k1: only
        // PostgreSQL ending the stalled session lets that UPDATE through.
        await other.query(`UPDATE "${schema}"."items" SET v = 'other' WHERE key = 'k1'`);
        await tx.update(ITEMS.name, and(col('key').eq('k2')), { v: 'stalled' });
      });
      await expect(stalled).rejects.toBeInstanceOf(DbUnavailableError);
    } finally {
      await other.end();
    }
    const rows = await db.select(ITEMS.name, { columns: ['key', 'v'] });
    expect(rows.sort((x, y) => String(x.key).localeCompare(String(y.key)))).toEqual([
      { key: 'k1', v: 'other' },
      { key: 'k2', v: null },
    ]);
    // A transaction that does not stall commits on the same pool.
    await db.transaction((tx) => tx.update(ITEMS.name, and(col('key').eq('k2')), { v: 'next' }));
    expect(await db.count(ITEMS.name, and(col('v').eq('next')))).toBe(1);
  });

  it('answers DbUnavailableError when a transaction loses its connection, and goes on', async () => {
    const { db } = await items(proxy.url());
    proxy.cut = { trigger: 'UPDATE', after: 'answer' };
    const lost = db.transaction(async (tx) => {
      await tx.update(ITEMS.name, and(col('key').eq('k1')), { v: 'lost' });
    });
    await expect(lost).rejects.toBeInstanceOf(DbUnavailableError);
    // Never committed: the server rolled it back with the connection.
    expect(await db.select(ITEMS.name, { columns: ['v'] })).toEqual([{ v: null }, { v: null }]);
  });
});

/** Polls `sql` (a count as `n`) on `client` until it is above zero. */
async function waitFor(client: pg.Client, sql: string): Promise<void> {
  for (;;) {
    const { rows } = await client.query(sql);
    if ((rows[0] as { n: number }).n > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
