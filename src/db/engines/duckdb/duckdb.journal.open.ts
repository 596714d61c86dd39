import { copyFile, writeFile } from 'node:fs/promises';
import { quote } from '../sql/sql.compile.ts';
import type { DuckConn } from './duckdb.connection.ts';
import { readableText } from './duckdb.journal.report.ts';
import type { JournalScan } from './duckdb.journal.scan.ts';
import { JOURNAL_TABLE, type JournalRecord } from './duckdb.journal.ts';

/** What opening the append journal (AppendJournal.open) reads of DuckDB, and what a recovery keeps. */
/** The last journal record DuckDB holds (0: none); `create`: make its table when there is none. */
export async function journalMarker(writer: DuckConn, create: boolean): Promise<bigint> {
  const table = quote(JOURNAL_TABLE);
  const exists = await writer.query(
    `SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = 'main' AND table_name = '${JOURNAL_TABLE}'`,
  );
  if ((await exists.getRows())[0]?.[0] === 0n) {
    if (!create) return 0n;
    await writer.exec(`CREATE TABLE ${table} (lsn BIGINT)`);
  }
  const rows = await (await writer.query(`SELECT max(lsn) FROM ${table}`)).getRows();
  const marker = rows[0]?.[0];
  if (typeof marker === 'bigint') return marker;
  if (create) await writer.exec(`INSERT INTO ${table} VALUES (0)`);
  return 0n;
}

/** What a recovery applies: the run's records, the whole ones after damage, the rebuilt ones. */
export function recoverable(scan: JournalScan): JournalRecord[] {
  const rebuilt = scan.damaged.flatMap((d) => (d.repaired ? [d.repaired] : []));
  return [...scan.records, ...scan.beyond, ...rebuilt].sort((a, b) =>
    a.lsn < b.lsn ? -1 : a.lsn > b.lsn ? 1 : 0,
  );
}

/**
 * A recovery's copy of the file as it was (`<journal>.damaged-<time>`) before anything changes,
 * and the readable parts of the records it cannot rebuild beside it (`….readable.txt`).
 */
export async function saveAside(
  path: string,
  scan: JournalScan,
): Promise<{ savedAs: string; readableAs?: string }> {
  const savedAs = `${path}.damaged-${new Date().toISOString().replaceAll(':', '-')}`;
  await copyFile(path, savedAs);
  if (!scan.damaged.some((d) => !d.repaired)) return { savedAs };
  const readableAs = `${savedAs}.readable.txt`;
  await writeFile(readableAs, readableText(scan));
  return { savedAs, readableAs };
}
