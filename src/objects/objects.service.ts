import { NotFoundError } from '../common/errors.ts';
import { checkObjectId } from '../common/object-ids.ts';
import type { ApiVersion } from '../http/api.version.ts';
import type { UrlContext } from '../media/media.types.ts';
import { initObjectUrls } from '../segments/segments.init.ts';
import { instanceUrls } from '../segments/segments.instances.ts';
import type { GetUrlBuilder, GetUrlFilter } from '../segments/segments.urls.ts';
import type { ObjectRecord } from '../store/objects.repo.ts';
import type { TamsStore } from '../store/store.ts';
import type { TagFilters } from '../store/store.types.ts';
import { tagsMatch } from '../store/tags.values.ts';
import type { MediaObject } from './objects.schemas.ts';
import type { MediaObjectV8 } from './objects.v8.schemas.ts';

/** What 8.2's GET /objects/{id} asks beyond 7.0's. */
export interface ObjectQueryV8 {
  /** `flow_tag.{name}`, `flow_tag_exists.{name}`: filter `referenced_by_flows` (as /flows filters). */
  flowTags?: TagFilters;
  /** The get_urls options (and `storage_backend_tag*`), and where the URLs point: 8.2 answers carry `get_urls`. */
  urls?: { filter: GetUrlFilter; ctx: UrlContext };
}

/**
 * GET /objects/{id} (ADR 0027): which Flows use an object, paged over the Flows; in 8.2 also its
 * timerange and key_frame_count (ADR 0036), its Flows filtered by their tags (ADR 0040), and its
 * `get_urls`: its own storage's, its copies', its clients' (object instances, ADR 0038).
 */
export class ObjectsService {
  constructor(private readonly deps: { store: TamsStore; urls: GetUrlBuilder }) {}

  async get(
    id: string,
    after: string | undefined,
    limit: number,
    version: ApiVersion = '7.0',
    query: ObjectQueryV8 = {},
  ): Promise<{ object: MediaObject | MediaObjectV8; next?: string }> {
    checkObjectId(id, 'objectId');
    const { objects } = this.deps.store;
    const record = await objects.get(id);
    // An object allocated but never registered in a segment is not in the store yet (8.1 makes
    // this 404 a MUST; 7.0 is silent).
    if (!record?.registered) {
      throw new NotFoundError(`Object ${id} does not exist`);
    }
    const flows = await objects.referencingFlows(id, after, limit);
    const page = flows.slice(0, limit);
    // A Flow being deleted in the background keeps its references until the deletion worker
    // reaches them, but is gone for clients (as in GET segments).
    const live = page.length > 0 ? await this.shown(page, query.flowTags) : new Set<string>();
    const object: MediaObjectV8 = { id, referenced_by_flows: page.filter((flowId) => live.has(flowId)) };
    const first = await objects.firstReferencingFlow(id);
    if (first !== undefined && live.has(first)) object.first_referenced_by_flow = first;
    if (version === '8.2' && record.times) {
      object.timerange = record.times.timerange.format();
      if (record.times.key_frame_count !== undefined) object.key_frame_count = record.times.key_frame_count;
      const init = record.times.init_object_id;
      if (init !== undefined) object.init_object = await this.initObject(init, query);
    }
    if (version === '8.2' && query.urls) object.get_urls = await this.getUrls(record, query.urls);
    return { object, next: flows.length > limit ? page.at(-1) : undefined };
  }

  /** 8.2's `init_object` of a media object (ADR 0045): its id, and its get_urls when asked for. */
  private async initObject(
    id: string,
    query: ObjectQueryV8,
  ): Promise<NonNullable<MediaObjectV8['init_object']>> {
    if (query.urls === undefined) return { id };
    const found = await initObjectUrls(
      this.deps.store,
      this.deps.urls,
      [id],
      query.urls.filter,
      query.urls.ctx,
    );
    return { id, get_urls: found.get(id) ?? [] };
  }

  /** The object's `get_urls`, as its segments' are made (GetUrlBuilder). */
  private async getUrls(
    record: ObjectRecord,
    { filter, ctx }: { filter: GetUrlFilter; ctx: UrlContext },
  ): Promise<NonNullable<MediaObjectV8['get_urls']>> {
    if (filter.labels !== undefined && filter.labels.size === 0) return [];
    const found = await this.deps.store.instances.among([record.id]);
    const storage =
      record.storage_id !== undefined && record.storage_path !== undefined
        ? { id: record.storage_id, path: record.storage_path }
        : undefined;
    const [urls] = this.deps.urls.buildMany(
      [{ storage, ...instanceUrls(found.get(record.id) ?? []) }],
      filter,
      ctx,
    );
    return urls ?? [];
  }

  /**
   * The Flows of a page shown: live ones, and with tag filters those they pass (a page may then
   * hold fewer than its limit, its next key as without them).
   */
  private async shown(page: readonly string[], flowTags: TagFilters | undefined): Promise<Set<string>> {
    const { flows } = this.deps.store;
    if (flowTags === undefined) return flows.existing(page);
    const rows = await flows.getMany(page);
    return new Set(rows.filter((f) => tagsMatch(f.tags, flowTags)).map((f) => f.id));
  }
}
