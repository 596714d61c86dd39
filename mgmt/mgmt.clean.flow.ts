import { systemClock } from '../src/common/clock.ts';
import type { DbSession } from '../src/db/db.types.ts';
import { and, col } from '../src/db/predicate.ts';
import { deleteSegments } from '../src/deletion/deletion.service.ts';
import type { Runtime } from '../src/deps.ts';
import { ObjectsRepo } from '../src/store/objects.repo.ts';
import { reqStr } from '../src/store/rows.ts';
import { T } from '../src/store/tables.ts';
import { TimeRange } from '../src/time/index.ts';
import { MgmtError, type MgmtIo, Progress } from './mgmt.io.ts';

/** Who the changes are recorded as (updated_by, event actors). */
const ACTOR = 'tams-mgmt';
/**
 * Segments deleted per transaction: large, since each chunk scans the big tables a few times
 * (the server is stopped: no writer waits meanwhile).
 */
const CHUNK = 50_000;
/** Ids per `in` predicate: each chunk is one scan of the table, so chunks are large. */
const IN_CHUNK = 50_000;

/** What cleaning one Flow removes. */
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

/** Reads what `clean --flow` would remove; changes nothing. */
export async function planFlowClean(runtime: Runtime, flowId: string): Promise<FlowCleanPlan> {
  const { db } = runtime;
  const [flow] = await db.select(T.flows, { where: and(col('id').eq(flowId)), limit: 1 });
  if (!flow) throw new MgmtError(`Flow ${flowId} does not exist in this store`);
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
  const used = await new ObjectsRepo(db).usedAmong(allocated);
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
    tags: await db.count(T.flowTags, and(col('flow_id').eq(flowId))),
    collectionRows:
      (await db.count(T.collections, and(col('collector_id').eq(flowId)))) +
      (await db.count(T.collections, and(col('member_id').eq(flowId), col('collector_id').ne(flowId)))),
    sourceRemoved: siblings === 0,
  };
}

export function describeFlowPlan(plan: FlowCleanPlan): string {
  const lines = [
    `Flow ${plan.flowId} (${plan.state}${plan.readOnly ? ', read-only' : ''}):`,
    `  segments:                ${plan.segments}`,
    `  object references:       ${plan.references}`,
    `  objects released:        ${plan.objectsReleased.length} (bytes queued for deletion: ${plan.bytesQueued})`,
    `  tags:                    ${plan.tags}`,
    `  collection entries:      ${plan.collectionRows}`,
    `  Flow row:                1`,
    `  Source:                  ${plan.sourceRemoved ? 'removed (its last Flow)' : 'kept (other Flows use it)'}`,
  ];
  return `${lines.join('\n')}\n`;
}

/**
 * Removes the Flow the way the API would, whatever its size: segments in chunks (references
 * dropped, objects no longer referenced released with their bytes queued), then the Flow itself
 * through the Flows service (tags, collections, its Source if it was the last Flow, events).
 * A read-only Flow is made writable first; a Flow already being deleted is finished here.
 */
export async function cleanFlow(runtime: Runtime, plan: FlowCleanPlan, io: MgmtIo): Promise<void> {
  const { store } = runtime;
  const clock = systemClock;
  const { flowId } = plan;
  if (plan.state === 'live' && plan.readOnly) {
    const writable = (f: { read_only?: boolean }) => {
      f.read_only = false;
    };
    await runtime.flows.update(flowId, ACTOR, writable, { allowReadOnly: true });
  }
  const progress = new Progress(io, 'segments deleted', plan.segments);
  for (;;) {
    const deleted = await store.transaction((tx) =>
      deleteSegments(tx, flowId, TimeRange.ETERNITY, undefined, CHUNK, clock.now()),
    );
    progress.add(deleted.length);
    if (deleted.length < CHUNK) break;
  }
  progress.finish();
  if (plan.state === 'live') {
    await runtime.flows.delete(flowId, ACTOR);
  } else {
    await store.transaction(async (tx) => {
      await tx.flows.deleteRow(flowId);
      const now = clock.now();
      for (const request of await tx.deletions.pendingForFlow(flowId)) {
        request.status = 'done';
        request.timerange_remaining = TimeRange.EMPTY;
        request.updated = now;
        request.expiry = new Date(now.getTime() + runtime.config.TAMS_DELETE_RETENTION_SECONDS * 1000);
        delete request.lease_owner;
        delete request.lease_until;
        await tx.deletions.save(request);
      }
    });
  }
  // Allocations for the Flow never used: released now rather than after the grace period.
  const leftovers = await runtime.db.select(T.objects, {
    where: and(col('allocated_for').eq(flowId)),
    columns: ['id'],
  });
  const left = new Set(leftovers.map((r) => reqStr(r, 'id')));
  const unused = plan.objectsReleased.filter((id) => left.has(id));
  if (unused.length > 0) await store.transaction((tx) => tx.objects.release(unused, clock.now()));
}
