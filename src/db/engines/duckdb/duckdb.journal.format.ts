import { crc32 } from 'node:zlib';

/**
 * The append journal's records on disk (version 2), in blocks of 512 bytes (a disk sector).
 *
 * Why blocks: a record written and synced before its POST was answered is acknowledged data,
 * and only the one record being written when the process or machine stopped may be cut short.
 * A disk writes a sector whole or not at all, and the kernel writes a file's pages whole (a
 * write cut short by a kill ends at a page boundary, a multiple of 512), so after any crash each
 * block of that last record holds either its new bytes or what the block held before (an older
 * record's block, zeros, or nothing past the file's end). A block that holds neither (its
 * checksum fails, or the file ends inside it) was damaged afterwards, and so was a block of any
 * record a later record follows. duckdb.journal.scan.ts reads a file by these rules.
 *
 * A record is its payload cut into blocks of BLOCK_DATA bytes, then one parity block (the XOR of
 * the data blocks), which rebuilds any one block of the record that was damaged. Each block:
 *
 *   [u32 MAGIC][u32 CRC-32 of bytes 8..511][u64 LSN][u32 payload length]
 *   [u32 CRC-32 of the whole payload][u32 block index: 0.. data, the last one parity][484 bytes]
 *
 * The payload: `[u16 tables]`, per table `[u16 name length][name][u32 rows][u32 text length]`,
 * then the tables' texts one after the other (the rows as the JSON array duckdb.json.ts writes).
 * Little-endian.
 */

export const BLOCK = 512;
const HEADER = 28;
export const BLOCK_DATA = BLOCK - HEADER;
/** 'TJS2': the first four bytes of every block. */
const MAGIC = 0x32534a54;
/** Larger payloads are not taken for blocks of a record (a checksum collision on garbage). */
const MAX_PAYLOAD = 2 ** 31;

/** One committed transaction's rows: per table, a JSON array (`jsonRows`) as UTF-8, and its row count. */
export interface JournalRecord {
  readonly lsn: bigint;
  readonly tables: ReadonlyMap<string, { readonly bytes: Buffer; readonly rows: number }>;
  /** The payload the tables' bytes are slices of. */
  readonly payload: Buffer;
}

/** Encodes a record of `tables` (their texts written as UTF-8 once, into the payload). */
export function encodeRecord(
  lsn: bigint,
  tables: ReadonlyMap<string, { readonly text: string; readonly rows: number }>,
): JournalRecord {
  const parts: { name: Buffer; rows: number; textBytes: number; text: string }[] = [];
  let headerBytes = 2;
  let textsBytes = 0;
  for (const [table, { text, rows }] of tables) {
    const name = Buffer.from(table, 'utf8');
    const textBytes = Buffer.byteLength(text, 'utf8');
    parts.push({ name, rows, textBytes, text });
    headerBytes += 2 + name.length + 8;
    textsBytes += textBytes;
  }
  const payload = Buffer.allocUnsafe(headerBytes + textsBytes);
  let at = payload.writeUInt16LE(parts.length, 0);
  for (const p of parts) {
    at = payload.writeUInt16LE(p.name.length, at);
    at += p.name.copy(payload, at);
    at = payload.writeUInt32LE(p.rows, at);
    at = payload.writeUInt32LE(p.textBytes, at);
  }
  const out = new Map<string, { bytes: Buffer; rows: number }>();
  for (const p of parts) {
    const end = at + payload.write(p.text, at, 'utf8');
    out.set(p.name.toString('utf8'), { bytes: payload.subarray(at, end), rows: p.rows });
    at = end;
  }
  return { lsn, tables: out, payload };
}

/** The record's payload read back; undefined when it does not parse (a damaged payload). */
export function decodePayload(lsn: bigint, payload: Buffer): JournalRecord | undefined {
  const header = payloadHeader(payload);
  if (header === undefined) return undefined;
  let at = header.textsAt;
  const tables = new Map<string, { bytes: Buffer; rows: number }>();
  for (const t of header.tables) {
    if (at + t.textBytes > payload.length) return undefined;
    tables.set(t.name, { bytes: payload.subarray(at, at + t.textBytes), rows: t.rows });
    at += t.textBytes;
  }
  return at === payload.length ? { lsn, tables, payload } : undefined;
}

/**
 * The tables a payload holds rows for, with their row counts, from its first bytes (the whole
 * header, which the first block holds for any number of tables the engine has); undefined when
 * those bytes do not parse.
 */
export function payloadHeader(
  bytes: Buffer,
): { tables: { name: string; rows: number; textBytes: number }[]; textsAt: number } | undefined {
  if (bytes.length < 2) return undefined;
  const count = bytes.readUInt16LE(0);
  let at = 2;
  const tables: { name: string; rows: number; textBytes: number }[] = [];
  for (let i = 0; i < count; i++) {
    if (at + 2 > bytes.length) return undefined;
    const nameLength = bytes.readUInt16LE(at);
    at += 2;
    if (at + nameLength + 8 > bytes.length) return undefined;
    const name = bytes.toString('utf8', at, at + nameLength);
    at += nameLength;
    tables.push({ name, rows: bytes.readUInt32LE(at), textBytes: bytes.readUInt32LE(at + 4) });
    at += 8;
  }
  return { tables, textsAt: at };
}

/** Data blocks of a payload of `length` bytes (at least one: an empty payload still has a block). */
export function dataBlocks(length: number): number {
  return Math.max(1, Math.ceil(length / BLOCK_DATA));
}

/** The record as written to the file: its data blocks, then its parity block. */
export function frameRecord(record: JournalRecord): Buffer {
  const { payload, lsn } = record;
  const data = dataBlocks(payload.length);
  // A buffer of its own, aligned: the parity is XORed four bytes at a time over one view of the
  // whole frame. Every byte is written below but the last data block's tail and the parity's
  // data, which start as zeros.
  const frame = Buffer.allocUnsafeSlow((data + 1) * BLOCK);
  frame.fill(0, HEADER + (data - 1) * BLOCK + (payload.length - (data - 1) * BLOCK_DATA));
  const words = new Int32Array(frame.buffer, frame.byteOffset, frame.length >> 2);
  const parity = (data * BLOCK + HEADER) >> 2;
  const span = BLOCK_DATA >> 2;
  for (let i = 0; i < data; i++) {
    payload.copy(frame, i * BLOCK + HEADER, i * BLOCK_DATA, Math.min(payload.length, (i + 1) * BLOCK_DATA));
    const from = (i * BLOCK + HEADER) >> 2;
    for (let w = 0; w < span; w++)
      words[parity + w] = (words[parity + w] as number) ^ (words[from + w] as number);
  }
  const payloadCrc = crc32(payload);
  for (let i = 0; i <= data; i++) {
    const at = i * BLOCK;
    frame.writeUInt32LE(MAGIC, at);
    frame.writeBigUInt64LE(lsn, at + 8);
    frame.writeUInt32LE(payload.length, at + 16);
    frame.writeUInt32LE(payloadCrc, at + 20);
    frame.writeUInt32LE(i, at + 24);
    frame.writeUInt32LE(crc32(frame.subarray(at + 8, at + BLOCK)), at + 4);
  }
  return frame;
}

/** `target ^= source`, byte for byte (equal lengths). */
export function xorInto(target: Buffer, source: Buffer): void {
  let i = 0;
  // Four bytes at a time where both are aligned (blocks are, in buffers of their own).
  if (target.byteOffset % 4 === 0 && source.byteOffset % 4 === 0) {
    const words = target.length >> 2;
    const t = new Int32Array(target.buffer, target.byteOffset, words);
    const s = new Int32Array(source.buffer, source.byteOffset, words);
    for (let w = 0; w < words; w++) t[w] = (t[w] as number) ^ (s[w] as number);
    i = words << 2;
  }
  for (; i < target.length; i++) target[i] = (target[i] as number) ^ (source[i] as number);
}

/** What one block of a file holds. */
export type Block =
  | {
      readonly kind: 'record';
      readonly lsn: bigint;
      readonly length: number;
      readonly payloadCrc: number;
      /** 0 .. data blocks - 1, or data blocks for the parity block. */
      readonly index: number;
    }
  | { readonly kind: 'zero' }
  /** A checksum that fails, or bytes that are no block: damaged (or never a block of this format). */
  | { readonly kind: 'bad' }
  /** The file ends inside it. */
  | { readonly kind: 'partial' }
  | { readonly kind: 'eof' };

const ZERO: Block = { kind: 'zero' };
const BAD: Block = { kind: 'bad' };
const PARTIAL: Block = { kind: 'partial' };
const EOF: Block = { kind: 'eof' };

/** The block at `position` (counted in blocks) of a file's bytes. */
export function readBlock(bytes: Buffer, position: number): Block {
  const at = position * BLOCK;
  if (at >= bytes.length) return EOF;
  if (at + BLOCK > bytes.length) return PARTIAL;
  const block = bytes.subarray(at, at + BLOCK);
  if (block.readUInt32LE(0) !== MAGIC) return isZero(block) ? ZERO : BAD;
  if (crc32(block.subarray(8)) !== block.readUInt32LE(4)) return BAD;
  const length = block.readUInt32LE(16);
  const index = block.readUInt32LE(24);
  if (length > MAX_PAYLOAD || index > dataBlocks(length)) return BAD;
  return { kind: 'record', lsn: block.readBigUInt64LE(8), length, payloadCrc: block.readUInt32LE(20), index };
}

/** The LSN a block claims, without checking it (to pass over older blocks cheaply); -1 if none. */
export function claimedLsn(bytes: Buffer, position: number): bigint {
  const at = position * BLOCK;
  if (at + BLOCK > bytes.length || bytes.readUInt32LE(at) !== MAGIC) return -1n;
  return bytes.readBigUInt64LE(at + 8);
}

/** The data part (BLOCK_DATA bytes) of the block at `position`. */
export function blockData(bytes: Buffer, position: number): Buffer {
  return bytes.subarray(position * BLOCK + HEADER, (position + 1) * BLOCK);
}

function isZero(block: Buffer): boolean {
  for (let i = 0; i < block.length; i += 8) if (block.readBigUInt64LE(i) !== 0n) return false;
  return true;
}

/**
 * The payload of the record of `blocks` (the blocks' data parts by index, data blocks then
 * parity; undefined where a block is unreadable), rebuilt from the parity block when one data
 * block is missing; undefined when more are missing or the result fails the record's checksum.
 */
export function assemblePayload(
  blocks: readonly (Buffer | undefined)[],
  length: number,
  payloadCrc: number,
): Buffer | undefined {
  const data = dataBlocks(length);
  const missing: number[] = [];
  for (let i = 0; i < data; i++) if (blocks[i] === undefined) missing.push(i);
  const parity = blocks[data];
  if (missing.length > 1 || (missing.length === 1 && parity === undefined)) return undefined;
  const parts = blocks.slice(0, data) as Buffer[];
  const lost = missing[0];
  if (lost !== undefined) {
    const rebuilt = Buffer.from(parity as Buffer);
    for (let i = 0; i < data; i++) if (i !== lost) xorInto(rebuilt, parts[i] as Buffer);
    parts[lost] = rebuilt;
  }
  const payload = Buffer.concat(parts).subarray(0, length);
  return crc32(payload) === payloadCrc ? payload : undefined;
}
