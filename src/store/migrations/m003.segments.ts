import type { TableManager } from '../../db/manager.ts';
import { and, col } from '../../db/predicate.ts';
import { TimeRange } from '../../time/index.ts';
import {
  OTR,
  otrColumns,
  otrOf,
  storedObjectTimerange,
  TIMES_COLUMNS,
  timesOf,
} from '../objects/object-times.ts';
import { big, bool, reqStr } from '../rows.ts';
import { T } from '../tables.ts';

/** Objects per read (one `in` list) and segment updates per transaction. */
const BATCH = 500;

const SEGMENT_COLUMNS = [
  'object_id',
  'seg_start',
  'seg_end',
  'seg_start_incl',
  'seg_end_incl',
  'ts_offset',
  `${OTR}_start`,
  `${OTR}_end`,
  `${OTR}_start_incl`,
  `${OTR}_end_incl`,
];

/**
 * Migration 3's second part for one Flow: its segments whose object's timerange is not their own
 * `timerange - ts_offset` get it (SegmentRecord.object_timerange). Only segments of objects the
 * Flow re-uses can differ: objects another Flow used first, or that the Flow uses more than
 * once (its reference rows say so); a Flow that only ingested has none, and its segments are not
 * read. Returns the segments written.
 */
export async function segmentFixes(db: TableManager, flowId: string): Promise<number> {
  const [reused, repeated] = await Promise.all([
    db.select(T.objectRefs, {
      where: and(col('flow_id').eq(flowId), col('first').eq(false)),
      columns: ['object_id'],
    }),
    db.select(T.objectRefs, {
      where: and(col('flow_id').eq(flowId), col('segments').gt(1n)),
      columns: ['object_id'],
    }),
  ]);
  const ids = [...new Set([...reused, ...repeated].map((r) => reqStr(r, 'object_id')))];
  let fixed = 0;
  for (let at = 0; at < ids.length; at += BATCH) {
    const chunk = ids.slice(at, at + BATCH);
    const objects = await db.select(T.objects, {
      where: and(col('id').in(chunk)),
      columns: ['id', ...TIMES_COLUMNS],
    });
    const ranges = new Map<string, TimeRange>();
    for (const o of objects) {
      const times = timesOf(o);
      if (times) ranges.set(reqStr(o, 'id'), times.timerange);
    }
    const segments = await db.select(T.segments, {
      where: and(col('flow_id').eq(flowId), col('object_id').in(chunk)),
      columns: SEGMENT_COLUMNS,
    });
    const changes: { start: bigint; startInclusive: boolean; range: TimeRange | undefined }[] = [];
    for (const row of segments) {
      const objectRange = ranges.get(reqStr(row, 'object_id'));
      if (objectRange === undefined) continue;
      const segment = {
        timerange: TimeRange.fromBounds(
          row.seg_start as bigint,
          row.seg_end as bigint,
          bool(row, 'seg_start_incl') ?? true,
          bool(row, 'seg_end_incl') ?? false,
        ),
        ts_offset: big(row, 'ts_offset'),
      };
      const want = storedObjectTimerange(segment, objectRange);
      const have = otrOf(row);
      if (want === have || (want !== undefined && have !== undefined && want.equals(have))) continue;
      changes.push({
        start: segment.timerange.start as bigint,
        startInclusive: segment.timerange.startInclusive,
        range: want,
      });
    }
    for (let c = 0; c < changes.length; c += BATCH) {
      const batch = changes.slice(c, c + BATCH);
      await db.transaction(async (tx) => {
        for (const change of batch) {
          const key = and(
            col('flow_id').eq(flowId),
            col('seg_start').eq(change.start),
            col('seg_start_incl').eq(change.startInclusive),
          );
          await tx.update(T.segments, key, otrColumns(change.range));
        }
      });
    }
    fixed += changes.length;
  }
  return fixed;
}
