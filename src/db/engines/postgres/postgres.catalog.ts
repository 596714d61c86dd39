import { createHash } from 'node:crypto';
import { DbError } from '../../db.errors.ts';
import type { ColumnDef, TableDef, TableInfo } from '../../db.types.ts';
import { quote } from '../sql/sql.compile.ts';
import type { PgTable } from './postgres.sql.ts';
import { columnTypeOf, SQL_TYPES, toLiteral } from './postgres.values.ts';

/** What the catalog calls run their statements on: the pool, or one connection in a transaction. */
export interface Queryable {
  query(
    text: string,
    values?: unknown[],
  ): Promise<{ rows: Record<string, unknown>[]; rowCount: number | null }>;
}

export async function listTables(db: Queryable, schema: string): Promise<string[]> {
  const { rows } = await db.query(
    "SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') ORDER BY 1",
    [schema],
  );
  return rows.map((r) => String(r.name));
}

/**
 * The table's columns in their order; null when there is no such table. One statement, so one
 * snapshot: a table another process creates meanwhile is seen whole or not at all (two reads
 * could see no columns, then the table).
 */
export async function loadTable(db: Queryable, schema: string, name: string): Promise<PgTable | null> {
  const { rows } = await db.query(
    `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
      WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p')
      ORDER BY a.attnum`,
    [schema, name],
  );
  // No row: no table. A table without columns is one row of nulls.
  if (rows.length === 0) return null;
  const columns = rows.filter((r) => r.name !== null);
  return {
    qualified: `${quote(schema)}.${quote(name)}`,
    name,
    types: new Map(columns.map((r) => [String(r.name), columnTypeOf(String(r.type))])),
  };
}

export function describe(table: PgTable): TableInfo {
  const columns: ColumnDef[] = [];
  for (const [name, type] of table.types) if (type !== null) columns.push({ name, type, nullable: true });
  return { name: table.name, columns };
}

/**
 * Makes the calling DDL transaction wait for any other process's on the schema, until it ends.
 * Servers starting together on a new schema create it and its tables at once, and PostgreSQL's
 * `IF NOT EXISTS` does not make two concurrent creations safe: the second can fail on the
 * catalog's unique index (23505), and a failed statement aborts its transaction. Taken in turn,
 * each creation sees what the one before committed and skips it.
 */
export async function lockDdl(db: Queryable, schema: string): Promise<void> {
  await db.query("SELECT pg_advisory_xact_lock(hashtext('tams-server DDL'), hashtext($1))", [schema]);
}

/**
 * Creates the store's schema when it is not there. Looked up first: CREATE SCHEMA checks the
 * privilege to create schemas in the database even when the schema exists (IF NOT EXISTS comes
 * after), so a role that owns a schema a DBA made for it, without CREATE on the database, would
 * be refused at every start.
 */
export async function ensureSchema(db: Queryable, schema: string): Promise<void> {
  const found = await db.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
  if (found.rows.length > 0) return;
  await db.query(`CREATE SCHEMA IF NOT EXISTS ${quote(schema)}`);
}

/** Every column nullable (the manager enforces NOT NULL), so older definitions can still write. */
export async function createTable(db: Queryable, schema: string, def: TableDef): Promise<void> {
  const columns = def.columns.map((c) => `${quote(c.name)} ${SQL_TYPES[c.type]}`);
  await db.query(`CREATE TABLE IF NOT EXISTS ${quote(schema)}.${quote(def.name)} (${columns.join(', ')})`);
}

/**
 * ADD COLUMN with the default, then the default dropped again: PostgreSQL 11+ keeps a constant
 * default for the existing rows in the catalog instead of rewriting the table, and the column has
 * none afterwards (the manager fills leaving-out inserts itself). Run in one transaction.
 */
export async function addColumn(
  db: Queryable,
  schema: string,
  table: string,
  column: ColumnDef,
): Promise<void> {
  const qualified = `${quote(schema)}.${quote(table)}`;
  const withDefault =
    column.defaultValue === undefined || column.defaultValue === null
      ? ''
      : ` DEFAULT ${toLiteral(column.type, column.defaultValue)}`;
  await db.query(
    `ALTER TABLE ${qualified} ADD COLUMN IF NOT EXISTS ${quote(column.name)} ${SQL_TYPES[column.type]}${withDefault}`,
  );
  if (withDefault !== '')
    await db.query(`ALTER TABLE ${qualified} ALTER COLUMN ${quote(column.name)} DROP DEFAULT`);
}

export async function dropTable(db: Queryable, schema: string, name: string): Promise<void> {
  await db.query(`DROP TABLE IF EXISTS ${quote(schema)}.${quote(name)}`);
}

/** An index name within PostgreSQL's 63 bytes, the same for the same table and columns. */
export function indexName(table: string, columns: readonly string[]): string {
  const plain = [table, ...columns].join('__');
  if (plain.length <= 60) return plain;
  return `${plain.slice(0, 48)}_${createHash('sha256').update(plain).digest('hex').slice(0, 10)}`;
}

/**
 * A btree index on each column list (TableDef.lookups and .indexes) the table lacks. The catalog
 * is asked first: CREATE INDEX takes a lock that waits for every open write to the table and
 * holds new ones back meanwhile, which a server starting beside busy replicas must not do for an
 * index that is already there.
 */
export async function ensureIndexes(
  db: Queryable,
  schema: string,
  table: string,
  lists: readonly (readonly string[])[],
): Promise<void> {
  const { rows } = await db.query(
    `SELECT c.relname AS name FROM pg_index i
       JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_class t ON t.oid = i.indrelid
       JOIN pg_namespace n ON n.oid = t.relnamespace
      WHERE n.nspname = $1 AND t.relname = $2`,
    [schema, table],
  );
  const existing = new Set(rows.map((r) => String(r.name)));
  for (const columns of lists) {
    const name = indexName(table, columns);
    if (existing.has(name)) continue;
    existing.add(name);
    await db.query(
      `CREATE INDEX IF NOT EXISTS ${quote(name)} ON ${quote(schema)}.${quote(table)} (${columns.map(quote).join(', ')})`,
    );
  }
}

/** Bytes on disk of each table with its indexes and TOAST; tables that do not exist are left out. */
export async function tableBytes(
  db: Queryable,
  schema: string,
  tables: readonly string[],
): Promise<Map<string, number>> {
  const { rows } = await db.query(
    `SELECT c.relname AS name, pg_total_relation_size(c.oid) AS bytes
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relname = ANY($2::text[]) AND c.relkind IN ('r', 'p')`,
    [schema, [...tables]],
  );
  return new Map(rows.map((r) => [String(r.name), Number(r.bytes)]));
}

export function unknownTable(name: string): DbError {
  return new DbError('unknown_table', `unknown table "${name}"`);
}
