/**
 * Reads run as named prepared statements, prepared again when another server changed the type
 * of a column they return: on a real PostgreSQL, and with the statements' names watched.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type PostgresServer,
  postgresAvailable,
  startPostgres,
} from '../../../../tools/postgres/postgres.server.ts';
import { DbConflictError } from '../../db.errors.ts';
import type { TableDef } from '../../db.types.ts';
import { TableManager } from '../../manager.ts';
import { and, col } from '../../predicate.ts';
import { PostgresEngine } from './postgres.engine.ts';
import { MAX_NAMED, PreparedStatements, type Submit } from './postgres.statements.ts';

const NOTES: TableDef = {
  name: 'notes',
  columns: [
    { name: 'key', type: 'string', nullable: false },
    { name: 'label', type: 'string' },
  ],
};

const PLAN_CHANGED = Object.assign(new Error('cached plan must not change result type'), { code: '0A000' });
const EMPTY = { rows: [], rowCount: 0 };

describe('PreparedStatements', () => {
  it('names each text the same way, and texts past MAX_NAMED not at all', async () => {
    const sent: (string | undefined)[] = [];
    const submit: Submit = async (config) => {
      sent.push(config.name);
      return EMPTY;
    };
    const statements = new PreparedStatements();
    await statements.run(submit, 'SELECT 1', [], false);
    await statements.run(submit, 'SELECT 1', [], false);
    expect(sent[0]).toMatch(/^tams_[0-9a-f]{24}$/);
    expect(sent[1]).toBe(sent[0]);
    for (let i = 0; i < MAX_NAMED; i++) await statements.run(submit, `SELECT ${i + 2}`, [], false);
    expect(sent.at(-1)).toBeUndefined();
    expect(new Set(sent.filter((n) => n !== undefined)).size).toBe(MAX_NAMED);
  });

  it('prepares a statement whose plan changed type again under a new name, once', async () => {
    const sent: (string | undefined)[] = [];
    let failures = 1;
    const submit: Submit = async (config) => {
      sent.push(config.name);
      if (failures-- > 0) throw PLAN_CHANGED;
      return EMPTY;
    };
    const statements = new PreparedStatements();
    await statements.run(submit, 'SELECT 1', [], false);
    expect(sent).toHaveLength(2);
    expect(sent[1]).not.toBe(sent[0]);
    // The new name stays.
    await statements.run(submit, 'SELECT 1', [], false);
    expect(sent[2]).toBe(sent[1]);
    // Inside a transaction the failure is a conflict (the store runs the transaction again).
    failures = 1;
    await expect(statements.run(submit, 'SELECT 1', [], true)).rejects.toBeInstanceOf(DbConflictError);
    failures = 1;
    await expect(statements.run(submit, 'SELECT 2', [], false)).resolves.toBe(EMPTY);
    failures = 2;
    await expect(statements.run(submit, 'SELECT 3', [], false)).rejects.toBe(PLAN_CHANGED);
  });
});

const available = postgresAvailable();

describe.skipIf(!available)('PostgreSQL prepared reads', () => {
  let server: PostgresServer;
  let other: pg.Client;
  let db: TableManager;
  beforeAll(async () => {
    server = await startPostgres();
    other = new pg.Client({ connectionString: server.url });
    await other.connect();
    // One connection: the statements prepared on it are those the later reads use.
    db = await TableManager.open(new PostgresEngine({ url: server.url, schema: 'prepared', poolSize: 1 }), [
      NOTES,
    ]);
    await db.insert(NOTES.name, [
      { key: 'a', label: 'one' },
      { key: 'b', label: 'two' },
    ]);
  });
  afterAll(async () => {
    await db?.close();
    await other?.end();
    await server?.close();
  });

  const read = (tx: Pick<TableManager, 'select'> = db) =>
    tx.select(NOTES.name, { where: and(col('key').eq('a')), columns: ['key', 'label'] });

  it('reads on after another server changed the type of a column the read returns', async () => {
    expect(await read()).toEqual([{ key: 'a', label: 'one' }]);
    await other.query('ALTER TABLE "prepared"."notes" ALTER COLUMN "label" TYPE text COLLATE "POSIX"');
    expect(await read()).toEqual([{ key: 'a', label: 'one' }]);
  });

  it('fails a transaction reading such a column as a conflict, and the next one reads', async () => {
    expect(await db.transaction((tx) => read(tx))).toEqual([{ key: 'a', label: 'one' }]);
    await other.query('ALTER TABLE "prepared"."notes" ALTER COLUMN "label" TYPE text COLLATE "C"');
    await expect(db.transaction((tx) => read(tx))).rejects.toBeInstanceOf(DbConflictError);
    expect(await db.transaction((tx) => read(tx))).toEqual([{ key: 'a', label: 'one' }]);
  });
});
