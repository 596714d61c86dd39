/**
 * Inserts of a write transaction are held and carried by its next write to another table, as
 * the WITH clauses of one statement (postgres.session.ts): on a real PostgreSQL that logs every
 * statement it receives, what reaches it, and that the transaction reads and commits what it wrote.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listed, STATEMENT_SETTINGS, StatementLog } from '../../../../test/postgres/pg.statements.ts';
import {
  type PostgresServer,
  postgresAvailable,
  startPostgres,
} from '../../../../tools/postgres/postgres.server.ts';
import type { TableDef } from '../../db.types.ts';
import { TableManager } from '../../manager.ts';
import { and, col } from '../../predicate.ts';
import { PostgresEngine } from './postgres.engine.ts';

const table = (name: string): TableDef => ({
  name,
  columns: [
    { name: 'key', type: 'string', nullable: false },
    { name: 'label', type: 'string' },
  ],
});
const NOTES = table('notes');
const TAGS = table('tags');
const MARKS = table('marks');
const SCHEMA = 'carried';

const available = postgresAvailable();

describe.skipIf(!available)('inserts carried by the next write of a PostgreSQL transaction', () => {
  let server: PostgresServer;
  let other: pg.Client;
  let db: TableManager;
  const log = new StatementLog();
  beforeAll(async () => {
    server = await startPostgres({ settings: STATEMENT_SETTINGS, onLog: log.onLog });
    other = new pg.Client({ connectionString: server.url });
    await other.connect();
    db = await TableManager.open(new PostgresEngine({ url: server.url, schema: SCHEMA, poolSize: 2 }), [
      NOTES,
      TAGS,
      MARKS,
    ]);
    await db.insert(MARKS.name, [{ key: 'm', label: 'old' }]);
    // Each table's columns, read by the engine at its first use, not in the transactions below.
    for (const t of [NOTES, TAGS, MARKS]) await db.select(t.name);
  });
  afterAll(async () => {
    await db?.close();
    await other?.end();
    await server?.close();
  });

  const keys = async (name: string) =>
    (await db.select(name, { columns: ['key'], orderBy: [{ column: 'key' }] })).map((r) => r.key);

  it('sends inserts with the next write to another table, in one statement', async () => {
    let changed = 0;
    const sent = await log.during(other, () =>
      db.transaction(async (tx) => {
        await tx.insert(NOTES.name, [{ key: 'n1' }, { key: 'n2' }]);
        await tx.insert(TAGS.name, [{ key: 't1', label: 'x' }]);
        changed = await tx.update(MARKS.name, and(col('key').eq('m')), { label: 'new' });
      }),
    );
    expect(changed).toBe(1);
    expect(
      sent.map((s) => s.text.split(' ')[0]),
      listed(sent),
    ).toEqual(['BEGIN', 'WITH', 'COMMIT']);
    expect(sent[1]?.text).toMatch(
      /^WITH w0 AS \(INSERT INTO "carried"."notes".*w1 AS \(INSERT INTO "carried"."tags".*\) UPDATE "carried"."marks"/,
    );
    expect(await keys(NOTES.name)).toEqual(['n1', 'n2']);
    expect(await keys(TAGS.name)).toEqual(['t1']);
  });

  it('sends them first where a statement must see them, and before the commit', async () => {
    const sent = await log.during(other, () =>
      db.transaction(async (tx) => {
        await tx.insert(NOTES.name, [{ key: 'n3' }]);
        // A read sees what the transaction wrote.
        expect((await tx.select(NOTES.name, { where: and(col('key').eq('n3')) })).length).toBe(1);
        await tx.insert(NOTES.name, [{ key: 'n4' }]);
        // A write to the table they insert into too.
        expect(await tx.update(NOTES.name, and(col('key').eq('n4')), { label: 'seen' })).toBe(1);
        await tx.insert(TAGS.name, [{ key: 't2' }]);
      }),
    );
    expect(
      sent.map((s) => s.text.split(' ')[0]),
      listed(sent),
    ).toEqual(['BEGIN', 'INSERT', 'SELECT', 'INSERT', 'UPDATE', 'INSERT', 'COMMIT']);
    expect(await keys(NOTES.name)).toEqual(['n1', 'n2', 'n3', 'n4']);
    expect(await keys(TAGS.name)).toEqual(['t1', 't2']);
  });

  it('fails the transaction whose carried insert failed, even where the failure was let go', async () => {
    await other.query(
      `ALTER TABLE "${SCHEMA}"."notes" ADD CONSTRAINT no_bad CHECK (label IS DISTINCT FROM 'bad')`,
    );
    try {
      const run = db.transaction(async (tx) => {
        await tx.insert(NOTES.name, [{ key: 'n5', label: 'bad' }]);
        // The update carries the insert: both fail, and this caller goes on regardless.
        await tx.update(MARKS.name, and(col('key').eq('m')), { label: 'newer' }).catch(() => 0);
      });
      await expect(run).rejects.toThrow(/no_bad/);
      expect(await keys(NOTES.name)).toEqual(['n1', 'n2', 'n3', 'n4']);
      expect((await db.select(MARKS.name, { columns: ['label'] }))[0]?.label).toBe('new');
    } finally {
      await other.query(`ALTER TABLE "${SCHEMA}"."notes" DROP CONSTRAINT no_bad`);
    }
  });

  it('sends inserts outside a transaction at once', async () => {
    const sent = await log.during(other, () => db.insert(NOTES.name, [{ key: 'n6' }]));
    expect(
      sent.map((s) => s.text.split(' ')[0]),
      listed(sent),
    ).toEqual(['INSERT']);
  });
});
