import type { Analytics } from '../db/analytics/analytics.ts';
import type { AnalyticsRow } from '../db/analytics/analytics.types.ts';
import { and, col } from '../db/predicate.ts';
import { TimeRange } from '../time/index.ts';
import { T } from './tables.ts';

interface Bound {
  at: bigint;
  inclusive: boolean;
}

/**
 * Every Flow's segment envelope (its timerange), in one aggregation over the segments table
 * rather than a read of every row: the earliest start and the latest end per Flow and per pair of
 * inclusivity flags, so that a tie between an inclusive and an exclusive bound at the same instant
 * resolves exactly (the inclusive one reaches further). Flows without segments are absent.
 */
export async function readEnvelopes(analytics: Analytics): Promise<Map<string, TimeRange>> {
  const rows = await analytics.aggregate({
    kind: 'aggregate',
    from: {
      table: T.segments,
      columns: ['flow_id', 'seg_start', 'seg_end', 'seg_start_incl', 'seg_end_incl'],
    },
    groupBy: {
      flow: { col: 'flow_id' },
      si: { col: 'seg_start_incl' },
      ei: { col: 'seg_end_incl' },
    },
    measures: { lo: { fn: 'min', of: { col: 'seg_start' } }, hi: { fn: 'max', of: { col: 'seg_end' } } },
  });
  const starts = new Map<string, Bound>();
  const ends = new Map<string, Bound>();
  for (const row of rows) {
    const flowId = row.flow as string;
    const lo = bound(row, 'lo', 'si');
    const hi = bound(row, 'hi', 'ei');
    const start = starts.get(flowId);
    if (!start || lo.at < start.at || (lo.at === start.at && lo.inclusive)) starts.set(flowId, lo);
    const end = ends.get(flowId);
    if (!end || hi.at > end.at || (hi.at === end.at && hi.inclusive)) ends.set(flowId, hi);
  }
  const envelopes = new Map<string, TimeRange>();
  for (const [flowId, start] of starts) {
    const end = ends.get(flowId) as Bound;
    envelopes.set(flowId, TimeRange.fromBounds(start.at, end.at, start.inclusive, end.inclusive));
  }
  return envelopes;
}

function bound(row: AnalyticsRow, value: string, inclusive: string): Bound {
  return { at: row[value] as bigint, inclusive: row[inclusive] === true };
}

/** The events after which a Flow's `segments_updated` is the event's time (same `now`). */
const SEGMENT_EVENTS = ['flows/segments_added', 'flows/segments_deleted'];

/**
 * Every Flow's latest segment change as the outbox recorded it, in one aggregation over the
 * events table: each registration and deletion writes its event in its own transaction with the
 * time it gave the Flow's `segments_updated`, so after a stop that lost the Flow states held
 * behind, this is what they said (for the events the outbox still holds).
 */
export async function readSegmentTimes(analytics: Analytics): Promise<Map<string, Date>> {
  const rows = await analytics.aggregate({
    kind: 'aggregate',
    from: {
      table: T.events,
      columns: ['flow_id', 'event_type', 'event_timestamp'],
      where: and(col('event_type').in(SEGMENT_EVENTS), col('flow_id').isNotNull()),
    },
    groupBy: { flow: { col: 'flow_id' } },
    measures: { at: { fn: 'max', of: { col: 'event_timestamp' } } },
  });
  const times = new Map<string, Date>();
  for (const row of rows) {
    const at = row.at;
    if (at instanceof Date) times.set(row.flow as string, at);
  }
  return times;
}
