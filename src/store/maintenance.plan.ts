import type { DbSession } from '../db/db.types.ts';
import { and, col } from '../db/predicate.ts';
import { ObjectRefs } from './objects/refs.table.ts';
import { reqStr } from './rows.ts';
import { T } from './tables.ts';

/** Ids per `in` predicate: each chunk is one scan of the table, so chunks are large. */
const IN_CHUNK = 50_000;

/** What removing one Flow with all its data removes (management `clean --flow`). */
export interface FlowCleanPlan {
  flowId: string;
  /** `deleting`: a deletion request had already taken the Flow away, its rows remain. */
  state: 'live' | 'deleting';
  readOnly: boolean;
  segments: number;
  /** object_refs rows of the Flow. */
  references: number;
  /** Objects no other Flow references (and unused allocations for this Flow): rows removed. */
  objectsReleased: string[];
  /** Of those, objects whose bytes are in a backend: queued for deletion (media_gc). */
  bytesQueued: number;
  /** The Flow's tags (a list-valued one counts once, whatever its number of items). */
  tags: number;
  /** flow_collections rows naming the Flow as collector or member. */
  collectionRows: number;
  /** The Flow's Source goes too (its last Flow, ADR 0018). */
  sourceRemoved: boolean;
}

async function selectIn(
  db: DbSession,
  table: string,
  column: string,
  ids: readonly string[],
  columns: string[],
) {
  const rows = [];
  for (let i = 0; i < ids.length; i += IN_CHUNK) {
    rows.push(
      ...(await db.select(table, { where: and(col(column).in(ids.slice(i, i + IN_CHUNK))), columns })),
    );
  }
  return rows;
}

/** Reads what removing the Flow would remove; changes nothing. Undefined: no such Flow. */
export async function planFlowClean(db: DbSession, flowId: string): Promise<FlowCleanPlan | undefined> {
  const [flow] = await db.select(T.flows, { where: and(col('id').eq(flowId)), limit: 1 });
  if (!flow) return undefined;
  const refs = await db.select(T.objectRefs, {
    where: and(col('flow_id').eq(flowId)),
    columns: ['object_id'],
  });
  const referenced = [...new Set(refs.map((r) => reqStr(r, 'object_id')))];
  const elsewhere = new Set(
    (await selectIn(db, T.objectRefs, 'object_id', referenced, ['object_id', 'flow_id']))
      .filter((r) => r.flow_id !== flowId)
      .map((r) => reqStr(r, 'object_id')),
  );
  const allocated = (
    await db.select(T.allocations, { where: and(col('flow_id').eq(flowId)), columns: ['object_id'] })
  ).map((r) => reqStr(r, 'object_id'));
  const used = await new ObjectRefs(db).usedAmong(allocated);
  const released = [
    ...new Set([
      ...referenced.filter((id) => !elsewhere.has(id)),
      ...allocated.filter((id) => !used.has(id)),
    ]),
  ];
  const objects = await selectIn(db, T.objects, 'id', released, ['id', 'storage_id', 'storage_path']);
  const sourceId = reqStr(flow, 'source_id');
  const siblings = await db.count(T.flows, and(col('source_id').eq(sourceId), col('id').ne(flowId)));
  return {
    flowId,
    state: flow.deleting === true ? 'deleting' : 'live',
    readOnly: flow.read_only === true,
    segments: await db.count(T.segments, and(col('flow_id').eq(flowId))),
    references: refs.length,
    objectsReleased: released,
    bytesQueued: objects.filter((o) => o.storage_id !== null && o.storage_path !== null).length,
    tags: new Set(
      (await db.select(T.flowTags, { where: and(col('flow_id').eq(flowId)), columns: ['name'] })).map((r) =>
        reqStr(r, 'name'),
      ),
    ).size,
    collectionRows:
      (await db.count(T.collections, and(col('collector_id').eq(flowId)))) +
      (await db.count(T.collections, and(col('member_id').eq(flowId), col('collector_id').ne(flowId)))),
    sourceRemoved: siblings === 0,
  };
}
