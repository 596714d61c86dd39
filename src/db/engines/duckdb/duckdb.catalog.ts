import { VARCHAR } from '@duckdb/node-api';
import { DbError } from '../../db.errors.ts';
import type { ColumnDef, TableDef, TableInfo } from '../../db.types.ts';
import { quote } from '../sql/sql.compile.ts';
import type { DuckConn } from './duckdb.connection.ts';
import { JOURNAL_TABLE } from './duckdb.journal.ts';
import type { PhysicalColumn, PhysicalTable } from './duckdb.physical.ts';
import { BIND_TYPES, columnTypeOf, SQL_TYPES, toDuck } from './duckdb.values.ts';

const COLUMNS_SQL = `SELECT column_name, data_type, is_nullable FROM information_schema.columns
  WHERE table_catalog = current_database() AND table_schema = 'main' AND table_name = $1
  ORDER BY ordinal_position`;

/**
 * The engine's own tables (the append journal's mark) are not the caller's to see; nor are those of
 * a database attached beside it (a backup's snapshot being written, duckdb.snapshot.ts).
 */
const TABLES_SQL = `SELECT table_name FROM information_schema.tables
  WHERE table_catalog = current_database() AND table_schema = 'main' AND table_type = 'BASE TABLE' AND table_name <> '${JOURNAL_TABLE}'
  ORDER BY table_name`;

/**
 * Physical table layouts, cached: valid because this process is the only one with the DuckDB file
 * open and every schema change goes through this engine (which invalidates the entry).
 */
export class Catalog {
  private readonly cache = new Map<string, PhysicalTable>();
  /** Bumped by every invalidation, so a load that raced a schema change does not cache its result. */
  private generation = 0;

  async table(conn: DuckConn, name: string): Promise<PhysicalTable> {
    const cached = this.cache.get(name);
    if (cached !== undefined) return cached;
    const loaded = await this.load(conn, name);
    if (loaded === null) throw new DbError('unknown_table', `unknown table "${name}"`);
    return loaded;
  }

  async load(conn: DuckConn, name: string): Promise<PhysicalTable | null> {
    const generation = this.generation;
    const result = await conn.query(COLUMNS_SQL, [name], [VARCHAR]);
    const rows = await result.getRows();
    if (rows.length === 0) return null;
    const columns = rows.map(
      ([column, type, nullable]): PhysicalColumn => ({
        name: String(column),
        type: columnTypeOf(String(type)),
        nullable: nullable === 'YES',
      }),
    );
    const table = { name, columns, byName: new Map(columns.map((c) => [c.name, c])) };
    if (generation === this.generation) this.cache.set(name, table);
    return table;
  }

  invalidate(name: string): void {
    this.generation++;
    this.cache.delete(name);
  }

  async listTables(conn: DuckConn): Promise<string[]> {
    const result = await conn.query(TABLES_SQL);
    return (await result.getRows()).map(([name]) => String(name));
  }

  async describe(conn: DuckConn, name: string): Promise<TableInfo | null> {
    const table = await this.load(conn, name);
    if (table === null) return null;
    const columns: ColumnDef[] = [];
    // Columns of types the contract cannot express are left out: the manager never touches them.
    for (const c of table.columns)
      if (c.type !== null) columns.push({ name: c.name, type: c.type, nullable: c.nullable });
    return { name, columns };
  }
}

/**
 * Columns are created nullable whatever the definition says: the manager enforces `nullable: false`
 * on every write, and a NOT NULL in the table would make inserts from a definition that no longer
 * declares the column (an older server version, say) fail instead of ignoring it.
 */
export function createTableSql(def: TableDef): string {
  const columns = def.columns.map((c) => `${quote(c.name)} ${SQL_TYPES[c.type]}`);
  return `CREATE TABLE ${quote(def.name)} (${columns.join(', ')})`;
}

/** An ART index for exact-value lookups of `column` (TableDef.lookups), made once. */
export function lookupIndexSql(table: string, column: string): string {
  return `CREATE INDEX IF NOT EXISTS ${quote(`${table}__${column}__lookup`)} ON ${quote(table)} (${quote(column)})`;
}

export function dropTableSql(name: string): string {
  return `DROP TABLE IF EXISTS ${quote(name)}`;
}

/**
 * Adds a column (nullable, see createTableSql). DDL cannot take parameters, so the default for the
 * existing rows is written by a bound UPDATE in the same transaction.
 */
export async function addColumn(conn: DuckConn, table: string, column: ColumnDef): Promise<void> {
  await conn.exec('BEGIN TRANSACTION');
  try {
    await conn.exec(`ALTER TABLE ${quote(table)} ADD COLUMN ${quote(column.name)} ${SQL_TYPES[column.type]}`);
    if (column.defaultValue !== undefined && column.defaultValue !== null) {
      await conn.query(
        `UPDATE ${quote(table)} SET ${quote(column.name)} = $1`,
        [toDuck(column.type, column.defaultValue)],
        [BIND_TYPES[column.type]],
      );
    }
    await conn.exec('COMMIT');
  } catch (e) {
    await conn.exec('ROLLBACK').catch(() => undefined);
    throw e;
  }
}
