import type { Span } from '../time.ts';

/**
 * The range chosen on the timeline, as marks: `[` sets its start and `]` its end at the playhead
 * (either first), a shift-drag both at once. A mark that would put the start at or after the end
 * drops the other one, so the marks never describe an empty or reversed range.
 */
export interface Marks {
  start?: bigint;
  end?: bigint;
}

export function markStart(marks: Marks, t: bigint): Marks {
  return marks.end !== undefined && marks.end > t ? { start: t, end: marks.end } : { start: t };
}

export function markEnd(marks: Marks, t: bigint): Marks {
  return marks.start !== undefined && marks.start < t ? { start: marks.start, end: t } : { end: t };
}

/** The range between two points of a drag, whichever way it went. */
export function dragMarks(from: bigint, to: bigint): Marks {
  if (from === to) return { start: from };
  return from < to ? { start: from, end: to } : { start: to, end: from };
}

/** The chosen range once both ends are marked. */
export function markedSpan(marks: Marks): Span | undefined {
  return marks.start !== undefined && marks.end !== undefined && marks.start < marks.end
    ? { start: marks.start, end: marks.end }
    : undefined;
}
