import { BLOB, blobValue } from '@duckdb/node-api';
import { quote } from '../sql/sql.compile.ts';
import type { AppendJournal } from './duckdb.appends.ts';
import type { Catalog } from './duckdb.catalog.ts';
import type { DuckConn } from './duckdb.connection.ts';
import { jsonInsert } from './duckdb.insert.ts';
import { joinArrayBytes } from './duckdb.journal.ts';

/**
 * A read of `tables` (undefined: any) on `conn` that sees the rows the append journal holds and
 * DuckDB does not, while DuckDB cannot take them (the engine refuses writes: its disk is full or
 * failing). The rows are inserted inside a read transaction of the reader's own, `fn` reads, and
 * the transaction is rolled back: nothing is written, and every read still sees every write
 * acknowledged before it. It costs the insert of those rows (at most what an apply takes, 20,000
 * rows or so, since the engine takes no writes meanwhile) on each such read, only then.
 *
 * `hold` runs its function holding the engine's writes: the transaction's snapshot is taken and
 * the records listed there, so that an apply committing (the engine's probe, once the disk has
 * room) falls wholly before or after, and no row is seen twice or missed.
 */
export async function readAlongside<T>(
  conn: DuckConn,
  catalog: Catalog,
  journal: AppendJournal,
  tables: readonly string[] | undefined,
  hold: <R>(fn: () => Promise<R>) => Promise<R>,
  fn: () => Promise<T>,
): Promise<T> {
  let began = false;
  try {
    const rows = await hold(async () => {
      await conn.exec('BEGIN TRANSACTION');
      began = true;
      const byTable = new Map<string, Buffer[]>();
      for (const record of journal.pending(tables)) {
        for (const [name, { bytes }] of record.tables) {
          if (tables !== undefined && !tables.includes(name)) continue;
          const arrays = byTable.get(name);
          if (arrays) arrays.push(bytes);
          else byTable.set(name, [bytes]);
        }
      }
      // DuckDB takes a transaction's snapshot at its first read of a table: now, with the list.
      for (const name of byTable.keys()) await conn.query(`SELECT 1 FROM ${quote(name)} LIMIT 0`);
      return byTable;
    });
    for (const [name, arrays] of rows) {
      const { blobSql } = jsonInsert(await catalog.table(conn, name));
      await conn.query(blobSql, [blobValue(joinArrayBytes(arrays))], [BLOB]);
    }
    return await fn();
  } finally {
    // Read-only in effect: nothing of it may stay.
    if (began) await conn.exec('ROLLBACK').catch(() => undefined);
  }
}
