import { packUuid, uuidEquals } from '../../common/uuid-bytes.ts';
import {
  keyOf,
  type SegmentKey,
  type SegmentPageOptions,
  type SegmentRecord,
} from '../../store/segments.repo.ts';
import { compareStarts, endsBefore } from '../../time/timerange.bounds.ts';
import { TimeRange } from '../../time/timerange.ts';
import { extrasBytes, extrasKey, RowCodec, type SegmentExtras } from './segment-index.codec.ts';
import { F, loadCapacity, SegmentColumns } from './segment-index.columns.ts';
import { PlainPage } from './segment-index.plain.ts';
import {
  firstAfterEnd,
  firstEndingBeyond,
  firstNotBefore,
  firstStartingAfter,
  firstStartingFrom,
} from './segment-index.search.ts';
import type { StorageIds } from './segment-index.storage-ids.ts';

export interface SegmentPage {
  items: SegmentRecord[];
  next?: SegmentKey;
}

/** Fixed cost of an index whatever its size: the object, its Map and the typed array headers. */
const BASE_BYTES = 1024;

const startOrder = (a: TimeRange, b: TimeRange) =>
  compareStarts(a.start, a.startInclusive, b.start, b.startInclusive);
const byKey = (a: SegmentRecord, b: SegmentRecord) => startOrder(a.timerange, b.timerange);

/** Whether `a` ends before `b` starts: in time order and not overlapping (so not the same key). */
const isBefore = (a: TimeRange, b: TimeRange) => endsBefore(a.end, a.endInclusive, b.start, b.startInclusive);

/**
 * Every segment of one Flow in memory, answering the reads of SegmentsRepo with the same results
 * (same order, same keyset cursors, same fields) without a database query: rows sorted by key
 * (start, an inclusive start first) in compact columns, rare fields in a Map keyed by segment key.
 * The database stays the source of truth; the store loads this from it and applies each committed
 * write. Inserts must not overlap existing segments (the store checks first); a violation throws
 * before anything changes, as the index would otherwise no longer be sorted by end.
 */
export class FlowSegmentIndex {
  private readonly cols: SegmentColumns;
  private readonly extras = new Map<bigint, SegmentExtras>();
  private extrasSize = 0;
  private readonly codec: RowCodec;
  private readonly lookup = (key: bigint) => this.extras.get(key);

  private constructor(
    flowId: string,
    private readonly storageIds: StorageIds,
    cols: SegmentColumns,
  ) {
    this.codec = new RowCodec(flowId, storageIds);
    this.cols = cols;
  }

  /** An index of `records` (any order), with room for some more (see loadCapacity). */
  static from(flowId: string, records: readonly SegmentRecord[], storageIds: StorageIds): FlowSegmentIndex {
    const index = new FlowSegmentIndex(flowId, storageIds, new SegmentColumns(loadCapacity(records.length)));
    for (const r of records) index.codec.check(r);
    const sorted = records.every((r, i) => i === 0 || byKey(records[i - 1] as SegmentRecord, r) < 0)
      ? records
      : [...records].sort(byKey);
    for (let i = 1; i < sorted.length; i++) index.checkOrder(sorted[i - 1]?.timerange, sorted[i]?.timerange);
    for (const r of sorted) index.write(index.cols.size++, r);
    return index;
  }

  /**
   * An index of rows already in key order (a snapshot read back, see segment-index.snapshot.ts):
   * `extras` keyed by extrasKey, storage bytes interned in `storageIds`.
   */
  static fromParts(
    flowId: string,
    storageIds: StorageIds,
    cols: SegmentColumns,
    extras: ReadonlyMap<bigint, SegmentExtras>,
  ): FlowSegmentIndex {
    const index = new FlowSegmentIndex(flowId, storageIds, cols);
    for (const [key, value] of extras) {
      index.extras.set(key, value);
      index.extrasSize += extrasBytes(value);
    }
    return index;
  }

  /** The rows, extras and storage table as they are (for a snapshot: read, never change them). */
  parts(): { cols: SegmentColumns; extras: ReadonlyMap<bigint, SegmentExtras>; storageIds: StorageIds } {
    return { cols: this.cols, extras: this.extras, storageIds: this.storageIds };
  }

  /**
   * Puts these segments in, each replacing the segment of its key if there is one (rows read
   * after a snapshot, which may hold some of them already). Throws on any other overlap, with the
   * replaced keys already gone: unlike insert, a failed upsert leaves the index to be discarded
   * (a load that fails is, and the Flow loads again by a scan).
   */
  upsert(records: readonly SegmentRecord[]): void {
    if (records.length === 0) return;
    this.remove(records.map(keyOf));
    this.insert(records);
  }

  get flowId(): string {
    return this.codec.flowId;
  }

  get size(): number {
    return this.cols.size;
  }

  /** Rows the columns can hold before growing. */
  get capacity(): number {
    return this.cols.capacity;
  }

  /** Gives back the room kept for growth, e.g. after a bulk load. */
  trim(): void {
    this.cols.trim();
  }

  /** Adds segments (any order) that overlap neither each other nor the indexed ones. */
  insert(records: readonly SegmentRecord[]): void {
    if (records.length === 0) return;
    for (const r of records) this.codec.check(r);
    const batch = [...records].sort(byKey);
    for (let k = 1; k < batch.length; k++) this.checkOrder(batch[k - 1]?.timerange, batch[k]?.timerange);
    const cols = this.cols;
    const n = cols.size;
    const first = (batch[0] as SegmentRecord).timerange;
    const lastRow = n === 0 ? undefined : this.rangeAt(n - 1);
    if (lastRow === undefined || startOrder(first, lastRow) > 0) {
      // Appending, the common case of live ingest: no search, no moves.
      this.checkOrder(lastRow, first);
      cols.reserve(n + batch.length);
      for (const r of batch) this.write(cols.size++, r);
      return;
    }
    const positions = batch.map((r) => {
      const p = firstStartingFrom(cols, r.timerange.start, r.timerange.startInclusive);
      if (p > 0) this.checkOrder(this.rangeAt(p - 1), r.timerange);
      if (p < n) this.checkOrder(r.timerange, this.rangeAt(p));
      return p;
    });
    cols.reserve(n + batch.length);
    // Merge from the back: each block of old rows moves once, straight to its final place.
    let end = n;
    for (let k = batch.length - 1; k >= 0; k--) {
      const p = positions[k] as number;
      cols.move(p, p + k + 1, end - p);
      this.write(p + k, batch[k] as SegmentRecord);
      end = p;
    }
    cols.size = n + batch.length;
  }

  /** Removes the segments with these keys (unknown keys are ignored); returns how many went. */
  remove(keys: readonly SegmentKey[]): number {
    const cols = this.cols;
    const rows = new Set<number>();
    for (const key of keys) {
      const i = this.find(key);
      if (i >= 0) rows.add(i);
    }
    if (rows.size === 0) return 0;
    const sorted = [...rows].sort((a, b) => a - b);
    for (const i of sorted) {
      if (((cols.flags[i] as number) & F.HAS_EXTRAS) === 0) continue;
      const key = this.extrasKeyAt(i);
      const extras = this.extras.get(key);
      if (extras) this.extrasSize -= extrasBytes(extras);
      this.extras.delete(key);
    }
    let to = sorted[0] as number;
    for (let j = 0; j < sorted.length; j++) {
      const from = (sorted[j] as number) + 1;
      const stop = sorted[j + 1] ?? cols.size;
      cols.move(from, to, stop - from);
      to += stop - from;
    }
    cols.size -= sorted.length;
    return sorted.length;
  }

  get(key: SegmentKey): SegmentRecord | undefined {
    const i = this.find(key);
    return i < 0 ? undefined : this.decode(i);
  }

  /** Every segment overlapping `range`, in time order. */
  overlapping(range: TimeRange): SegmentRecord[] {
    const [lo, hi] = this.overlapRows(range);
    const found: SegmentRecord[] = [];
    for (let i = lo; i < hi; i++) found.push(this.decode(i));
    return found;
  }

  /** One page of the segments overlapping `range`: the results and cursor of SegmentsRepo.page. */
  page(range: TimeRange, options: SegmentPageOptions): SegmentPage {
    if (range.isEmpty()) return { items: [] };
    const { rows, next } = this.pageRows(range, options);
    return { items: rows.map((i) => this.decode(i)), next };
  }

  /**
   * page() as a PlainPage (segment-index.plain.ts), or undefined when a row of it is not plain:
   * the same rows, order and cursor.
   */
  plainPage(range: TimeRange, options: SegmentPageOptions): PlainPage | undefined {
    const { rows, next } = this.pageRows(range, options);
    return PlainPage.of(this.flowId, this.cols, this.storageIds, rows, next);
  }

  /** The rows of page(), in page order, and its cursor. */
  private pageRows(range: TimeRange, options: SegmentPageOptions): { rows: number[]; next?: SegmentKey } {
    if (range.isEmpty()) return { rows: [] };
    const { after, reverse, limit } = options;
    let [lo, hi] = this.overlapRows(range);
    if (after && reverse) hi = Math.min(hi, firstStartingFrom(this.cols, after.start, after.startInclusive));
    if (after && !reverse)
      lo = Math.max(lo, firstStartingAfter(this.cols, after.start, after.startInclusive));
    const match = this.objectMatcher(options.objectId);
    // One row beyond the page tells whether there is a next page.
    const want = Math.max(0, limit) + 1;
    const rows: number[] = [];
    if (reverse) {
      for (let i = hi - 1; i >= lo && rows.length < want; i--) if (!match || match(i)) rows.push(i);
    } else {
      for (let i = lo; i < hi && rows.length < want; i++) if (!match || match(i)) rows.push(i);
    }
    const page = rows.slice(0, Math.max(0, limit));
    const last = rows.length > limit ? rows[page.length - 1] : undefined;
    return { rows: page, next: last === undefined ? undefined : this.keyAt(last) };
  }

  /** Segments wholly inside `range`, in time order, at most `limit`. */
  within(range: TimeRange, objectId?: string, limit?: number): SegmentRecord[] {
    const [lo, hi] = this.withinRows(range);
    const match = this.objectMatcher(objectId);
    const max = limit === undefined ? Number.POSITIVE_INFINITY : limit;
    const found: SegmentRecord[] = [];
    for (let i = lo; i < hi && found.length < max; i++) if (!match || match(i)) found.push(this.decode(i));
    return found;
  }

  /** The exact number of segments wholly inside `range`. */
  countWithin(range: TimeRange, objectId?: string): number {
    const [lo, hi] = this.withinRows(range);
    const match = this.objectMatcher(objectId);
    if (!match) return hi - lo;
    let count = 0;
    for (let i = lo; i < hi; i++) if (match(i)) count++;
    return count;
  }

  /** From the first segment's start to the last one's end; EMPTY without segments. */
  envelope(): TimeRange {
    const n = this.cols.size;
    if (n === 0) return TimeRange.EMPTY;
    const first = this.rangeAt(0);
    const last = this.rangeAt(n - 1);
    return TimeRange.fromBounds(first.start, last.end, first.startInclusive, last.endInclusive);
  }

  /** An estimate of the bytes this index holds (columns at capacity, extras, fixed overhead). */
  memoryBytes(): number {
    return BASE_BYTES + this.cols.bytes() + this.extrasSize;
  }

  private overlapRows(range: TimeRange): [number, number] {
    if (range.isEmpty()) return [0, 0];
    const lo = firstNotBefore(this.cols, range.start, range.startInclusive);
    return [lo, Math.max(lo, firstAfterEnd(this.cols, range.end, range.endInclusive))];
  }

  private withinRows(range: TimeRange): [number, number] {
    if (range.isEmpty()) return [0, 0];
    const lo = firstStartingFrom(this.cols, range.start, range.startInclusive);
    return [lo, Math.max(lo, firstEndingBeyond(this.cols, range.end, range.endInclusive))];
  }

  /** A test of a row's object id, or undefined when there is no filter. */
  private objectMatcher(objectId: string | undefined): ((i: number) => boolean) | undefined {
    if (objectId === undefined) return undefined;
    const { flags, objectIds } = this.cols;
    const wanted = new Uint8Array(16);
    if (packUuid(objectId, wanted, 0)) {
      return (i) => ((flags[i] as number) & F.OBJECT_UUID) !== 0 && uuidEquals(objectIds, 16 * i, wanted, 0);
    }
    return (i) =>
      ((flags[i] as number) & F.OBJECT_UUID) === 0 &&
      this.extras.get(this.extrasKeyAt(i))?.object_id === objectId;
  }

  /** The row of `key`, or -1. */
  private find(key: SegmentKey): number {
    const i = firstStartingFrom(this.cols, key.start, key.startInclusive);
    if (i >= this.cols.size || this.cols.starts[i] !== key.start) return -1;
    return this.startInclusiveAt(i) === key.startInclusive ? i : -1;
  }

  private write(i: number, record: SegmentRecord): void {
    const extras = this.codec.encode(this.cols, i, record);
    if (!extras) return;
    this.extras.set(this.extrasKeyAt(i), extras);
    this.extrasSize += extrasBytes(extras);
  }

  private decode(i: number): SegmentRecord {
    return this.codec.decode(this.cols, i, this.lookup);
  }

  private checkOrder(a: TimeRange | undefined, b: TimeRange | undefined): void {
    if (a && b && !isBefore(a, b)) {
      throw new Error(`segments ${a.format()} and ${b.format()} of Flow ${this.flowId} overlap`);
    }
  }

  private startInclusiveAt(i: number): boolean {
    return ((this.cols.flags[i] as number) & F.START_INCL) !== 0;
  }

  private keyAt(i: number): SegmentKey {
    return { start: this.cols.starts[i] as bigint, startInclusive: this.startInclusiveAt(i) };
  }

  private extrasKeyAt(i: number): bigint {
    return extrasKey(this.cols.starts[i] as bigint, this.startInclusiveAt(i));
  }

  private rangeAt(i: number): TimeRange {
    const flags = this.cols.flags[i] as number;
    return TimeRange.fromBounds(
      this.cols.starts[i] as bigint,
      this.cols.ends[i] as bigint,
      (flags & F.START_INCL) !== 0,
      (flags & F.END_INCL) !== 0,
    );
  }
}
