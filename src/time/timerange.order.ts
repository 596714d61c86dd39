import { compareEnds, compareStarts } from './timerange.bounds.ts';
import { TimeRange } from './timerange.ts';

/**
 * Sorts by start (unbounded first, inclusive before exclusive at the same instant), then by end.
 * Empty ranges have no position on the timeline and sort before everything. Returns 0 only for
 * equal ranges.
 */
export function compareByStart(a: TimeRange, b: TimeRange): number {
  const emptyOrder = compareEmptiness(a, b);
  if (emptyOrder !== undefined) return emptyOrder;
  return (
    compareStarts(a.start, a.startInclusive, b.start, b.startInclusive) ||
    compareEnds(a.end, a.endInclusive, b.end, b.endInclusive)
  );
}

/** Sorts by end (exclusive before inclusive at the same instant, unbounded last), then by start. */
export function compareByEnd(a: TimeRange, b: TimeRange): number {
  const emptyOrder = compareEmptiness(a, b);
  if (emptyOrder !== undefined) return emptyOrder;
  return (
    compareEnds(a.end, a.endInclusive, b.end, b.endInclusive) ||
    compareStarts(a.start, a.startInclusive, b.start, b.startInclusive)
  );
}

/** The smallest range covering all of them; EMPTY for none. */
export function envelopeOf(ranges: Iterable<TimeRange>): TimeRange {
  let acc = TimeRange.EMPTY;
  for (const r of ranges) acc = acc.envelope(r);
  return acc;
}

function compareEmptiness(a: TimeRange, b: TimeRange): number | undefined {
  const ae = a.isEmpty();
  const be = b.isEmpty();
  if (!ae && !be) return undefined;
  if (ae && be) return 0;
  return ae ? -1 : 1;
}
