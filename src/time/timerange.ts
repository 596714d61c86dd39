import {
  boundsEmpty,
  compareEnds,
  compareStarts,
  containsBounds,
  endsBefore,
  overlapsBounds,
  type RangeBounds,
} from './timerange.bounds.ts';
import { formatTimestamp } from './timestamp.ts';

export interface TimeRangeOptions {
  /** Defaults to true, as an unmarked bound is inclusive in the string form. */
  readonly startInclusive?: boolean;
  readonly endInclusive?: boolean;
}

/**
 * An immutable, always-normalised timerange of signed nanoseconds (`null` = unbounded). Because
 * every instance is normalised, field-wise comparison is equality: an unbounded side has
 * inclusivity false, and every empty range is `TimeRange.EMPTY` (stored as `(0:0_0:0)`, so the
 * same four values written to table columns still read back as empty).
 */
export class TimeRange implements RangeBounds {
  readonly start: bigint | null;
  readonly end: bigint | null;
  readonly startInclusive: boolean;
  readonly endInclusive: boolean;

  // Private so that no un-normalised instance can exist; fromBounds() normalises.
  private constructor(
    start: bigint | null,
    end: bigint | null,
    startInclusive: boolean,
    endInclusive: boolean,
  ) {
    this.start = start;
    this.end = end;
    this.startInclusive = startInclusive;
    this.endInclusive = endInclusive;
  }

  static readonly EMPTY: TimeRange = new TimeRange(0n, 0n, false, false);
  static readonly ETERNITY: TimeRange = new TimeRange(null, null, false, false);

  static from(start: bigint | null, end: bigint | null, options?: TimeRangeOptions): TimeRange {
    return TimeRange.fromBounds(start, end, options?.startInclusive ?? true, options?.endInclusive ?? true);
  }

  /** Positional form of from(), for hot paths such as turning stored rows into ranges. */
  static fromBounds(
    start: bigint | null,
    end: bigint | null,
    startInclusive: boolean,
    endInclusive: boolean,
  ): TimeRange {
    if (boundsEmpty(start, end, startInclusive, endInclusive)) return TimeRange.EMPTY;
    if (start === null && end === null) return TimeRange.ETERNITY;
    return new TimeRange(start, end, start !== null && startInclusive, end !== null && endInclusive);
  }

  static instant(ts: bigint): TimeRange {
    return new TimeRange(ts, ts, true, true);
  }

  isEmpty(): boolean {
    return boundsEmpty(this.start, this.end, this.startInclusive, this.endInclusive);
  }

  isEternity(): boolean {
    return this.start === null && this.end === null;
  }

  isInstantaneous(): boolean {
    return this.start !== null && this.start === this.end && this.startInclusive;
  }

  /** No infinite side; EMPTY counts as bounded, so check isEmpty() too where that matters. */
  isBounded(): boolean {
    return this.start !== null && this.end !== null;
  }

  /** `end - start` for a bounded range (0 when empty), `null` when either side is unbounded. */
  durationNs(): bigint | null {
    if (this.isEmpty()) return 0n;
    return this.start === null || this.end === null ? null : this.end - this.start;
  }

  containsTimestamp(ts: bigint): boolean {
    return containsBounds(this, ts, ts, true, true);
  }

  overlaps(other: TimeRange): boolean {
    return overlapsBounds(this, other.start, other.end, other.startInclusive, other.endInclusive);
  }

  /** Whether `other` is completely covered by this range. */
  contains(other: TimeRange): boolean {
    return containsBounds(this, other.start, other.end, other.startInclusive, other.endInclusive);
  }

  /** Every instant of this range is before every instant of `other`; false if either is empty. */
  isEarlierThan(other: TimeRange): boolean {
    if (this.isEmpty() || other.isEmpty()) return false;
    return endsBefore(this.end, this.endInclusive, other.start, other.startInclusive);
  }

  isLaterThan(other: TimeRange): boolean {
    return other.isEarlierThan(this);
  }

  intersect(other: TimeRange): TimeRange {
    if (this.isEmpty() || other.isEmpty()) return TimeRange.EMPTY;
    const s =
      compareStarts(this.start, this.startInclusive, other.start, other.startInclusive) >= 0 ? this : other;
    const e = compareEnds(this.end, this.endInclusive, other.end, other.endInclusive) <= 0 ? this : other;
    if (s === e) return s;
    return TimeRange.fromBounds(s.start, e.end, s.startInclusive, e.endInclusive);
  }

  /** The smallest range covering both (gaps between them included), e.g. a Flow's extent. */
  envelope(other: TimeRange): TimeRange {
    if (this.isEmpty()) return other;
    if (other.isEmpty()) return this;
    const s =
      compareStarts(this.start, this.startInclusive, other.start, other.startInclusive) <= 0 ? this : other;
    const e = compareEnds(this.end, this.endInclusive, other.end, other.endInclusive) >= 0 ? this : other;
    if (s === e) return s;
    return TimeRange.fromBounds(s.start, e.end, s.startInclusive, e.endInclusive);
  }

  /**
   * The range moved by `ns` (bounds may leave the 64-bit range: callers storing it check). A
   * segment's range on its object's timeline is `timerange.shift(-ts_offset)`.
   */
  shift(ns: bigint): TimeRange {
    if (ns === 0n || this.isEmpty()) return this;
    const move = (b: bigint | null) => (b === null ? null : b + ns);
    return TimeRange.fromBounds(move(this.start), move(this.end), this.startInclusive, this.endInclusive);
  }

  equals(other: TimeRange): boolean {
    return (
      this.start === other.start &&
      this.end === other.end &&
      this.startInclusive === other.startInclusive &&
      this.endInclusive === other.endInclusive
    );
  }

  /** Canonical string as the reference library prints it: `()`, `[ts]`, `[a_b)`, `(a_`, `_b]`, `_`. */
  format(): string {
    const { start, end } = this;
    if (this.isEmpty()) return '()';
    if (start !== null && start === end) return `[${formatTimestamp(start)}]`;
    const head = start === null ? '' : `${this.startInclusive ? '[' : '('}${formatTimestamp(start)}`;
    const tail = end === null ? '' : `${formatTimestamp(end)}${this.endInclusive ? ']' : ')'}`;
    return `${head}_${tail}`;
  }

  toString(): string {
    return this.format();
  }

  /** Lets JSON.stringify emit the API string instead of failing on the bigint fields. */
  toJSON(): string {
    return this.format();
  }
}
