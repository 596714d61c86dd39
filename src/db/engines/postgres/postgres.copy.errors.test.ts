/**
 * A failing COPY answers as the INSERT path answers the same rows (a value the server refuses,
 * a constraint, a deadlock, a lost connection: one engine sends every insert by unnest, the other
 * every insert by COPY), and an autocommit COPY is run again exactly when it applied nothing: a
 * deadlock, or a connection lost before the end of its data went out; never once the server may
 * have committed it. Connections are cut by a TCP proxy between the engine and the server.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CuttingProxy } from '../../../../test/helpers/postgres.proxy.ts';
import {
  type PostgresServer,
  postgresAvailable,
  startPostgres,
} from '../../../../tools/postgres/postgres.server.ts';
import { DbConflictError, DbUnavailableError } from '../../db.errors.ts';
import type { Row, TableDef } from '../../db.types.ts';
import { TableManager } from '../../manager.ts';
import { PostgresEngine } from './postgres.engine.ts';

const ITEMS: TableDef = {
  name: 'items',
  columns: [
    { name: 'id', type: 'int64', nullable: false },
    { name: 'n', type: 'int32' },
    { name: 'at', type: 'timestamp' },
    { name: 'meta', type: 'json' },
    { name: 'text', type: 'string' },
  ],
};

/** The two ways an insert goes: every one by unnest, every one by COPY. */
const WAYS = [
  ['INSERT', Number.POSITIVE_INFINITY],
  ['COPY', 1],
] as const;

/** An error as a caller tells it apart. */
function answer(error: unknown): Record<string, unknown> {
  const e = error as { name?: unknown; code?: unknown; message?: unknown; statusCode?: unknown };
  return {
    class: error?.constructor?.name,
    name: e.name,
    code: e.code,
    message: e.message,
    statusCode: e.statusCode,
  };
}

const available = postgresAvailable();

describe.skipIf(!available)('PostgreSQL COPY failures', () => {
  let server: PostgresServer;
  let proxy: CuttingProxy;
  let admin: pg.Client;
  const managers: TableManager[] = [];
  beforeAll(async () => {
    server = await startPostgres();
    proxy = await CuttingProxy.start(server.port);
    admin = new pg.Client({ connectionString: server.url });
    await admin.connect();
  });
  afterAll(async () => {
    for (const m of managers) await m.close();
    await admin?.end();
    await proxy?.close();
    await server?.close();
  });

  let schemas = 0;
  async function open(copyFromRows: number, url = server.url) {
    const schema = `copy_errors_${++schemas}`;
    const engine = new PostgresEngine({ url, schema, poolSize: 2, copyFromRows });
    const db = await TableManager.open(engine, [ITEMS]);
    managers.push(db);
    return { db, engine, schema };
  }

  const rows = (from: number, n: number, extra: Row = {}): Row[] =>
    Array.from({ length: n }, (_, i) => ({ id: BigInt(from + i), n: i, ...extra }));

  /** What each way answers when `fail` inserts into a fresh store, and the rows it left. */
  async function bothWays(
    fail: (store: Awaited<ReturnType<typeof open>>) => Promise<unknown>,
  ): Promise<Record<string, unknown>> {
    const answers: Record<string, unknown> = {};
    for (const [way, copyFromRows] of WAYS) {
      const store = await open(copyFromRows);
      const error = await fail(store).then(
        () => undefined,
        (e: unknown) => e,
      );
      answers[way] = { error: answer(error), left: await store.db.count(ITEMS.name) };
    }
    return answers;
  }

  it('answers a value the server refuses as INSERT does (22xxx)', async () => {
    for (const bad of [
      { at: new Date(-8.64e15) }, // a Date PostgreSQL's timestamptz cannot hold: 22008
    ]) {
      const answers = await bothWays(({ db }) =>
        db.transaction((tx) => tx.insert(ITEMS.name, [...rows(0, 50), ...rows(50, 1, bad), ...rows(51, 50)])),
      );
      expect(answers.COPY).toEqual(answers.INSERT);
      expect(answers.COPY).toMatchObject({ error: { code: 'invalid_value' }, left: 0 });
    }
    // Below the manager, values only the server checks: JSON text, a 32-bit overflow.
    for (const bad of [{ meta: '{"a": ' }, { n: 2 ** 31 }]) {
      const answers = await bothWays(({ engine }) =>
        engine.session.insert(ITEMS.name, [...rows(0, 50), { id: 50n, ...bad }, ...rows(51, 50)]),
      );
      expect(answers.COPY).toEqual(answers.INSERT);
      expect(answers.COPY).toMatchObject({ error: { code: 'invalid_value' }, left: 0 });
    }
  });

  it('answers a text holding U+0000 as INSERT does', async () => {
    const answers = await bothWays(({ db }) =>
      db.insert(ITEMS.name, [...rows(0, 50), ...rows(50, 1, { text: 'a\u0000b' }), ...rows(51, 50)]),
    );
    expect(answers.COPY).toEqual(answers.INSERT);
    expect(answers.COPY).toMatchObject({ error: { code: 'invalid_value' }, left: 0 });
  });

  it('answers a constraint the rows break as INSERT does (23xxx)', async () => {
    const answers = await bothWays(async ({ db, schema }) => {
      await admin.query(`ALTER TABLE "${schema}"."items" ADD CONSTRAINT positive CHECK (n >= 0)`);
      await db.insert(ITEMS.name, [...rows(0, 50), ...rows(50, 1, { n: -1 }), ...rows(51, 50)]);
    });
    expect(answers.COPY).toEqual(answers.INSERT);
    expect(answers.COPY).toMatchObject({ error: { code: 'invalid_value' }, left: 0 });
  });

  /**
   * A deadlock between the insert and another session's transaction, which the engine's backend
   * finds (it checks 3 s after it begins to wait, the other never in the test's time): the insert
   * writes id 0, then waits for the other's id 99; the other then waits for id 0.
   */
  async function deadlock(insert: (db: TableManager) => Promise<unknown>, copyFromRows: number) {
    const url = `${server.url}?options=${encodeURIComponent('-c deadlock_timeout=3s')}&application_name=deadlock`;
    const { db, schema } = await open(copyFromRows, url);
    await admin.query(`CREATE UNIQUE INDEX ON "${schema}"."items" (id)`);
    const other = new pg.Client({ connectionString: server.url });
    await other.connect();
    try {
      await other.query("SET deadlock_timeout = '10min'");
      await other.query('BEGIN');
      await other.query(`INSERT INTO "${schema}"."items" (id) VALUES (99)`);
      const outcome = insert(db).then(
        () => undefined,
        (e: unknown) => e,
      );
      for (;;) {
        const { rows: waiting } = await admin.query(
          "SELECT 1 FROM pg_stat_activity WHERE application_name = 'deadlock' AND wait_event_type = 'Lock'",
        );
        if (waiting.length > 0) break;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      // Returns once the engine's statement lost the deadlock (its id 0 is gone).
      await other.query(`INSERT INTO "${schema}"."items" (id) VALUES (0)`);
      await other.query('ROLLBACK');
      return { error: await outcome, count: await db.count(ITEMS.name) };
    } finally {
      await other.query('ROLLBACK').catch(() => undefined);
      await other.end();
    }
  }

  for (const [way, copyFromRows] of WAYS) {
    it(`runs again an autocommit ${way} that lost a deadlock`, async () => {
      const result = await deadlock((db) => db.insert(ITEMS.name, rows(0, 100)), copyFromRows);
      expect(result).toEqual({ error: undefined, count: 100 });
    });

    it(`answers DbConflictError for a ${way} in a transaction that lost a deadlock`, async () => {
      const result = await deadlock(
        (db) => db.transaction((tx) => tx.insert(ITEMS.name, rows(0, 100))),
        copyFromRows,
      );
      expect(result).toEqual({ error: expect.any(DbConflictError), count: 0 });
    });
  }

  it('answers DbUnavailableError for a transaction whose connection is lost mid-insert, as INSERT does', async () => {
    const answers: Record<string, unknown> = {};
    for (const [way, copyFromRows] of WAYS) {
      const { db } = await open(copyFromRows, proxy.url());
      // The INSERT before it reaches the server; the COPY once the server is taking its data.
      proxy.cut =
        way === 'COPY'
          ? { trigger: 'COPY ', after: 'bytes', bytes: 0 }
          : { trigger: 'INSERT INTO', after: 'nothing' };
      const error = await db
        .transaction(async (tx) => {
          await tx.insert(ITEMS.name, rows(0, 10, { meta: '{}' }));
          await tx.insert(ITEMS.name, rows(10, 1000, { text: 'x'.repeat(1000) }));
        })
        .catch((e: unknown) => e);
      expect(proxy.cut).toBeUndefined();
      const { class: kind, code } = answer(error);
      answers[way] = { class: kind, code, left: await db.count(ITEMS.name) };
      // The pool's next connection works.
      await db.insert(ITEMS.name, rows(2000, 1));
    }
    expect(answers.COPY).toEqual(answers.INSERT);
    expect(answers.COPY).toEqual({ class: 'DbUnavailableError', code: 'unavailable', left: 0 });
  });

  it('runs again an autocommit COPY whose connection was lost before its data all went out', async () => {
    const { db } = await open(1, proxy.url());
    // 40 MB: far more than the sockets between the engine and the proxy hold, so the COPY cannot
    // have sent its end when the proxy cuts, 256 KiB into its data.
    const text = 'y'.repeat(10_000);
    proxy.cut = { trigger: 'COPY ', after: 'bytes', bytes: 256 * 1024 };
    await db.insert(ITEMS.name, rows(0, 4000, { text }));
    expect(proxy.cut).toBeUndefined();
    expect(await db.count(ITEMS.name)).toBe(4000);
    // A write left waiting on the dead socket shows as this test's timeout (the copies take ~2 s).
  }, 60_000);

  it('never runs again an autocommit COPY whose connection was lost after its end went out', async () => {
    const { db } = await open(1, proxy.url());
    proxy.cut = { trigger: 'COPY ', after: 'copy answer' };
    // Committed by the server, its answer lost: a second run would add the rows twice.
    await expect(db.insert(ITEMS.name, rows(0, 100))).rejects.toBeInstanceOf(DbUnavailableError);
    expect(proxy.cut).toBeUndefined();
    expect(await db.count(ITEMS.name)).toBe(100);
  });
});
