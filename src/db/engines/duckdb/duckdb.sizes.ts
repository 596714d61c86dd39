import type { DuckConn } from './duckdb.connection.ts';

/** A SQL string literal (pragma_storage_info takes the table name as a constant). */
function literal(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/**
 * Estimated on-disk bytes of each table: the distinct storage blocks its column segments occupy,
 * times the block size. Call after a CHECKPOINT (data still in the WAL has no blocks yet).
 * Blocks shared by small tables are counted for each, so small tables read high.
 */
export async function tableBytes(conn: DuckConn, tables: readonly string[]): Promise<Map<string, number>> {
  const sizes = new Map<string, number>();
  const database = await (
    await conn.raw.run(
      'SELECT block_size FROM pragma_database_size() WHERE database_name = current_database()',
    )
  ).getRows();
  const blockSize = Number(database[0]?.[0] ?? 0);
  for (const table of tables) {
    const info = `pragma_storage_info(${literal(table)})`;
    const result = await conn.raw.run(
      `SELECT count(DISTINCT b) FROM (SELECT block_id AS b FROM ${info} WHERE persistent AND block_id >= 0 ` +
        `UNION ALL SELECT unnest(additional_block_ids) AS b FROM ${info} WHERE persistent)`,
    );
    const rows = await result.getRows();
    sizes.set(table, Number(rows[0]?.[0] ?? 0) * blockSize);
  }
  return sizes;
}
