import { crc32 } from 'node:zlib';
import { encodeRecord, type JournalRecord, MAGIC } from './duckdb.journal.format.ts';

/**
 * The append journal's first file format (version 1, written until issue 45), read so that a
 * journal a crash left under an older version is applied after an upgrade. A record is
 * `[u32 payload length][u32 CRC-32 of the payload][payload]`, the payload `[u64 lsn][u16 tables]`
 * then per table `[u16 name length][name][u32 rows][u32 text length][text]`, little-endian,
 * records one after the other from the file's start.
 *
 * This format cannot tell a record cut short by a crash from one damaged afterwards when it is
 * the last: its end is dropped as the old version dropped it. A damaged record with intact
 * records after it (a higher LSN) is found, as in the current format.
 */

const HEADER_BYTES = 8;

/** Whether `bytes` start with a record of this format. */
export function isLegacy(bytes: Buffer): boolean {
  return bytes.length >= HEADER_BYTES && bytes.readUInt32LE(0) !== MAGIC && frameAt(bytes, 0) !== undefined;
}

export interface LegacyScan {
  /** The records from the file's start, each after the one before (what version 1 read). */
  readonly records: JournalRecord[];
  /** Whole records above `threshold` found after where those stop: a record between was damaged. */
  readonly beyond: { offset: number; record: JournalRecord }[];
  /** Where the first records stop. */
  readonly end: number;
}

/** Reads a version 1 file; `threshold`: the LSN DuckDB holds (older records are left behind). */
export function scanLegacy(bytes: Buffer, threshold: bigint): LegacyScan {
  const records: JournalRecord[] = [];
  let at = 0;
  let last = -1n;
  for (;;) {
    const frame = frameAt(bytes, at);
    if (frame === undefined || frame.record.lsn <= last) break;
    records.push(frame.record);
    last = frame.record.lsn;
    at = frame.end;
  }
  const end = at;
  const above = last > threshold ? last : threshold;
  const beyond: { offset: number; record: JournalRecord }[] = [];
  // Records after a damaged one: a frame at any offset, above every LSN read so far.
  for (let from = end + 1; from + HEADER_BYTES + 10 <= bytes.length; ) {
    const length = bytes.readUInt32LE(from);
    const lsn = from + 16 <= bytes.length ? bytes.readBigUInt64LE(from + HEADER_BYTES) : -1n;
    const frame = length >= 10 && lsn > above ? frameAt(bytes, from) : undefined;
    if (frame === undefined) {
      from++;
      continue;
    }
    beyond.push({ offset: from, record: frame.record });
    from = frame.end;
  }
  return { records, beyond, end };
}

function frameAt(bytes: Buffer, at: number): { record: JournalRecord; end: number } | undefined {
  if (bytes.length - at < HEADER_BYTES) return undefined;
  const length = bytes.readUInt32LE(at);
  const end = at + HEADER_BYTES + length;
  if (length < 10 || end > bytes.length) return undefined;
  const frame = bytes.subarray(at, end);
  if (crc32(frame.subarray(HEADER_BYTES)) !== frame.readUInt32LE(4)) return undefined;
  const record = decodeFrame(frame);
  return record === undefined ? undefined : { record, end };
}

function decodeFrame(frame: Buffer): JournalRecord | undefined {
  try {
    const lsn = frame.readBigUInt64LE(HEADER_BYTES);
    const count = frame.readUInt16LE(HEADER_BYTES + 8);
    let at = HEADER_BYTES + 10;
    const tables = new Map<string, { text: string; rows: number }>();
    for (let i = 0; i < count; i++) {
      const nameLength = frame.readUInt16LE(at);
      at += 2;
      const name = frame.toString('utf8', at, at + nameLength);
      at += nameLength;
      const rows = frame.readUInt32LE(at);
      const textBytes = frame.readUInt32LE(at + 4);
      at += 8;
      if (at + textBytes > frame.length) return undefined;
      tables.set(name, { text: frame.toString('utf8', at, at + textBytes), rows });
      at += textBytes;
    }
    // Encoded again in the current layout (once, at an upgrade), as every record the engine holds is.
    return at === frame.length ? encodeRecord(lsn, tables) : undefined;
  } catch {
    // A length field pointing past the frame (a checksum collision on garbage).
    return undefined;
  }
}

/** A record in the version 1 layout (tests of the upgrade write such files). */
export function legacyFrame(
  lsn: bigint,
  tables: ReadonlyMap<string, { text: string; rows: number }>,
): Buffer {
  const parts = [...tables].map(([name, { text, rows }]) => ({
    name: Buffer.from(name, 'utf8'),
    text: Buffer.from(text, 'utf8'),
    rows,
  }));
  const size = HEADER_BYTES + 10 + parts.reduce((n, p) => n + 2 + p.name.length + 8 + p.text.length, 0);
  const frame = Buffer.alloc(size);
  let at = frame.writeBigUInt64LE(lsn, HEADER_BYTES);
  at = frame.writeUInt16LE(parts.length, at);
  for (const p of parts) {
    at = frame.writeUInt16LE(p.name.length, at);
    at += p.name.copy(frame, at);
    at = frame.writeUInt32LE(p.rows, at);
    at = frame.writeUInt32LE(p.text.length, at);
    at += p.text.copy(frame, at);
  }
  frame.writeUInt32LE(size - HEADER_BYTES, 0);
  frame.writeUInt32LE(crc32(frame.subarray(HEADER_BYTES)), 4);
  return frame;
}
