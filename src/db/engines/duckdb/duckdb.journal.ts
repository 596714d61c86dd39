import { closeSync, fdatasyncSync, ftruncateSync, openSync, rmSync, writeSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { DbStorageError } from '../../db.errors.ts';
import { BLOCK } from './duckdb.journal.format.ts';
import { type JournalScan, scanJournal } from './duckdb.journal.scan.ts';

export { encodeRecord, frameRecord, type JournalRecord } from './duckdb.journal.format.ts';

/**
 * The append journal's file (see duckdb.appends.ts): the rows of transactions that only
 * appended, made durable here (one write and one fdatasync per transaction) before DuckDB holds
 * them, and kept until DuckDB has committed them. The records' format, and how a file is read
 * after a crash (what was cut short, what was damaged): duckdb.journal.format.ts and
 * duckdb.journal.scan.ts.
 */

/** The table where DuckDB records the last journal record it holds (one row); the engine's own. */
export const JOURNAL_TABLE = '__tams_journal';

/** JSON arrays as one array, in bytes: `[a,b]` and `[c]` make `[a,b,c]`. */
export function joinArrayBytes(arrays: readonly Buffer[]): Buffer {
  if (arrays.length === 1) return arrays[0] as Buffer;
  const parts: Buffer[] = [OPEN];
  for (const a of arrays) {
    if (a.length <= 2) continue;
    if (parts.length > 1) parts.push(COMMA);
    parts.push(a.subarray(1, a.length - 1));
  }
  parts.push(CLOSE);
  return Buffer.concat(parts);
}

const OPEN = Buffer.from('[');
const COMMA = Buffer.from(',');
const CLOSE = Buffer.from(']');

/** A file past this size after a reset is cut back to it (a long wait for DuckDB grew it). */
const KEEP_BYTES = 64 * 2 ** 20;

/**
 * The journal's file. An append writes and syncs on the calling thread: asynchronously, the
 * write and the fdatasync each wait for a turn of the event loop to report back, 4 ms together
 * under single-segment ingest against 0.2 ms of disk, and the engine's writes wait behind them
 * (DuckDB's COMMIT runs on the calling thread for the same reason, DuckConn.runSync).
 *
 * A reset does not empty the file: the next records overwrite the old ones from its start. An
 * fdatasync after a write that grows a file must also commit the new size to the file system's
 * journal; one after a write over blocks the file already has flushes only the data: 0.5-0.7
 * of the time on this project's disks (docs/benchmarks-history.md, session 42). What is left past the last
 * record is blocks of older records (lower LSNs), where the run read back stops (scanJournal).
 *
 * A failed append makes sure its record cannot come back at the next start (it was not
 * acknowledged): the file is cut where the record began or, inside the file, the record's first
 * block is zeroed (the next record takes the same LSN and place). If even that fails, the
 * journal refuses every later append, since what the file holds is no longer known: the engine
 * then fails its writes until the process is restarted.
 */
export class JournalFile {
  private broken: Error | undefined;

  private constructor(
    private readonly fd: number,
    /** Where the next record goes. */
    private end: number,
    /** The file's length: the bytes a record can be written over. */
    private length: number,
    private readonly path: string,
  ) {}

  /**
   * Opens (or creates) the file and reads what it holds (`marker`: the last record DuckDB holds).
   * Appends go after the run of records read, until the engine resets or clears the file.
   */
  static async open(path: string, marker: bigint): Promise<{ file: JournalFile; scan: JournalScan }> {
    let bytes: Buffer;
    try {
      bytes = await readFile(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      bytes = Buffer.alloc(0);
    }
    const scan = scanJournal(bytes, marker);
    const fd = openSync(path, bytes.length === 0 ? 'w+' : 'r+');
    return { file: new JournalFile(fd, scan.end, bytes.length, path), scan };
  }

  /** Writes `data` after the last record and returns once it is on disk. */
  append(data: Buffer): void {
    if (this.broken) throw this.broken;
    const at = this.end;
    const length = this.length;
    try {
      let written = 0;
      while (written < data.length)
        written += writeSync(this.fd, data, written, data.length - written, at + written);
      fdatasyncSync(this.fd);
      this.end = at + data.length;
      this.length = Math.max(length, this.end);
    } catch (error) {
      try {
        if (at < length) writeSync(this.fd, Buffer.alloc(BLOCK), 0, Math.min(BLOCK, length - at), at);
        if (at + data.length > length) ftruncateSync(this.fd, length);
        fdatasyncSync(this.fd);
      } catch {
        // A disk that fails (503 to the API, /ready says why) until the process restarts.
        this.broken = new DbStorageError(
          'io',
          'DuckDB',
          `the append journal could not be written nor restored (${(error as Error).message}): restart the server`,
        );
      }
      throw error;
    }
  }

  /**
   * Starts the file over once DuckDB holds every record in it. Nothing is written or synced:
   * records that come back after a crash are at or below the LSN DuckDB recorded with them, and
   * are skipped.
   */
  reset(): void {
    this.end = 0;
    if (this.length > KEEP_BYTES) {
      ftruncateSync(this.fd, KEEP_BYTES);
      this.length = KEEP_BYTES;
    }
  }

  /**
   * Empties the file once DuckDB holds every record in it (at open): nothing of an older run is
   * left behind (blocks damaged meanwhile), so the next runs' records are
   * read back past blocks this process wrote only.
   */
  clear(): void {
    ftruncateSync(this.fd, 0);
    fdatasyncSync(this.fd);
    this.end = 0;
    this.length = 0;
  }

  /** Closes the file, and removes it when it holds nothing DuckDB does not (unless `keep`). */
  close(keep = false): void {
    closeSync(this.fd);
    if (this.end === 0 && !keep) rmSync(this.path, { force: true });
  }
}
