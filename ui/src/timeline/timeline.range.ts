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

/**
 * Where `[` or `]` puts its mark. Right after Home, `[` marks the Flow's start, and right after
 * End, `]` marks its end: End leaves the playhead short of the end (the player cannot sit on the
 * exclusive end, and reports its own clock there, a frame or so before), so a range marked from
 * the playhead could never hold the last segment wholly. Otherwise the playhead, within the Flow.
 */
export function markAt(mark: 'start' | 'end', playhead: bigint, extent: Span, lastKey?: string): bigint {
  if (mark === 'start' && lastKey === 'start') return extent.start;
  if (mark === 'end' && lastKey === 'end') return extent.end;
  return playhead < extent.start ? extent.start : playhead > extent.end ? extent.end : playhead;
}
