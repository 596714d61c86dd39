import { BoundedMap } from '../common/bounded-map.ts';
import type { SegmentKey, SegmentRecord } from '../store/segments.repo.ts';
import type { TamsStore } from '../store/store.ts';
import { TimeRange } from '../time/index.ts';
import { breaksBetween, type TimelineSegment } from './hls.timeline.ts';

/** What a live window's numbers come from: the Flow's segments before its first one. */
export interface Before {
  /** Segments before: the window's EXT-X-MEDIA-SEQUENCE. */
  count: number;
  /** Breaks before (segments after a gap or a ts_offset change): its EXT-X-DISCONTINUITY-SEQUENCE. */
  breaks: number;
  /** The segment just before, whether the window's first segment follows a break. */
  last?: TimelineSegment;
}

interface Memo extends Before {
  key: SegmentKey;
}

const PAGE = 1000;

export function timelineOf(s: SegmentRecord): TimelineSegment {
  return { start: s.timerange.start ?? 0n, end: s.timerange.end ?? 0n, tsOffset: s.ts_offset ?? 0n };
}

/**
 * Counts a Flow's segments and breaks before a live window. The numbers of a segment must not
 * change between reloads of a live playlist (RFC 8216 §6.2.1), and derived from what the store
 * holds they do not while the Flow only grows. Counting them means reading every earlier
 * segment, so what was counted is remembered per Flow and the next reload only reads the
 * segments added before the window since; a count of the store checks the memo every time
 * (segments deleted or inserted before the window: counted again from the start). The memo is
 * derived from the database alone, so replicas each holding their own agree.
 */
export class BreakCounter {
  private readonly memos = new BoundedMap<string, Memo>(1000);

  constructor(private readonly store: TamsStore) {}

  async before(flowId: string, first: SegmentRecord): Promise<Before> {
    const start = first.timerange.start ?? 0n;
    // Everything wholly before the first segment (its start is inclusive but for odd clients).
    const earlier = TimeRange.fromBounds(null, start, false, !first.timerange.startInclusive);
    const total = await this.store.segments.countWithin(flowId, earlier);
    const memo = this.memos.get(flowId);
    let counted: Memo | undefined;
    if (memo !== undefined && memo.key.start < start && memo.count <= total) {
      counted = await this.scan(flowId, earlier, memo);
      if (counted.count !== total) counted = undefined;
    }
    counted ??= await this.scan(flowId, earlier, undefined);
    if (counted.count === total) this.memos.set(flowId, counted);
    return { count: counted.count, breaks: counted.breaks, last: counted.last };
  }

  /** Reads the segments of `range` after the memo's (all of them without one), counting. */
  private async scan(flowId: string, range: TimeRange, from: Memo | undefined): Promise<Memo> {
    const state: Memo = from
      ? { ...from }
      : { key: { start: 0n, startInclusive: true }, count: 0, breaks: 0, last: undefined };
    let after = from?.key;
    for (;;) {
      const page = await this.store.segments.page(flowId, range, { reverse: false, limit: PAGE, after });
      for (const segment of page.items) {
        const timeline = timelineOf(segment);
        if (breaksBetween(state.last, timeline)) state.breaks += 1;
        state.count += 1;
        state.last = timeline;
        state.key = {
          start: segment.timerange.start ?? 0n,
          startInclusive: segment.timerange.startInclusive,
        };
      }
      if (page.next === undefined) return state;
      after = page.next;
    }
  }
}
