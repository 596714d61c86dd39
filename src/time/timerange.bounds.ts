/**
 * The one implementation of timerange comparison logic. It works on plain bounds so the store can
 * test stored segment rows (start, end, inclusivity flags) against a query range without building a
 * TimeRange per row; TimeRange's methods delegate here.
 *
 * Ranges are real intervals whose bounds happen to be nanosecond values (as in the reference
 * library): `(0:0_0:1)` is not empty even though no whole nanosecond lies inside it. A `null` bound
 * is unbounded, and the inclusivity flag next to a `null` bound is ignored whatever its value.
 */

/** The shape shared by TimeRange and anything row-like that carries a range. */
export interface RangeBounds {
  readonly start: bigint | null;
  readonly end: bigint | null;
  readonly startInclusive: boolean;
  readonly endInclusive: boolean;
}

/** Empty when the end is before the start, or they meet and either side is exclusive. */
export function boundsEmpty(
  start: bigint | null,
  end: bigint | null,
  startInclusive: boolean,
  endInclusive: boolean,
): boolean {
  return (
    start !== null && end !== null && (start > end || (start === end && !(startInclusive && endInclusive)))
  );
}

/** Orders two start bounds: unbounded first, then by value, then inclusive before exclusive. */
export function compareStarts(
  a: bigint | null,
  aInclusive: boolean,
  b: bigint | null,
  bInclusive: boolean,
): number {
  if (a === null) return b === null ? 0 : -1;
  if (b === null) return 1;
  if (a !== b) return a < b ? -1 : 1;
  if (aInclusive === bInclusive) return 0;
  return aInclusive ? -1 : 1;
}

/** Orders two end bounds: by value, exclusive before inclusive, unbounded last. */
export function compareEnds(
  a: bigint | null,
  aInclusive: boolean,
  b: bigint | null,
  bInclusive: boolean,
): number {
  if (a === null) return b === null ? 0 : 1;
  if (b === null) return -1;
  if (a !== b) return a < b ? -1 : 1;
  if (aInclusive === bInclusive) return 0;
  return aInclusive ? 1 : -1;
}

/**
 * Whether a range ending at (end, endInclusive) lies wholly before one starting at (start,
 * startInclusive): the reference `is_earlier_than_timerange` rule. Meeting at a point only counts as
 * touching when both sides include it, so `[1:0_2:0)` is earlier than `[2:0]`.
 */
export function endsBefore(
  end: bigint | null,
  endInclusive: boolean,
  start: bigint | null,
  startInclusive: boolean,
): boolean {
  if (end === null || start === null) return false;
  return end < start || (end === start && !(endInclusive && startInclusive));
}

/** Whether `range` and the given bounds share at least one instant; empty ranges overlap nothing. */
export function overlapsBounds(
  range: RangeBounds,
  start: bigint | null,
  end: bigint | null,
  startInclusive: boolean,
  endInclusive: boolean,
): boolean {
  if (boundsEmpty(start, end, startInclusive, endInclusive)) return false;
  if (boundsEmpty(range.start, range.end, range.startInclusive, range.endInclusive)) return false;
  return (
    !endsBefore(range.end, range.endInclusive, start, startInclusive) &&
    !endsBefore(end, endInclusive, range.start, range.startInclusive)
  );
}

/** Whether `range` completely covers the given bounds; an empty range is covered by anything. */
export function containsBounds(
  range: RangeBounds,
  start: bigint | null,
  end: bigint | null,
  startInclusive: boolean,
  endInclusive: boolean,
): boolean {
  if (boundsEmpty(start, end, startInclusive, endInclusive)) return true;
  if (boundsEmpty(range.start, range.end, range.startInclusive, range.endInclusive)) return false;
  return (
    compareStarts(range.start, range.startInclusive, start, startInclusive) <= 0 &&
    compareEnds(range.end, range.endInclusive, end, endInclusive) >= 0
  );
}
