import {
  type DuckDBAppender,
  DuckDBDataChunk,
  type DuckDBType,
  type DuckDBValue,
  VARCHAR,
} from '@duckdb/node-api';
import { DbError } from '../../db.errors.ts';
import type { ColumnType, Row, Value } from '../../db.types.ts';
import { columnsOf, quote } from '../sql/sql.compile.ts';
import type { DuckConn } from './duckdb.connection.ts';
import { fromJson, jsonRows, jsonStructure } from './duckdb.json.ts';
import type { PhysicalTable } from './duckdb.physical.ts';
import { Params, DUCKDB_SQL as SQL } from './duckdb.sql.ts';
import { toDuck } from './duckdb.values.ts';

/**
 * Outside a transaction, inserts of fewer rows than this are one prepared multi-row INSERT: the
 * appender would need BEGIN and COMMIT around it to be atomic. Measured on 10-column rows: the
 * two cost the same at about 8 rows (~1 ms), the statement costs ~1.5x at 16 rows and ~3x at 64.
 */
export const APPENDER_MIN_ROWS = 10;

/** DuckDB's vector size: the appender takes data chunks of at most this many rows. */
const CHUNK_ROWS = 2048;

/** Whether an autocommit insert of `count` rows needs BEGIN/COMMIT around it to be atomic. */
export function insertNeedsTransaction(count: number): boolean {
  return count >= APPENDER_MIN_ROWS;
}

/**
 * Inside a transaction, inserts of fewer rows than this go as one JSON text parameter of a
 * prepared INSERT run on the calling thread (duckdb.json.ts), larger ones through the appender.
 * Both run synchronously: an asynchronous statement waits its turn on a busy event loop (0.7-1.7
 * ms per insert under single-segment POSTs). The appender plans and runs an INSERT of its own at
 * every flush (~0.3-0.5 ms whatever it carries); the prepared statement is planned once. Measured
 * on the 10M data set's `segments` (14 columns), alone: 0.36 against 0.61 ms for 32 rows, 2.2
 * against 2.4 ms for 1,000.
 */
export const JSON_MAX_ROWS = 256;

/** `inTransaction`: the connection is in the caller's open transaction (see APPENDER_MIN_ROWS). */
export async function insertRows(
  conn: DuckConn,
  table: PhysicalTable,
  rows: readonly Row[],
  inTransaction: boolean,
): Promise<void> {
  if (rows.length === 0) return;
  if (!inTransaction) {
    if (rows.length < APPENDER_MIN_ROWS) await insertStatement(conn, table, rows);
    else await insertAppender(conn, table, rows);
    return;
  }
  if (rows.length < JSON_MAX_ROWS && (await insertJson(conn, table, rows))) return;
  await insertAppender(conn, table, rows);
}

interface JsonInsert {
  sql: string;
  /** The same from the JSON's UTF-8 bytes, bound as a BLOB (no string conversion on the way in). */
  blobSql: string;
  columns: { name: string; type: ColumnType }[];
}

/** Per physical layout (a schema change makes a new PhysicalTable, so entries never go stale). */
const jsonInserts = new WeakMap<PhysicalTable, JsonInsert>();

/** The JSON insert of a table: every column the contract can express, from one JSON array. */
export function jsonInsert(table: PhysicalTable): JsonInsert {
  let insert = jsonInserts.get(table);
  if (insert === undefined) {
    const columns: { name: string; type: ColumnType }[] = [];
    for (const c of table.columns) if (c.type !== null) columns.push({ name: c.name, type: c.type });
    const read = columns.map((c) => fromJson(c.type, `r.${quote(c.name)}`));
    const insertSql = (param: string) =>
      `INSERT INTO ${quote(table.name)} (${columns.map((c) => quote(c.name)).join(', ')}) SELECT ${read.join(', ')} FROM (SELECT unnest(from_json(${param}, ${jsonStructure(columns)})) AS r)`;
    insert = { sql: insertSql('$1::VARCHAR'), blobSql: insertSql('decode($1::BLOB)'), columns };
    jsonInserts.set(table, insert);
  }
  return insert;
}

/**
 * Inserts through the table's JSON statement (see JSON_MAX_ROWS). Returns false, having done
 * nothing, when a value has no JSON form (a NaN or infinite double): the appender takes those.
 */
async function insertJson(conn: DuckConn, table: PhysicalTable, rows: readonly Row[]): Promise<boolean> {
  const text = jsonText(table, rows);
  if (text === undefined) return false;
  conn.runSync(await conn.statement(jsonInsert(table).sql, [text], [VARCHAR]));
  return true;
}

/**
 * The rows as the parameter of the table's JSON insert (their columns checked against the
 * table); undefined when a value has no JSON form (a NaN or infinite double).
 */
export function jsonText(table: PhysicalTable, rows: readonly Row[]): string | undefined {
  mentionedColumns(table, rows);
  return jsonRows(jsonInsert(table).columns, rows as readonly Record<string, Value | undefined>[]);
}

/** The columns the rows mention, checked against the table. */
function mentionedColumns(table: PhysicalTable, rows: readonly Row[]): string[] {
  const names = columnsOf(rows);
  for (const name of names) SQL.columnType(table, name);
  if (names.length === 0)
    throw new DbError('invalid_value', `insert into "${table.name}": rows have no columns`);
  return names;
}

async function insertStatement(conn: DuckConn, table: PhysicalTable, rows: readonly Row[]): Promise<void> {
  const columns = mentionedColumns(table, rows);
  const types = columns.map((c) => SQL.columnType(table, c));
  const p = new Params();
  const tuples = rows.map((row) => {
    const slots = columns.map((c, i) => SQL.bind(p, types[i] ?? 'string', row[c]));
    return `(${slots.join(', ')})`;
  });
  const sql = `INSERT INTO ${SQL.tableName(table)} (${columns.map(quote).join(', ')}) VALUES ${tuples.join(', ')}`;
  await conn.query(sql, p.values, p.types);
}

/**
 * Appends in data chunks. The appender works inside the connection's open transaction (a
 * ROLLBACK discards appended rows), so callers wrap it in BEGIN/COMMIT when not in one already.
 * It fills every physical column in table order; columns the rows do not mention (including ones
 * no longer declared) get NULL.
 */
async function insertAppender(conn: DuckConn, table: PhysicalTable, rows: readonly Row[]): Promise<void> {
  mentionedColumns(table, rows);
  const appender = await conn.raw.createAppender(table.name);
  let appended = false;
  try {
    const count = appender.columnCount;
    if (count !== table.columns.length) {
      throw new DbError('schema_mismatch', `table "${table.name}" changed outside this engine; reopen it`);
    }
    const types: DuckDBType[] = [];
    for (let i = 0; i < count; i++) types.push(appender.columnType(i));
    for (let start = 0; start < rows.length; start += CHUNK_ROWS) {
      const n = Math.min(CHUNK_ROWS, rows.length - start);
      const chunk = DuckDBDataChunk.create(types, n);
      table.columns.forEach((column, ci) => {
        const values: DuckDBValue[] = new Array(n);
        const name = column.name;
        const type = column.type;
        for (let r = 0; r < n; r++) {
          const v = (rows[start + r] as Row)[name];
          values[r] = type === null ? null : toDuck(type, v);
        }
        chunk.setColumnValues(ci, values);
      });
      appender.appendDataChunk(chunk);
    }
    appender.flushSync();
    appended = true;
  } finally {
    if (appended) appender.closeSync();
    else discard(appender);
  }
}

/** Drops whatever is still buffered; the caller's transaction rollback removes anything flushed. */
function discard(appender: DuckDBAppender): void {
  try {
    appender.clear();
    appender.closeSync();
  } catch {
    // The original error is the one worth reporting.
  }
}
