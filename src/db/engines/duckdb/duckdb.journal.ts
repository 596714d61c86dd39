import { closeSync, fdatasyncSync, ftruncateSync, openSync, rmSync, writeSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { crc32 } from 'node:zlib';
import { DbError } from '../../db.errors.ts';

/**
 * The append journal's file (see duckdb.appends.ts): the rows of transactions that only
 * appended, made durable here (one write and one fdatasync per transaction) before DuckDB holds
 * them, and kept until DuckDB has committed them.
 *
 * A record is `[u32 payload length][u32 CRC-32 of the payload][payload]`, the payload
 * `[u64 lsn][u16 tables]` then per table `[u16 name length][name][u32 rows][u32 text length][text]`,
 * the text being the rows as the JSON array duckdb.json.ts writes (`jsonRows`). Little-endian.
 * Records are appended in LSN order; reading stops at the first record that is incomplete, fails
 * its checksum or does not come after the one before (a write cut short by a crash, or what an
 * unsynced truncation left behind): none of those was acknowledged.
 */

/** The table where DuckDB records the last journal record it holds (one row); the engine's own. */
export const JOURNAL_TABLE = '__tams_journal';

/** One committed transaction's rows: per table, a JSON array (`jsonRows`) as UTF-8, and its row count. */
export interface JournalRecord {
  readonly lsn: bigint;
  readonly tables: ReadonlyMap<string, { readonly bytes: Buffer; readonly rows: number }>;
  /** The record as written to the file (the tables' bytes are slices of it). */
  readonly frame: Buffer;
}

const HEADER_BYTES = 8;

/** Encodes a record of `tables` (their texts written as UTF-8 once, into the frame). */
export function encodeRecord(
  lsn: bigint,
  tables: ReadonlyMap<string, { readonly text: string; readonly rows: number }>,
): JournalRecord {
  let size = HEADER_BYTES + 8 + 2;
  const parts: { name: Buffer; rows: number; textBytes: number; text: string }[] = [];
  for (const [table, { text, rows }] of tables) {
    const name = Buffer.from(table, 'utf8');
    const textBytes = Buffer.byteLength(text, 'utf8');
    parts.push({ name, rows, textBytes, text });
    size += 2 + name.length + 4 + 4 + textBytes;
  }
  const frame = Buffer.allocUnsafe(size);
  const out = new Map<string, { bytes: Buffer; rows: number }>();
  let at = HEADER_BYTES;
  frame.writeBigUInt64LE(lsn, at);
  at += 8;
  frame.writeUInt16LE(parts.length, at);
  at += 2;
  for (const p of parts) {
    frame.writeUInt16LE(p.name.length, at);
    at += 2;
    p.name.copy(frame, at);
    at += p.name.length;
    frame.writeUInt32LE(p.rows, at);
    at += 4;
    frame.writeUInt32LE(p.textBytes, at);
    at += 4;
    const end = at + frame.write(p.text, at, 'utf8');
    out.set(p.name.toString('utf8'), { bytes: frame.subarray(at, end), rows: p.rows });
    at = end;
  }
  frame.writeUInt32LE(size - HEADER_BYTES, 0);
  frame.writeUInt32LE(crc32(frame.subarray(HEADER_BYTES)), 4);
  return { lsn, tables: out, frame };
}

/** The records of a journal file's bytes, up to the first that is not whole and in order. */
export function decodeRecords(bytes: Buffer): JournalRecord[] {
  const records: JournalRecord[] = [];
  let at = 0;
  let last = -1n;
  while (bytes.length - at >= HEADER_BYTES) {
    const length = bytes.readUInt32LE(at);
    const end = at + HEADER_BYTES + length;
    if (length < 10 || end > bytes.length) break;
    const frame = bytes.subarray(at, end);
    if (crc32(frame.subarray(HEADER_BYTES)) !== frame.readUInt32LE(4)) break;
    const record = decodeFrame(frame);
    if (record === undefined || record.lsn <= last) break;
    records.push(record);
    last = record.lsn;
    at = end;
  }
  return records;
}

function decodeFrame(frame: Buffer): JournalRecord | undefined {
  try {
    const lsn = frame.readBigUInt64LE(HEADER_BYTES);
    const count = frame.readUInt16LE(HEADER_BYTES + 8);
    let at = HEADER_BYTES + 10;
    const tables = new Map<string, { bytes: Buffer; rows: number }>();
    for (let i = 0; i < count; i++) {
      const nameLength = frame.readUInt16LE(at);
      at += 2;
      const name = frame.toString('utf8', at, at + nameLength);
      at += nameLength;
      const rows = frame.readUInt32LE(at);
      const textBytes = frame.readUInt32LE(at + 4);
      at += 8;
      if (at + textBytes > frame.length) return undefined;
      tables.set(name, { bytes: frame.subarray(at, at + textBytes), rows });
      at += textBytes;
    }
    return at === frame.length ? { lsn, tables, frame } : undefined;
  } catch {
    // A length field pointing past the frame (a checksum collision on garbage).
    return undefined;
  }
}

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
 * of the time on this project's disks (BENCHMARKS.md, session 42). What is left past the last
 * record is older records (lower LSNs) or parts of them, where reading stops (decodeRecords).
 *
 * A failed append makes sure its record cannot come back at the next start (it was not
 * acknowledged): the file is cut where the record began or, inside the file, the record's header
 * is zeroed. If even that fails, the journal refuses every later append, since what the file
 * holds is no longer known: the engine then fails its writes until the process is restarted.
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

  /** Opens (or creates) the file and reads the records it holds. */
  static async open(path: string): Promise<{ file: JournalFile; records: JournalRecord[] }> {
    let bytes: Buffer;
    try {
      bytes = await readFile(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      bytes = Buffer.alloc(0);
    }
    const fd = openSync(path, bytes.length === 0 ? 'w+' : 'r+');
    const records = decodeRecords(bytes);
    const last = records.at(-1);
    // Appends go after the last whole record (over a torn tail), until the engine resets.
    const end = last === undefined ? 0 : last.frame.byteOffset - bytes.byteOffset + last.frame.length;
    return { file: new JournalFile(fd, end, bytes.length, path), records };
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
        if (at < length) writeSync(this.fd, Buffer.alloc(8), 0, 8, at);
        if (at + data.length > length) ftruncateSync(this.fd, length);
        fdatasyncSync(this.fd);
      } catch {
        this.broken = new DbError(
          'unavailable',
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

  /** Closes the file, and removes it when it holds nothing DuckDB does not. */
  close(): void {
    closeSync(this.fd);
    if (this.end === 0) rmSync(this.path, { force: true });
  }
}
