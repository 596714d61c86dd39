/**
 * The `timerange` GET /flows/{flowId}?include_timerange=true answers. 8.2: "Limit `timerange` of
 * the response to the time range over which Segments partially or wholly overlap with the
 * provided timerange"; 7.0: "Limit the returned available segment timerange to this timerange".
 * Both ask for the time segments are available over within the query, not the Flow's envelope
 * cut by it: from the first overlapping segment's start to the last one's end, each clipped to
 * the query, and empty when no segment overlaps it (the Flow's timerange spans its gaps).
 */
import type { StoreSession } from '../store/store.ts';
import type { FlowRecord } from '../store/store.types.ts';
import { TimeRange } from '../time/index.ts';

export async function coveredRange(
  store: StoreSession,
  flow: FlowRecord,
  within: TimeRange,
): Promise<TimeRange> {
  const envelope = flow.timerange;
  // The query holds the whole Flow (the default `_` does), or misses it: no segment to read.
  if (within.contains(envelope) || !within.overlaps(envelope)) return envelope.intersect(within);
  const [first, last] = await Promise.all([
    store.segments.page(flow.id, within, { reverse: false, limit: 1 }),
    store.segments.page(flow.id, within, { reverse: true, limit: 1 }),
  ]);
  const [from, to] = [first.items[0], last.items[0]];
  if (!from || !to) return TimeRange.EMPTY;
  return from.timerange.envelope(to.timerange).intersect(within);
}
