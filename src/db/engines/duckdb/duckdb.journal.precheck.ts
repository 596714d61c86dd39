import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { DuckDBInstance } from '@duckdb/node-api';
import { DbError } from '../../db.errors.ts';
import { lockedError } from './duckdb.config.ts';
import { DuckConn } from './duckdb.connection.ts';
import { journalMarker } from './duckdb.journal.open.ts';
import { damageMessage } from './duckdb.journal.report.ts';
import { scanJournal } from './duckdb.journal.scan.ts';

/**
 * Refuses an open whose append journal holds damaged records of acknowledged writes, before
 * DuckDB opens the database for writing: that open replays DuckDB's own write-ahead log into the
 * file and removes the log, so a refusal after it would leave the store changed although nothing
 * of the journal was applied. What the journal scan needs of DuckDB (the last record it holds) is
 * read with the database opened read-only, which changes neither file. Costs nothing after a
 * clean stop (no journal file) and one read-only open after a crash.
 */
export async function refuseDamagedJournal(path: string): Promise<void> {
  const journal = `${path}.journal`;
  let bytes: Buffer;
  try {
    bytes = await readFile(journal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  if (bytes.length === 0) return;
  const marker = existsSync(path) ? await readOnlyMarker(path) : 0n;
  const scan = scanJournal(bytes, marker);
  if (scan.damaged.length > 0) throw new DbError('journal_damaged', damageMessage(journal, scan));
}

/** The last journal record DuckDB holds, read without writing anything. */
async function readOnlyMarker(path: string): Promise<bigint> {
  const instance = await DuckDBInstance.create(path, { access_mode: 'READ_ONLY' }).catch((error: unknown) => {
    throw lockedError(error, path) ?? error;
  });
  try {
    const conn = new DuckConn(await instance.connect());
    try {
      return await journalMarker(conn, false);
    } finally {
      await conn.release();
      conn.close();
    }
  } finally {
    instance.closeSync();
  }
}
