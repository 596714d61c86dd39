import type { DbSnapshot } from '../../db.types.ts';
import { quote } from '../sql/sql.compile.ts';
import type { Catalog } from './duckdb.catalog.ts';
import type { DuckConn } from './duckdb.connection.ts';
import { JOURNAL_TABLE } from './duckdb.journal.ts';
import { DuckSession } from './duckdb.session.ts';

/** A SQL string literal. */
function literal(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

let attached = 0;

/**
 * A copy of the database into the new file `target` as of one snapshot, made on `conn` (a
 * connection of its own) while writes go on. `pin` runs `begin` holding the engine's writes,
 * after the append journal is applied: the transaction it begins then sees every acknowledged
 * write, and nothing committed after it. DuckDB's MVCC keeps that view for the whole
 * `COPY FROM DATABASE` (measured: 1M rows copied in ~0.8 s while another connection inserted a
 * row every ~1 ms, none of them in the copy, the longest insert 11 ms); `read` then runs on the
 * same view (what the snapshot names), before the transaction ends and the copy is detached
 * (DETACH checkpoints it: one file, no write-ahead log).
 */
export async function snapshotInto<T>(
  conn: DuckConn,
  catalog: Catalog,
  target: string,
  pin: (begin: () => Promise<void>) => Promise<number>,
  read: (snapshot: DuckSession) => Promise<T>,
): Promise<DbSnapshot<T>> {
  const alias = `tams_snapshot_${++attached}`;
  const source = String((await (await conn.raw.run('SELECT current_database()')).getRows())[0]?.[0]);
  await conn.exec(`ATTACH ${literal(target)} AS ${alias}`);
  try {
    let begun = false;
    const writesHeldMs = await pin(async () => {
      await conn.exec('BEGIN TRANSACTION');
      begun = true;
      // A DuckDB transaction takes its view of a database when it first reads it.
      await conn.exec(`SELECT count(*) FROM ${quote(JOURNAL_TABLE)}`);
    });
    try {
      await conn.exec(`COPY FROM DATABASE ${quote(source)} TO ${alias}`);
      const rows = await rowCounts(conn, alias);
      const session = new DuckSession({
        catalog,
        inTransaction: true,
        read: (_table, fn) => fn(conn),
        write: () => Promise.reject(new Error('a snapshot is read only')),
      });
      const result = await read(session);
      await conn.exec('COMMIT');
      begun = false;
      return { rows, writesHeldMs, read: result };
    } finally {
      if (begun) await conn.exec('ROLLBACK').catch(() => undefined);
    }
  } finally {
    await conn.exec(`DETACH ${alias}`);
  }
}

/** Rows of each table of the copy (the engine's own journal mark left out). */
async function rowCounts(conn: DuckConn, alias: string): Promise<Record<string, number>> {
  const tables = await (
    await conn.raw.run(
      `SELECT table_name FROM information_schema.tables WHERE table_catalog = ${literal(alias)} ` +
        `AND table_schema = 'main' AND table_type = 'BASE TABLE' AND table_name <> ${literal(JOURNAL_TABLE)} ORDER BY table_name`,
    )
  ).getRows();
  const rows: Record<string, number> = {};
  for (const [name] of tables) {
    const table = String(name);
    const result = await (await conn.raw.run(`SELECT count(*) FROM ${alias}.main.${quote(table)}`)).getRows();
    rows[table] = Number(result[0]?.[0] ?? 0);
  }
  return rows;
}
