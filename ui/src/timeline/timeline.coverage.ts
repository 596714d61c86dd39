import type { Span } from '../time.ts';

/** What the timeline draws of a Flow: runs of contiguous segments, and the gaps between them. */
export interface Coverage {
  runs: Span[];
  gaps: Span[];
}

/**
 * Runs and gaps of `segments` (sorted by start) within `extent`: a segment starting where the
 * previous one ended continues its run; time of `extent` covered by none is a gap.
 */
export function coverage(segments: readonly Span[], extent: Span): Coverage {
  const runs: Span[] = [];
  const gaps: Span[] = [];
  if (extent.end <= extent.start) return { runs, gaps };
  let cursor = extent.start;
  let run: Span | undefined;
  for (const segment of segments) {
    if (segment.end <= extent.start || segment.start >= extent.end) continue;
    if (run !== undefined && segment.start <= run.end) {
      if (segment.end > run.end) run.end = segment.end;
      continue;
    }
    if (run !== undefined) {
      runs.push(run);
      cursor = run.end;
    }
    if (segment.start > cursor) gaps.push({ start: cursor, end: segment.start });
    run = { start: segment.start, end: segment.end };
  }
  if (run !== undefined) {
    runs.push(run);
    cursor = run.end;
  }
  if (cursor < extent.end) gaps.push({ start: cursor, end: extent.end });
  return { runs, gaps };
}
