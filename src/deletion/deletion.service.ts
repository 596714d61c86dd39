import type { Clock } from '../common/clock.ts';
import { NotFoundError } from '../common/errors.ts';
import type { IdGenerator } from '../common/ids.ts';
import { EventLog } from '../events/events.log.ts';
import type { DeletionRecord } from '../store/deletions.repo.ts';
import { listingOrder, type SortCursor } from '../store/listing.order.ts';
import { keyOf, type SegmentRecord } from '../store/segments.repo.ts';
import type { StoreTx, TamsStore } from '../store/store.ts';
import { envelopeOf, TimeRange } from '../time/index.ts';
import type { DeletionRequest } from './deletion.schemas.ts';

/** What 8.2 lists deletion requests by (`sort_by`). */
export type DeletionSortKey = 'created' | 'expiry';

export interface DeletionSettings {
  /** Deletions of at most this many segments run within the request; larger ones go to the worker. */
  syncLimit: number;
  /** How long finished requests stay visible, in milliseconds. */
  retentionMs: number;
}

export interface DeletionServiceDeps {
  store: TamsStore;
  clock: Clock;
  ids: IdGenerator;
  settings: DeletionSettings;
  /** Tells the worker there is new work (it polls as well, so a lost wake-up only delays it). */
  wake: () => void;
}

/**
 * Deleting segments and Flows, now or in the background (DIGEST §9): small deletions finish in
 * the request's transaction (204); large ones become deletion requests (202) that the worker
 * (deletion.worker.ts) carries out in chunks, surviving restarts.
 */
export class DeletionService {
  constructor(private readonly deps: DeletionServiceDeps) {}

  /**
   * Inside a Flow deletion's transaction: removes its segments now, or returns the request that
   * will. The caller removes or hides the Flow itself.
   */
  async removeFlowSegments(
    store: StoreTx,
    flowId: string,
    actor: string | undefined,
  ): Promise<DeletionRecord | undefined> {
    const count = await store.segments.countFlow(flowId);
    if (count > this.deps.settings.syncLimit) {
      return this.createRequest(store, { flowId, range: TimeRange.ETERNITY, deleteFlow: true, actor });
    }
    await deleteSegments(store, flowId, TimeRange.ETERNITY, undefined, undefined, this.deps.clock.now());
    return undefined;
  }

  /** DELETE segments, inside the caller's transaction, once the Flow has been checked. */
  async removeSegments(
    store: StoreTx,
    flowId: string,
    range: TimeRange,
    objectId: string | undefined,
    actor: string | undefined,
  ): Promise<DeletionRecord | undefined> {
    const count = await store.segments.countWithin(flowId, range, objectId);
    if (count > this.deps.settings.syncLimit) {
      return this.createRequest(store, { flowId, range, objectId, deleteFlow: false, actor });
    }
    const now = this.deps.clock.now();
    const deleted = await deleteSegments(store, flowId, range, objectId, undefined, now);
    await segmentsGone(store, flowId, deleted, now);
    return undefined;
  }

  /**
   * Finishes at once the removal of a Flow a deletion request had taken away, once its segments
   * are gone (management `clean --flow`, the server stopped): the Flow's row goes and its pending
   * requests are done, as the worker leaves them.
   */
  async finishFlow(flowId: string): Promise<void> {
    const { store, clock, settings } = this.deps;
    await store.transaction(async (tx) => {
      await tx.flows.deleteRow(flowId);
      const now = clock.now();
      for (const request of await tx.deletions.pendingForFlow(flowId)) {
        request.status = 'done';
        request.timerange_remaining = TimeRange.EMPTY;
        request.updated = now;
        request.expiry = new Date(now.getTime() + settings.retentionMs);
        delete request.lease_owner;
        delete request.lease_until;
        await tx.deletions.save(request);
      }
    });
  }

  /** Call once the transaction that created a request has committed: the worker starts on it. */
  wake(): void {
    this.deps.wake();
  }

  async get(id: string): Promise<DeletionRequest> {
    const record = await this.deps.store.deletions.get(id);
    if (!record || (record.expiry && record.expiry <= this.deps.clock.now())) {
      throw new NotFoundError(`Deletion request ${id} does not exist`);
    }
    return deletionDocument(record);
  }

  async list(limit: number): Promise<DeletionRequest[]> {
    return (await this.deps.store.deletions.list(this.deps.clock.now(), limit)).map(deletionDocument);
  }

  /**
   * A page of the requests in TAMS 8.2's order (ADR 0052): by `created` or `expiry`, newest
   * first, those without an expiry (still running) after the rest, or all reversed.
   */
  async listPage(
    sortBy: DeletionSortKey,
    reverse: boolean,
    after: SortCursor | undefined,
    limit: number,
  ): Promise<{ items: DeletionRequest[]; next?: SortCursor }> {
    const { clock, store } = this.deps;
    const page = await store.deletions.listSorted(
      clock.now(),
      sortBy,
      listingOrder('datetime', reverse),
      after,
      limit,
    );
    return { items: page.items.map(deletionDocument), ...(page.next && { next: page.next }) };
  }

  private async createRequest(
    store: StoreTx,
    r: {
      flowId: string;
      range: TimeRange;
      objectId?: string;
      deleteFlow: boolean;
      actor: string | undefined;
    },
  ): Promise<DeletionRecord> {
    const now = this.deps.clock.now();
    const record: DeletionRecord = {
      id: this.deps.ids.uuid(),
      flow_id: r.flowId,
      delete_flow: r.deleteFlow,
      status: 'created',
      timerange_to_delete: r.range,
      timerange_remaining: r.range,
      created: now,
      updated: now,
    };
    if (r.objectId !== undefined) record.object_id = r.objectId;
    if (r.actor !== undefined) record.created_by = r.actor;
    await store.deletions.insert(record);
    return record;
  }
}

/**
 * Deletes the segments of `flowId` wholly inside `range` (at most `limit`, in time order) and
 * drops their object references; objects left without any are released (bytes queued for
 * deletion). Returns the deleted segments.
 */
export async function deleteSegments(
  store: StoreTx,
  flowId: string,
  range: TimeRange,
  objectId: string | undefined,
  limit: number | undefined,
  now: Date,
): Promise<SegmentRecord[]> {
  const segments = await store.segments.within(flowId, range, objectId, limit);
  if (segments.length === 0) return segments;
  // What the Flow had (where that costs no round trip): a Flow losing most of its segments
  // (or all) has its reference rows and objects read and deleted by the Flow alone. Its objects
  // were allocated over all its life, between every other Flow's, so looking them up by id
  // reads whole columns of tables as large as the archive.
  const had = await store.segments.sizeForDeletion(flowId);
  await store.segments.deleteKeys(flowId, segments.map(keyOf));
  const counts = new Map<string, number>();
  const count = (id: string) => counts.set(id, (counts.get(id) ?? 0) + 1);
  for (const s of segments) {
    count(s.object_id);
    // An init object is referenced through the segments of the objects it initialises.
    if (s.init_object_id !== undefined) count(s.init_object_id);
  }
  await store.objects.dropRefs(flowId, counts, now, had !== undefined && 2 * segments.length >= had);
  return segments;
}

/**
 * After segments of a live Flow were deleted: its timerange and segments_updated follow, and a
 * flows/segments_deleted event spans the deleted segments (it starts and ends on deleted ones).
 */
export async function segmentsGone(
  store: StoreTx,
  flowId: string,
  deleted: readonly SegmentRecord[],
  now: Date,
): Promise<void> {
  if (deleted.length === 0) return;
  await store.flows.setSegmentsState(flowId, await store.segments.envelope(flowId), now);
  const flow = await store.flows.get(flowId);
  if (!flow) return;
  const events = new EventLog(store, now);
  // The envelope starts and ends on deleted segments, as flows/segments_deleted asks.
  const range = envelopeOf(deleted.map((s) => s.timerange));
  await events.flow('flows/segments_deleted', flow, { flow_id: flow.id, timerange: range.format() });
  await events.flush();
}

export function deletionDocument(record: DeletionRecord): DeletionRequest {
  const doc: DeletionRequest = {
    id: record.id,
    flow_id: record.flow_id,
    timerange_to_delete: record.timerange_to_delete.format(),
    timerange_remaining: record.timerange_remaining.format(),
    delete_flow: record.delete_flow,
    status: record.status,
    created: record.created.toISOString(),
    updated: record.updated.toISOString(),
  };
  if (record.created_by !== undefined) doc.created_by = record.created_by;
  if (record.expiry !== undefined) doc.expiry = record.expiry.toISOString();
  if (record.error !== undefined) doc.error = record.error as DeletionRequest['error'];
  return doc;
}
