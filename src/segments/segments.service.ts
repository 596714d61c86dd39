import type { Clock } from '../common/clock.ts';
import { BadRequestError, ForbiddenError, NotFoundError } from '../common/errors.ts';
import type { DeletionRequest } from '../deletion/deletion.schemas.ts';
import { type DeletionService, deletionDocument } from '../deletion/deletion.service.ts';
import type { UrlContext } from '../media/media.types.ts';
import type { ObjectRecord } from '../store/objects.repo.ts';
import type { SegmentKey, SegmentRecord } from '../store/segments.repo.ts';
import type { TamsStore } from '../store/store.ts';
import type { FlowRecord } from '../store/store.types.ts';
import { envelopeOf, formatTimestamp, TimeFormatError, TimeRange } from '../time/index.ts';
import { checkObject, parseSegment, SegmentRejection, Timeline } from './segments.register.ts';
import type { FlowSegment, FlowSegmentBulkFailure, FlowSegmentPost } from './segments.schemas.ts';
import type { GetUrlBuilder, GetUrlFilter } from './segments.urls.ts';

export interface SegmentsServiceDeps {
  store: TamsStore;
  clock: Clock;
  urls: GetUrlBuilder;
  deletion: DeletionService;
}

export interface SegmentQuery {
  timerange?: TimeRange;
  objectId?: string;
  reverse: boolean;
  limit: number;
  after?: SegmentKey;
  urls: GetUrlFilter;
}

export type FailedSegment = FlowSegmentBulkFailure['failed_segments'][number];

const READ_ONLY = 'Flow is marked read-only';

/** The spec's rules for a Flow's segments: reading with get_urls, registering. */
export class SegmentsService {
  constructor(private readonly deps: SegmentsServiceDeps) {}

  /** A page of segments; an unknown Flow has none (DIGEST §14.6). */
  async list(
    flowId: string,
    query: SegmentQuery,
    ctx: UrlContext,
  ): Promise<{ items: FlowSegment[]; next?: SegmentKey; timerange: TimeRange }> {
    const { store } = this.deps;
    const page = await store.segments.page(flowId, query.timerange ?? TimeRange.ETERNITY, {
      objectId: query.objectId,
      reverse: query.reverse,
      limit: query.limit,
      after: query.after,
    });
    // A Flow being deleted in the background is gone for clients while the deletion worker
    // removes its segments (DIGEST §9): one look at the Flow, only when there is a page to hide.
    if (page.items.length > 0 && !(await store.flows.existing([flowId])).has(flowId)) {
      return { items: [], timerange: TimeRange.EMPTY };
    }
    const items = page.items.map((s) => this.document(s, query.urls, ctx));
    return { items, next: page.next, timerange: envelopeOf(page.items.map((s) => s.timerange)) };
  }

  document(segment: SegmentRecord, filter: GetUrlFilter, ctx: UrlContext): FlowSegment {
    const doc: FlowSegment = { object_id: segment.object_id, timerange: segment.timerange.format() };
    if (segment.ts_offset !== undefined) doc.ts_offset = formatTimestamp(segment.ts_offset);
    if (segment.last_duration !== undefined) doc.last_duration = formatTimestamp(segment.last_duration);
    if (segment.sample_offset !== undefined) doc.sample_offset = segment.sample_offset;
    if (segment.sample_count !== undefined) doc.sample_count = segment.sample_count;
    if (segment.key_frame_count !== undefined) doc.key_frame_count = segment.key_frame_count;
    doc.get_urls = this.deps.urls.build(segment.storage, segment.get_urls, filter, ctx);
    return doc;
  }

  /**
   * POST segments: one transaction for the whole request. A single segment that fails is a 400;
   * in an array, failures are reported and the others registered (DIGEST §6.3).
   */
  async register(flowId: string, body: FlowSegmentPost | FlowSegmentPost[]): Promise<FailedSegment[]> {
    const batch = Array.isArray(body) ? body : [body];
    const failures = await this.deps.store.transaction(async (store) => {
      const flow = await requireWritableFlow(store, flowId);
      if (flow.container === undefined) {
        throw new BadRequestError(`Flow ${flowId} has no container: it has no segments of its own`);
      }
      return this.registerInto(store, flow, batch);
    });
    if (!Array.isArray(body) && failures[0])
      throw new BadRequestError(failures[0].error?.summary ?? 'invalid segment');
    return failures;
  }

  /**
   * DELETE segments wholly inside `range`: done now (undefined) or as a deletion request that is
   * returned (202).
   */
  async delete(
    flowId: string,
    range: TimeRange,
    objectId: string | undefined,
    actor: string | undefined,
  ): Promise<DeletionRequest | undefined> {
    const { deletion } = this.deps;
    const request = await this.deps.store.transaction(async (store) => {
      await requireWritableFlow(store, flowId);
      return deletion.removeSegments(store, flowId, range, objectId, actor);
    });
    if (!request) return undefined;
    deletion.wake();
    return deletionDocument(request);
  }

  private async registerInto(store: TamsStore, flow: FlowRecord, batch: readonly FlowSegmentPost[]) {
    const now = this.deps.clock.now();
    const failures: FailedSegment[] = [];
    const fail = (body: FlowSegmentPost, error: unknown) => {
      if (!(error instanceof SegmentRejection || error instanceof TimeFormatError)) throw error;
      failures.push({
        object_id: body.object_id,
        timerange: body.timerange,
        error: { type: 'BadRequest', summary: error.message, time: now.toISOString() },
      });
    };

    const reserved = this.deps.urls.reservedLabels();
    const parsed: { body: FlowSegmentPost; segment: SegmentRecord }[] = [];
    for (const item of batch) {
      try {
        parsed.push({ body: item, segment: parseSegment(flow.id, item, reserved) });
      } catch (error) {
        fail(item, error);
      }
    }
    const span = envelopeOf(parsed.map((p) => p.segment.timerange));
    const timeline = new Timeline(await store.segments.overlapping(flow.id, span));
    const objects = await store.objects.getMany([...new Set(parsed.map((p) => p.segment.object_id))]);

    const accepted: SegmentRecord[] = [];
    const external = new Map<string, ObjectRecord>();
    for (const { body, segment } of parsed) {
      try {
        const object = objects.get(segment.object_id) ?? external.get(segment.object_id);
        const kind = checkObject(flow.id, segment, object);
        timeline.add(segment.timerange);
        if (kind === 'external' && !object) {
          external.set(segment.object_id, {
            id: segment.object_id,
            created: now,
            first_referenced_by_flow: flow.id,
          });
        }
        if (object?.storage_id !== undefined && object.storage_path !== undefined) {
          segment.storage = { id: object.storage_id, path: object.storage_path };
        }
        accepted.push(segment);
      } catch (error) {
        fail(body, error);
      }
    }
    if (accepted.length === 0) return failures;

    await store.segments.insertMany(accepted);
    await store.objects.insertMany([...external.values()]);
    const counts = new Map<string, number>();
    for (const s of accepted) counts.set(s.object_id, (counts.get(s.object_id) ?? 0) + 1);
    const unreferenced = new Set(
      [...counts.keys()].filter(
        (id) => (objects.get(id) ?? external.get(id))?.first_referenced_by_flow === undefined,
      ),
    );
    for (const id of external.keys()) unreferenced.add(id);
    await store.objects.addRefs(flow.id, counts, unreferenced);
    await store.objects.markReferenced([...unreferenced], flow.id);
    const timerange = flow.timerange.envelope(envelopeOf(accepted.map((s) => s.timerange)));
    await store.flows.setSegmentsState(flow.id, timerange, now);
    return failures;
  }
}

export async function requireWritableFlow(store: TamsStore, flowId: string): Promise<FlowRecord> {
  const flow = await store.flows.get(flowId);
  if (!flow) throw new NotFoundError(`Flow ${flowId} does not exist`);
  if (flow.read_only) throw new ForbiddenError(READ_ONLY);
  return flow;
}
