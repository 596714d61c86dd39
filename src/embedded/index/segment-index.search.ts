/**
 * Binary searches over rows sorted by start. Segments of a Flow are non-empty and never overlap,
 * so sorting by start also sorts them by end (in compareEnds order): every question below is a
 * prefix/suffix split of the rows, found in O(log n) with the exact inclusivity rules of
 * timerange.bounds.ts.
 */
import { compareEnds, compareStarts, endsBefore } from '../../time/timerange.bounds.ts';
import { F, type SegmentColumns } from './segment-index.columns.ts';

/** The first row in [0, size) for which `after(i)` holds, given that it holds for a suffix. */
function partition(size: number, after: (i: number) => boolean): number {
  let lo = 0;
  let hi = size;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (after(mid)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

const startIncl = (c: SegmentColumns, i: number) => ((c.flags[i] as number) & F.START_INCL) !== 0;
const endIncl = (c: SegmentColumns, i: number) => ((c.flags[i] as number) & F.END_INCL) !== 0;

/** First row whose start is at or after the given start (null = -∞): a lower bound of a key. */
export function firstStartingFrom(c: SegmentColumns, start: bigint | null, inclusive: boolean): number {
  if (start === null) return 0;
  return partition(
    c.size,
    (i) => compareStarts(c.starts[i] as bigint, startIncl(c, i), start, inclusive) >= 0,
  );
}

/** First row whose start is strictly after the given start: the upper bound of a key. */
export function firstStartingAfter(c: SegmentColumns, start: bigint, inclusive: boolean): number {
  return partition(
    c.size,
    (i) => compareStarts(c.starts[i] as bigint, startIncl(c, i), start, inclusive) > 0,
  );
}

/** First row not wholly before a range starting at (start, inclusive): where overlaps can begin. */
export function firstNotBefore(c: SegmentColumns, start: bigint | null, inclusive: boolean): number {
  if (start === null) return 0;
  return partition(c.size, (i) => !endsBefore(c.ends[i] as bigint, endIncl(c, i), start, inclusive));
}

/** First row wholly after a range ending at (end, inclusive) (null = +∞): where overlaps stop. */
export function firstAfterEnd(c: SegmentColumns, end: bigint | null, inclusive: boolean): number {
  if (end === null) return c.size;
  return partition(c.size, (i) => endsBefore(end, inclusive, c.starts[i] as bigint, startIncl(c, i)));
}

/** First row ending beyond (end, inclusive): rows before it end within a range ending there. */
export function firstEndingBeyond(c: SegmentColumns, end: bigint | null, inclusive: boolean): number {
  if (end === null) return c.size;
  return partition(c.size, (i) => compareEnds(c.ends[i] as bigint, endIncl(c, i), end, inclusive) > 0);
}
