import type { Predicate, Row, SelectOptions } from '../../db.types.ts';
import type { Catalog } from './duckdb.catalog.ts';
import type { DuckConn } from './duckdb.connection.ts';
import { columnType, Params, quote, rowIdFilter, selectSql, whereSql } from './duckdb.sql.ts';
import { BIND_TYPES, readRows, toDuck } from './duckdb.values.ts';

export async function selectRows(
  conn: DuckConn,
  catalog: Catalog,
  name: string,
  options: SelectOptions,
): Promise<Row[]> {
  const table = await catalog.table(conn, name);
  const columns = options.columns ?? table.columns.filter((c) => c.type !== null).map((c) => c.name);
  const p = new Params();
  const sql = selectSql(p, table, columns, options);
  return readRows(await conn.query(sql, p.values, p.types), columns);
}

export async function countRows(
  conn: DuckConn,
  catalog: Catalog,
  name: string,
  where: Predicate | undefined,
): Promise<number> {
  const table = await catalog.table(conn, name);
  const p = new Params();
  const result = await conn.query(
    `SELECT count(*) FROM ${quote(name)}${whereSql(p, table, where)}`,
    p.values,
    p.types,
  );
  const rows = await result.getRows();
  return Number(rows[0]?.[0] ?? 0);
}

/**
 * Finds the matching rows' ids, as VAST DataBase must ($row_id): the caller runs this inside a
 * transaction so the ids stay valid until the change that uses them.
 */
async function findRowIds(
  conn: DuckConn,
  catalog: Catalog,
  name: string,
  where: Predicate,
): Promise<bigint[]> {
  const table = await catalog.table(conn, name);
  const p = new Params();
  const result = await conn.query(
    `SELECT rowid FROM ${quote(name)}${whereSql(p, table, where)}`,
    p.values,
    p.types,
  );
  const ids: bigint[] = [];
  for (let i = 0; i < result.chunkCount; i++) {
    for (const id of result.getChunk(i).getColumnValues(0)) ids.push(id as bigint);
  }
  return ids;
}

/** Call inside a transaction. */
export async function updateRows(
  conn: DuckConn,
  catalog: Catalog,
  name: string,
  where: Predicate,
  changes: Row,
): Promise<number> {
  const table = await catalog.table(conn, name);
  const p = new Params();
  const sets: string[] = [];
  for (const column in changes) {
    const type = columnType(table, column);
    sets.push(`${quote(column)} = ${p.add(toDuck(type, changes[column]), BIND_TYPES[type])}`);
  }
  const ids = await findRowIds(conn, catalog, name, where);
  if (ids.length === 0 || sets.length === 0) return ids.length;
  const sql = `UPDATE ${quote(name)} SET ${sets.join(', ')} WHERE ${rowIdFilter(p, ids)}`;
  return (await conn.query(sql, p.values, p.types)).rowsChanged;
}

/** Call inside a transaction. */
export async function deleteRows(
  conn: DuckConn,
  catalog: Catalog,
  name: string,
  where: Predicate,
): Promise<number> {
  const ids = await findRowIds(conn, catalog, name, where);
  if (ids.length === 0) return 0;
  const p = new Params();
  return (await conn.query(`DELETE FROM ${quote(name)} WHERE ${rowIdFilter(p, ids)}`, p.values, p.types))
    .rowsChanged;
}
