/** Bits of a row's flags byte. */
export const F = {
  START_INCL: 1,
  END_INCL: 2,
  /** The object id is the UUID in `objectIds`; otherwise it is a string in the row's extras. */
  OBJECT_UUID: 4,
  /** The storage path is `${flowId}/${objectId}` (the default layout). */
  PATH_OBJECT: 8,
  /** The storage path is `${flowId}/${uuid}` with the UUID in `pathIds` (keys allocated apart from ids). */
  PATH_UUID: 16,
  HAS_EXTRAS: 32,
} as const;

const MIN_CAPACITY = 8;
/**
 * Growth per reallocation. A Flow's columns live as long as the server, so the slack they carry
 * is paid for good: 1.25x keeps it at 12.5% on average (1.5x: 25%) for each row being copied about
 * four times over its Flow's growth instead of two, copies being memcpy of typed arrays.
 */
const GROWTH = 1.25;

/**
 * Rows to allocate for a Flow loaded with `rows` segments: room for 1/16 more. Sized exactly,
 * every Flow's first segment after a restart copied all its columns at once, when a restarted
 * server has the most to catch up on: on 10M segments in 1,000 Flows the index went from 351 to
 * 526 MB in the first 3 s of ingest, with 6 major collections (docs/benchmarks-history.md, "Single-segment
 * POST").
 */
export function loadCapacity(rows: number): number {
  return rows + Math.ceil(rows / 16);
}

/**
 * The rows of one Flow's index as parallel typed arrays (about 35 bytes a row, no object per
 * segment, nothing for the garbage collector to trace). Rows [0, size) are in use; the order is
 * the caller's business. `pathIds` exists only once a row needs it, so a Flow whose storage keys
 * follow the default layout never pays for it.
 */
export class SegmentColumns {
  size = 0;
  starts: BigInt64Array;
  ends: BigInt64Array;
  flags: Uint8Array;
  /** 16 bytes a row. */
  objectIds: Uint8Array;
  /** Index into the shared StorageIds, NO_STORAGE when none. */
  storage: Uint8Array;
  /** 0 = absent, n + 1 for n up to 253, KEY_FRAMES_IN_EXTRAS when kept in the extras. */
  keyFrames: Uint8Array;
  /** 16 bytes a row, allocated on first use. */
  pathIds: Uint8Array | undefined;

  constructor(capacity: number) {
    const n = Math.max(0, capacity);
    this.starts = new BigInt64Array(n);
    this.ends = new BigInt64Array(n);
    this.flags = new Uint8Array(n);
    this.objectIds = new Uint8Array(16 * n);
    this.storage = new Uint8Array(n);
    this.keyFrames = new Uint8Array(n);
  }

  get capacity(): number {
    return this.starts.length;
  }

  /** Makes room for `needed` rows, growing geometrically so appends stay amortised O(1). */
  reserve(needed: number): void {
    if (needed <= this.capacity) return;
    this.resize(Math.max(needed, MIN_CAPACITY, Math.ceil(this.capacity * GROWTH)));
  }

  /** Releases the unused capacity (after a bulk load, or when a Flow stops growing). */
  trim(): void {
    if (this.capacity !== this.size) this.resize(this.size);
  }

  /** Copies the rows [from, from + count) to start at row `to` (ranges may overlap). */
  move(from: number, to: number, count: number): void {
    if (count <= 0 || from === to) return;
    const end = from + count;
    this.starts.copyWithin(to, from, end);
    this.ends.copyWithin(to, from, end);
    this.flags.copyWithin(to, from, end);
    this.storage.copyWithin(to, from, end);
    this.keyFrames.copyWithin(to, from, end);
    this.objectIds.copyWithin(16 * to, 16 * from, 16 * end);
    this.pathIds?.copyWithin(16 * to, 16 * from, 16 * end);
  }

  ensurePathIds(): Uint8Array {
    this.pathIds ??= new Uint8Array(16 * this.capacity);
    return this.pathIds;
  }

  bytes(): number {
    return (
      this.starts.byteLength +
      this.ends.byteLength +
      this.flags.byteLength +
      this.objectIds.byteLength +
      this.storage.byteLength +
      this.keyFrames.byteLength +
      (this.pathIds?.byteLength ?? 0)
    );
  }

  private resize(capacity: number): void {
    const n = this.size;
    const starts = new BigInt64Array(capacity);
    starts.set(this.starts.subarray(0, n));
    this.starts = starts;
    const ends = new BigInt64Array(capacity);
    ends.set(this.ends.subarray(0, n));
    this.ends = ends;
    this.flags = resized(this.flags, capacity, n);
    this.storage = resized(this.storage, capacity, n);
    this.keyFrames = resized(this.keyFrames, capacity, n);
    this.objectIds = resized(this.objectIds, 16 * capacity, 16 * n);
    if (this.pathIds) this.pathIds = resized(this.pathIds, 16 * capacity, 16 * n);
  }
}

function resized(bytes: Uint8Array, length: number, used: number): Uint8Array {
  const copy = new Uint8Array(length);
  copy.set(bytes.subarray(0, used));
  return copy;
}
