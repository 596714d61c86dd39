import { formatTimestamp, TimeRange } from '../time/index.ts';
import type { Interval, IslandsResult } from './store/reports.ts';

/**
 * What makes gaps out of a Flow's islands (reports.flows.ts flowIslands): the holes between
 * consecutive islands (each is a gap: islands split only there), and the window's uncovered ends.
 * A hole is a gap when it holds an instant and, with `minGap`, is longer than it.
 */
export interface CoverageFigures {
  spans: string[];
  gaps: { timerange: string; duration: string }[];
  gapCount: number;
  gapTotal: bigint;
}

const span = (i: Interval) => TimeRange.fromBounds(i.start, i.end, i.startIncl, i.endIncl);

/** The instants between two consecutive islands. */
function between(a: Interval, b: Interval): TimeRange {
  return TimeRange.fromBounds(a.end, b.start, !a.endIncl, !b.startIncl);
}

function isGap(hole: TimeRange, minGap: bigint | undefined): boolean {
  return !hole.isEmpty() && (minGap === undefined || (hole.durationNs() ?? 0n) > minGap);
}

/** The uncovered start and end of a bounded window side (none when unbounded there). */
function edges(window: TimeRange, first: Interval | undefined, last: Interval | undefined) {
  if (window.isEmpty()) return { lead: undefined, trail: undefined };
  if (first === undefined || last === undefined) {
    // Nothing covered: a window bounded on both sides is one gap; otherwise none can be measured.
    return { lead: window.isBounded() ? window : undefined, trail: undefined };
  }
  const lead =
    window.start === null
      ? undefined
      : TimeRange.fromBounds(window.start, first.start, window.startInclusive, !first.startIncl);
  const trail =
    window.end === null
      ? undefined
      : TimeRange.fromBounds(last.end, window.end, !last.endIncl, window.endInclusive);
  return { lead, trail };
}

const gapDoc = (r: TimeRange) => ({ timerange: r.format(), duration: formatTimestamp(r.durationNs() ?? 0n) });

/** Spans and gaps of one page (`firstPage`: no `after`), and the totals over every island. */
export function coverageFigures(
  islands: IslandsResult,
  window: TimeRange,
  minGap: bigint | undefined,
  firstPage: boolean,
): CoverageFigures {
  const { lead, trail } = edges(window, islands.first, islands.last);
  const leadGap = lead !== undefined && isGap(lead, minGap) ? lead : undefined;
  const trailGap = trail !== undefined && isGap(trail, minGap) ? trail : undefined;
  const gaps: TimeRange[] = [];
  if (firstPage && leadGap !== undefined) gaps.push(leadGap);
  const page = islands.spans;
  page.forEach((s, i) => {
    const following = page[i + 1] ?? islands.next;
    if (following !== undefined) gaps.push(between(s, following));
  });
  if (islands.next === undefined && trailGap !== undefined && page.length > 0) gaps.push(trailGap);
  let gapCount = Math.max(0, islands.islands - 1);
  let gapTotal = islands.holes;
  for (const edge of [leadGap, trailGap]) {
    if (edge === undefined) continue;
    gapCount++;
    gapTotal += edge.durationNs() ?? 0n;
  }
  return { spans: page.map((s) => span(s).format()), gaps: gaps.map(gapDoc), gapCount, gapTotal };
}
