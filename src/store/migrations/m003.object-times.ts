import type { Row } from '../../db/db.types.ts';
import type { TableManager } from '../../db/manager.ts';
import type { Migration } from '../../db/migrate/migrate.types.ts';
import { and, col } from '../../db/predicate.ts';
import { EarliestUses, FIRST_USE_COLUMNS, timesFromSegments } from '../objects/first-uses.ts';
import { type ObjectTimes, OTR, timesColumns } from '../objects/object-times.ts';
import { reqStr, str } from '../rows.ts';
import { T } from '../tables.ts';
import { segmentFixes } from './m003.segments.ts';

/** Rows per write (and ids per `in` list). */
const BATCH = 1000;

const UNSET = col(`${OTR}_start`).isNull();

/**
 * Gives every registered object the timerange and key_frame_count its first segment set (TAMS
 * 8.2 object.json, ADR 0036), written since by every registration: the earliest of its segments
 * left (objects/first-uses.ts), whose `timerange - ts_offset` is the object's timerange as 8.2
 * defaults it. Then every segment that uses part of its object (edits re-using objects) gets the
 * object's timerange where it differs from its own `timerange - ts_offset` (m003.segments.ts),
 * as registration now records it.
 *
 * Memory stays bounded by a Flow: objects are found Flow by Flow (those it was allocated for,
 * from one read of its segments), then the few others (external objects, objects whose
 * allocating Flow is gone) by id.
 *
 * Safe to repeat: only objects without a timerange are looked at, each batch written in one
 * transaction; a segment already holding the right range is not written again.
 */
export const backfillObjectTimes: Migration = {
  id: 3,
  name: 'backfill-object-times',
  description:
    'registered objects get the timerange and key_frame_count of their first segment; segments using part of their object get its timerange',
  async up({ db, renew, log }) {
    let objects = 0;
    for (const flowId of await flowIds(db)) {
      objects += await fillAllocatedFor(db, flowId);
      await renew();
    }
    objects += await fillTheRest(db, renew);
    let segments = 0;
    for (const flowId of await flowIds(db)) {
      segments += await segmentFixes(db, flowId);
      await renew();
    }
    if (objects + segments > 0) log.info({ objects, segments }, 'object timeranges recorded');
  },
};

async function flowIds(db: TableManager): Promise<string[]> {
  const rows = await db.select(T.flows, { columns: ['id'], orderBy: [{ column: 'id' }] });
  return rows.map((r) => reqStr(r, 'id'));
}

/** The objects allocated for the Flow and still without times, from one read of its segments. */
async function fillAllocatedFor(db: TableManager, flowId: string): Promise<number> {
  const lacking = await db.select(T.objects, {
    where: and(col('allocated_for').eq(flowId), UNSET),
    columns: ['id'],
  });
  if (lacking.length === 0) return 0;
  const wanted = new Set(lacking.map((r) => reqStr(r, 'id')));
  const uses = new EarliestUses(new Map([...wanted].map((id) => [id, flowId])));
  await db.scan(T.segments, { where: and(col('flow_id').eq(flowId)), columns: FIRST_USE_COLUMNS }, (rows) => {
    for (const row of rows) if (wanted.has(reqStr(row, 'object_id'))) uses.offer(row);
  });
  return write(db, uses.times());
}

/**
 * The objects left without times that a segment uses (an external object, or one whose
 * allocating Flow no longer uses it), by id after a cursor; allocated ones nothing used yet stay
 * without (their first segment sets them).
 */
async function fillTheRest(db: TableManager, renew: () => Promise<void>): Promise<number> {
  let after: string | undefined;
  let filled = 0;
  for (;;) {
    const rows = await db.select(T.objects, {
      where: and(UNSET, after !== undefined && col('id').gt(after)),
      columns: ['id', 'allocated_for'],
      orderBy: [{ column: 'id' }],
      limit: BATCH,
    });
    if (rows.length === 0) return filled;
    after = reqStr(rows.at(-1) as Row, 'id');
    const refs = await db.select(T.objectRefs, {
      where: and(col('object_id').in(rows.map((r) => reqStr(r, 'id')))),
      columns: ['object_id', 'flow_id', 'first'],
    });
    const flows = new Map<string, string[]>();
    const first = new Map<string, string>();
    for (const r of refs) {
      const id = reqStr(r, 'object_id');
      flows.set(id, [...(flows.get(id) ?? []), reqStr(r, 'flow_id')]);
      if (r.first === true) first.set(id, reqStr(r, 'flow_id'));
    }
    const queries = rows
      .filter((r) => flows.has(reqStr(r, 'id')))
      .map((r) => {
        const id = reqStr(r, 'id');
        return { id, flows: flows.get(id) as string[], first: first.get(id) ?? str(r, 'allocated_for') };
      });
    filled += await write(db, await timesFromSegments(db, queries));
    await renew();
  }
}

async function write(db: TableManager, times: ReadonlyMap<string, ObjectTimes>): Promise<number> {
  const rows = [...times].map(([id, t]) => ({ id, ...timesColumns(t) }));
  for (let at = 0; at < rows.length; at += BATCH) {
    const batch = rows.slice(at, at + BATCH);
    await db.transaction((tx) => tx.updateEach(T.objects, 'id', batch));
  }
  return rows.length;
}
