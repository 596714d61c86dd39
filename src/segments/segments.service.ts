import type { Clock } from '../common/clock.ts';
import { BadRequestError } from '../common/errors.ts';
import type { DeletionRequest } from '../deletion/deletion.schemas.ts';
import { type DeletionService, deletionDocument } from '../deletion/deletion.service.ts';
import { requireWritableFlow } from '../flows/flows.guards.ts';
import type { ClientUrlRule } from '../media/media.client-urls.ts';
import type { UrlContext } from '../media/media.types.ts';
import type { SegmentsMetrics } from '../metrics/metrics.types.ts';
import type { SegmentKey, SegmentRecord } from '../store/segments.repo.ts';
import type { TamsStore } from '../store/store.ts';
import { envelopeOf, TimeRange } from '../time/index.ts';
import type { PlainPages } from './segments.fastlane.ts';
import { initObjectUrls, setInitObjects } from './segments.init.ts';
import { withInstances } from './segments.instances.ts';
import { type SegmentView, segmentDocument } from './segments.mapper.ts';
import type { RegistrationVersion, SegmentPostBody } from './segments.objects.ts';
import { type FailedSegment, Registrar } from './segments.registration.ts';
import type { FlowSegment } from './segments.schemas.ts';
import type { GetUrlBuilder, GetUrlFilter } from './segments.urls.ts';
import type { FlowSegmentV8 } from './segments.v8.schemas.ts';

export interface SegmentsServiceDeps {
  store: TamsStore;
  clock: Clock;
  urls: GetUrlBuilder;
  /** Which URLs clients may give in `get_urls` (http(s), the operator's hosts). */
  clientUrls: ClientUrlRule;
  deletion: DeletionService;
  /** Counts registered segments for /metrics (optional: tools build the service without it). */
  metrics?: SegmentsMetrics;
  /** The embedded fast lane of pages, where the store keeps segment indexes in memory. */
  pages?: PlainPages;
}

/** Where a page of segments ends: its last segment's start (segments never overlap). */
export type SegmentPageKey = SegmentKey;

export interface SegmentQuery {
  timerange?: TimeRange;
  objectId?: string;
  reverse: boolean;
  limit: number;
  after?: SegmentPageKey;
  urls: GetUrlFilter;
  /** What the version adds to 7.0's fields (segments.mapper.ts); 7.0's answers when left out. */
  view?: SegmentView;
}

/** A page of segments for the GET route: its body as JSON text or as documents to serialise. */
export interface SegmentsPage {
  body: Buffer | FlowSegmentV8[];
  count: number;
  next?: SegmentPageKey;
  timerange: TimeRange;
}

/** The spec's rules for a Flow's segments: reading with get_urls, registering. */
export class SegmentsService {
  private readonly registrar: Registrar;

  constructor(private readonly deps: SegmentsServiceDeps) {
    const { store, clock, urls, clientUrls } = deps;
    this.registrar = new Registrar({
      store,
      clock,
      urls: { reservedLabels: urls.reservedLabels(), clientUrls },
    });
  }

  /**
   * A page of segments as the GET route answers it: its JSON text made straight from the
   * index's rows where the fast lane can (PlainPages), else the documents of list().
   */
  async listPage(flowId: string, query: SegmentQuery, ctx: UrlContext): Promise<SegmentsPage> {
    const plain = await this.deps.pages?.page(
      flowId,
      query.timerange ?? TimeRange.ETERNITY,
      { objectId: query.objectId, reverse: query.reverse, limit: query.limit, after: query.after },
      query.urls,
      ctx,
      query.view,
    );
    if (plain) return plain;
    const page = await this.list(flowId, query, ctx);
    return { body: page.items, count: page.items.length, next: page.next, timerange: page.timerange };
  }

  /** A page of segments; an unknown Flow has none (DIGEST §14.6). */
  async list(
    flowId: string,
    query: SegmentQuery,
    ctx: UrlContext,
  ): Promise<{ items: FlowSegmentV8[]; next?: SegmentPageKey; timerange: TimeRange }> {
    // A Flow being deleted in the background is gone for clients while the deletion worker
    // removes its segments (DIGEST §9): the store's page is empty for it, the check folded into
    // the read of the Flow's row the page makes anyway.
    const page = await this.deps.store.segments.page(flowId, query.timerange ?? TimeRange.ETERNITY, {
      objectId: query.objectId,
      reverse: query.reverse,
      limit: query.limit,
      after: query.after,
    });
    // The objects' instances (copies and clients' URLs): a read only where some may have any,
    // as the store knows it (the objects in memory: CachedInstances; else the Flow's mark read
    // with the page: flows.instances).
    const found =
      page.items.length === 0 ||
      page.instanced === false ||
      (query.urls.labels !== undefined && query.urls.labels.size === 0)
        ? new Map()
        : await this.deps.store.instances.among(page.items.map((s) => s.object_id));
    const urls = this.deps.urls.buildMany(withInstances(page.items, found), query.urls, ctx);
    const items = page.items.map((s, i) =>
      segmentDocument(s, urls[i] as FlowSegment['get_urls'], query.view),
    );
    if (query.view?.initObject) await this.addInitObjects(page.items, items, query.urls, ctx);
    return { items, next: page.next, timerange: envelopeOf(page.items.map((s) => s.timerange)) };
  }

  /**
   * Each segment's `init_object` (8.2, ADR 0045): its id, and get_urls made as the segments'
   * with the same filters, from where each init object of the page is (read once per page).
   */
  private async addInitObjects(
    records: readonly SegmentRecord[],
    items: FlowSegmentV8[],
    filter: GetUrlFilter,
    ctx: UrlContext,
  ): Promise<void> {
    const ids = [...new Set(records.map((s) => s.init_object_id).filter((id) => id !== undefined))];
    if (ids.length === 0) return;
    const urls = await initObjectUrls(this.deps.store, this.deps.urls, ids, filter, ctx);
    setInitObjects(records, items, (id) => urls.get(id) ?? []);
  }

  /**
   * POST segments. Concurrent requests are registered together, one transaction per batch
   * (Registrar). A single segment that fails is a 400; in an array, failures are
   * reported and the others registered (DIGEST §6.3).
   */
  async register(
    flowId: string,
    body: SegmentPostBody | SegmentPostBody[],
    version: RegistrationVersion = '7.0',
  ): Promise<FailedSegment[]> {
    const segments = Array.isArray(body) ? body : [body];
    const failures = await this.registrar.register({ flowId, segments, version });
    this.deps.metrics?.segmentsRegistered((Array.isArray(body) ? body.length : 1) - failures.length);
    if (!Array.isArray(body) && failures[0]) {
      throw new BadRequestError(failures[0].error?.summary ?? 'invalid segment');
    }
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
}
