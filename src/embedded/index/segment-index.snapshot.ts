import { crc32 } from 'node:zlib';
import { parseTimeRange } from '../../time/index.ts';
import type { SegmentExtras } from './segment-index.codec.ts';
import { SegmentColumns } from './segment-index.columns.ts';
import { FlowSegmentIndex } from './segment-index.flow.ts';
import { NO_STORAGE, type StorageIds } from './segment-index.storage-ids.ts';

/**
 * One Flow's index as bytes, to be read back instead of scanning the segments table (whose rows
 * of one Flow are spread over the whole table by live ingest). Layout, little-endian:
 *
 *   "TSI2" | u32 header length | header (UTF-8 JSON) | zero padding to 8 |
 *   starts (8n) | ends (8n) | object ids (16n) | path ids (16n, when the header says so) |
 *   flags (n) | storage (n) | key frames (n) | u32 CRC-32 of all that comes before
 *
 * The header holds the Flow, the write sequence the snapshot is current to, the row count, the
 * storage ids its storage bytes index (the process's interned bytes are not stable across
 * starts) and the rare per-row extras. A snapshot that fails its checksum, names another Flow or
 * cannot be interned is not used: the Flow loads from the table instead.
 */
// "TSI2" read as a little-endian u32. TSI1 files (before segments kept their object's timerange)
// are not used: migration 3 may have given their rows one since, so those Flows load from the table.
const MAGIC = 0x32495354;

interface Header {
  flowId: string;
  /** Decimal: every segment row with a write sequence up to this one is in the snapshot. */
  seq: string;
  rows: number;
  storage: string[];
  paths: boolean;
  /** [extras key, extras], bigints as decimal strings (see toJson). */
  extras: [string, JsonExtras][];
}

type JsonExtras = Omit<SegmentExtras, 'ts_offset' | 'last_duration' | 'object_timerange'> & {
  /** Written by versions before object instances; no longer read (the object's instances hold them). */
  get_urls?: unknown;
  ts_offset?: string;
  last_duration?: string;
  /** As the API writes a timerange. */
  object_timerange?: string;
};

export interface Snapshot {
  index: FlowSegmentIndex;
  seq: bigint;
}

/** Encodes the index as it is now (a copy: later writes to it do not reach the bytes). */
export function encodeSnapshot(index: FlowSegmentIndex, seq: bigint): Buffer {
  const { cols, extras, storageIds } = index.parts();
  const n = cols.size;
  const local = new Map<number, number>();
  const storage = new Uint8Array(n);
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const byte = cols.storage[i] as number;
    if (byte === NO_STORAGE) {
      storage[i] = NO_STORAGE;
      continue;
    }
    let mapped = local.get(byte);
    if (mapped === undefined) {
      mapped = ids.length;
      ids.push(storageIds.id(byte));
      local.set(byte, mapped);
    }
    storage[i] = mapped;
  }
  const header: Header = {
    flowId: index.flowId,
    seq: seq.toString(),
    rows: n,
    storage: ids,
    paths: cols.pathIds !== undefined,
    extras: [...extras].map(([key, value]) => [key.toString(), toJson(value)]),
  };
  const head = Buffer.from(JSON.stringify(header), 'utf8');
  const columnsAt = align8(8 + head.length);
  const parts: Uint8Array[] = [
    new Uint8Array(cols.starts.buffer, cols.starts.byteOffset, 8 * n),
    new Uint8Array(cols.ends.buffer, cols.ends.byteOffset, 8 * n),
    cols.objectIds.subarray(0, 16 * n),
    ...(cols.pathIds ? [cols.pathIds.subarray(0, 16 * n)] : []),
    cols.flags.subarray(0, n),
    storage,
    cols.keyFrames.subarray(0, n),
  ];
  const length = columnsAt + parts.reduce((sum, p) => sum + p.length, 0);
  const out = Buffer.alloc(length + 4);
  out.writeUInt32LE(MAGIC, 0);
  out.writeUInt32LE(head.length, 4);
  head.copy(out, 8);
  let at = columnsAt;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  out.writeUInt32LE(crc32(out.subarray(0, length)), length);
  return out;
}

/**
 * The index a snapshot holds, with room to grow as a load gives it (loadCapacity is the caller's:
 * `capacity` rows at least); undefined when the bytes are not a sound snapshot of this Flow.
 */
export function decodeSnapshot(
  bytes: Uint8Array,
  flowId: string,
  storageIds: StorageIds,
  capacity: (rows: number) => number,
): Snapshot | undefined {
  if (bytes.length < 12) return undefined;
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  const length = buf.length - 4;
  if (buf.readUInt32LE(0) !== MAGIC || crc32(buf.subarray(0, length)) !== buf.readUInt32LE(length))
    return undefined;
  const headLength = buf.readUInt32LE(4);
  let header: Header;
  try {
    header = JSON.parse(buf.toString('utf8', 8, 8 + headLength)) as Header;
  } catch {
    return undefined;
  }
  const n = header.rows;
  if (header.flowId !== flowId || !Number.isInteger(n) || n < 0) return undefined;
  const expected = align8(8 + headLength) + n * (8 + 8 + 16 + (header.paths ? 16 : 0) + 3);
  if (expected !== length) return undefined;
  const interned: number[] = [];
  for (const id of header.storage) {
    const byte = storageIds.intern(id);
    if (byte === undefined) return undefined;
    interned.push(byte);
  }
  const cols = new SegmentColumns(Math.max(n, capacity(n)));
  let at = align8(8 + headLength);
  const take = (size: number) => {
    const part = buf.subarray(at, at + size);
    at += size;
    return part;
  };
  new Uint8Array(cols.starts.buffer).set(take(8 * n));
  new Uint8Array(cols.ends.buffer).set(take(8 * n));
  cols.objectIds.set(take(16 * n));
  if (header.paths) cols.ensurePathIds().set(take(16 * n));
  cols.flags.set(take(n));
  const storage = take(n);
  for (let i = 0; i < n; i++) {
    const byte = storage[i] as number;
    cols.storage[i] = byte === NO_STORAGE ? NO_STORAGE : (interned[byte] ?? NO_STORAGE);
  }
  cols.keyFrames.set(take(n));
  cols.size = n;
  const extras = new Map<bigint, SegmentExtras>();
  for (const [key, value] of header.extras) extras.set(BigInt(key), fromJson(value));
  return { index: FlowSegmentIndex.fromParts(flowId, storageIds, cols, extras), seq: BigInt(header.seq) };
}

function align8(n: number): number {
  return (n + 7) & ~7;
}

function toJson(extras: SegmentExtras): JsonExtras {
  const { ts_offset, last_duration, object_timerange, ...rest } = extras;
  const json: JsonExtras = { ...rest };
  if (ts_offset !== undefined) json.ts_offset = ts_offset.toString();
  if (last_duration !== undefined) json.last_duration = last_duration.toString();
  if (object_timerange !== undefined) json.object_timerange = object_timerange.format();
  return json;
}

function fromJson(json: JsonExtras): SegmentExtras {
  const { ts_offset, last_duration, get_urls: _urls, object_timerange, ...rest } = json;
  const extras: SegmentExtras = { ...rest };
  if (ts_offset !== undefined) extras.ts_offset = BigInt(ts_offset);
  if (last_duration !== undefined) extras.last_duration = BigInt(last_duration);
  if (object_timerange !== undefined) extras.object_timerange = parseTimeRange(object_timerange);
  return extras;
}
