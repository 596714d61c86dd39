import type { SegmentKey } from '../../store/segments.repo.ts';
import { F, type SegmentColumns } from './segment-index.columns.ts';
import { NO_STORAGE, type StorageIds } from './segment-index.storage-ids.ts';

/** Flags every row of a plain page has: its object id a UUID, its storage key `<flow>/<object>`. */
const PLAIN = F.OBJECT_UUID | F.PATH_OBJECT;
/** Flags no row of a plain page has. */
const NOT_PLAIN = F.HAS_EXTRAS | F.PATH_UUID;

/** A key_frame_count byte meaning "the count is in the extras" (see segment-index.codec.ts). */
const KEY_FRAMES_APART = 255;

/**
 * A page of segments whose rows are all plain: a UUID object id stored at its default key
 * `<flow>/<object>` in one storage backend, a bounded timerange, at most a small key_frame_count,
 * and nothing else (no extras). That is every segment a store allocates and a client registers
 * with the usual fields, so nearly every page; a page renderer can write it without making a
 * SegmentRecord per row (segments.page.ts). The rows are copied out of the index, so the page
 * stays right whatever the index does after; segment k is the k-th of the page, in page order.
 */
export class PlainPage {
  private constructor(
    readonly flowId: string,
    readonly storageId: string,
    readonly count: number,
    private readonly starts: BigInt64Array,
    private readonly ends: BigInt64Array,
    private readonly flags: Uint8Array,
    /** 16 bytes a row, in page order. */
    readonly objectIds: Uint8Array,
    private readonly keyFrames: Uint8Array,
    /** Whether the columns but objectIds hold the rows in the opposite order to the page's. */
    private readonly reversed: boolean,
    readonly next: SegmentKey | undefined,
  ) {}

  /**
   * The page of `rows` (index rows, in page order), or undefined when any of them is not plain or
   * they are not all in one backend.
   */
  static of(
    flowId: string,
    cols: SegmentColumns,
    storageIds: StorageIds,
    rows: readonly number[],
    next: SegmentKey | undefined,
  ): PlainPage | undefined {
    const n = rows.length;
    if (n === 0) return new PlainPage(flowId, '', 0, ...empty(), false, next);
    const storage = cols.storage[rows[0] as number] as number;
    if (storage === NO_STORAGE) return undefined;
    for (const i of rows) {
      if (((cols.flags[i] as number) & (PLAIN | NOT_PLAIN)) !== PLAIN) return undefined;
      if (cols.storage[i] !== storage || cols.keyFrames[i] === KEY_FRAMES_APART) return undefined;
    }
    const storageId = storageIds.id(storage);
    const first = rows[0] as number;
    const last = rows[n - 1] as number;
    const lo = Math.min(first, last);
    const forwards = first <= last;
    // A page without an object filter is a run of rows, forwards or backwards: its columns are
    // copied whole.
    const run = Math.abs(last - first) === n - 1 && rows.every((r, k) => r === first + (forwards ? k : -k));
    let objectIds: Uint8Array;
    if (run && forwards) objectIds = cols.objectIds.slice(16 * lo, 16 * (lo + n));
    else {
      objectIds = new Uint8Array(16 * n);
      for (let k = 0; k < n; k++) {
        const from = 16 * (rows[k] as number);
        for (let b = 0; b < 16; b++) objectIds[16 * k + b] = cols.objectIds[from + b] as number;
      }
    }
    if (run) {
      const hi = lo + n;
      return new PlainPage(
        flowId,
        storageId,
        n,
        cols.starts.slice(lo, hi),
        cols.ends.slice(lo, hi),
        cols.flags.slice(lo, hi),
        objectIds,
        cols.keyFrames.slice(lo, hi),
        !forwards,
        next,
      );
    }
    const starts = new BigInt64Array(n);
    const ends = new BigInt64Array(n);
    const flags = new Uint8Array(n);
    const keyFrames = new Uint8Array(n);
    for (let k = 0; k < n; k++) {
      const i = rows[k] as number;
      starts[k] = cols.starts[i] as bigint;
      ends[k] = cols.ends[i] as bigint;
      flags[k] = cols.flags[i] as number;
      keyFrames[k] = cols.keyFrames[i] as number;
    }
    return new PlainPage(flowId, storageId, n, starts, ends, flags, objectIds, keyFrames, false, next);
  }

  start(k: number): bigint {
    return this.starts[this.row(k)] as bigint;
  }

  end(k: number): bigint {
    return this.ends[this.row(k)] as bigint;
  }

  startInclusive(k: number): boolean {
    return ((this.flags[this.row(k)] as number) & F.START_INCL) !== 0;
  }

  endInclusive(k: number): boolean {
    return ((this.flags[this.row(k)] as number) & F.END_INCL) !== 0;
  }

  /** The segment's key_frame_count, or -1 when it has none. */
  keyFrameCount(k: number): number {
    return (this.keyFrames[this.row(k)] as number) - 1;
  }

  private row(k: number): number {
    return this.reversed ? this.count - 1 - k : k;
  }
}

function empty(): [BigInt64Array, BigInt64Array, Uint8Array, Uint8Array, Uint8Array] {
  return [
    new BigInt64Array(0),
    new BigInt64Array(0),
    new Uint8Array(0),
    new Uint8Array(0),
    new Uint8Array(0),
  ];
}
