import { type Span, spanOf } from '../time.ts';

/** A break in a Flow's segments: no segment between one segment's end and the next's start. */
export interface Discontinuity {
  /** Where the earlier segment ends and the later one starts: the time no segment covers. */
  gap: Span;
}

/**
 * For each segment of a list in time order, the gap before it, if any: the time between the end
 * of the segment before it (`before`, the last of the previous page, for the first) and its
 * start. Segments that touch (one's exclusive end is the next's start) have none; a timerange
 * that does not parse is no evidence either way.
 */
export function discontinuities(
  timeranges: readonly string[],
  before?: string,
): (Discontinuity | undefined)[] {
  let previous = spanOf(before);
  return timeranges.map((timerange) => {
    const span = spanOf(timerange);
    const found =
      previous && span && span.start > previous.end
        ? { gap: { start: previous.end, end: span.start } }
        : undefined;
    if (span) previous = span;
    return found;
  });
}
