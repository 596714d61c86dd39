import type { Span } from '../time.ts';

/**
 * What DELETE /flows/{id}/segments?timerange= does to the segments a GET of that timerange lists:
 * TAMS deletes only the segments the timerange covers completely ("Only delete Flow Segments
 * that are completely covered by the given timerange", 7.0 and 8.2; src/deletion and
 * test/segments/segments.delete.test.ts); one it covers in part stays whole.
 */
export interface RangeSegments {
  /** Wholly inside the range, in time order: deleted. */
  going: Span[];
  /** Overlapping the range in part (at its ends), with their timeranges as listed: kept. */
  staying: { timerange: string; span: Span | undefined }[];
}

/** Sorts segments overlapping `range` (half-open spans; undefined for an unbounded one). */
export function splitByCover(
  range: Span,
  segments: readonly { timerange: string; span: Span | undefined }[],
): RangeSegments {
  const going: Span[] = [];
  const staying: RangeSegments['staying'] = [];
  for (const segment of segments) {
    const { span } = segment;
    if (span && span.start >= range.start && span.end <= range.end) going.push(span);
    else staying.push(segment);
  }
  return { going, staying };
}

/** The span from the first to the last of `spans` (in time order), gaps included. */
export function spanAcross(spans: readonly Span[]): Span | undefined {
  const first = spans[0];
  const last = spans.at(-1);
  return first && last ? { start: first.start, end: last.end } : undefined;
}
