import { unpackUuid } from '../common/uuid-bytes.ts';
import type { SegmentIndexLane } from '../embedded/embedded.types.ts';
import { type MediaRegistry, uuidKeyUrlsOf } from '../media/media.registry.ts';
import type { UrlContext, UuidKeyUrlSource } from '../media/media.types.ts';
import type { SegmentKey, SegmentPageOptions } from '../store/segments.repo.ts';
import type { TimeRange } from '../time/index.ts';
import type { SegmentView } from './segments.mapper.ts';
import { type PlainUrlKind, renderPlainPage } from './segments.page.ts';
import { type GetUrlFilter, passes, type UrlKinds, urlKinds } from './segments.urls.ts';

/** A page of segments as JSON text, written straight from a Flow's in-memory index. */
export interface PlainSegmentsPage {
  body: Buffer;
  count: number;
  next?: SegmentKey;
  timerange: TimeRange;
}

/** A backend as the fast lane sees it: its URL kinds, and its URLs of UUID keys where it has them. */
interface Backend {
  kinds: UrlKinds;
  uuidKeys: UuidKeyUrlSource | undefined;
}

/**
 * The embedded fast lane of GET segments, in one place: the page's rows read from the Flow's
 * in-memory index as they are (SegmentIndexLane.plainPage), their get_urls made a page at once
 * for backends whose URLs are the key and a signature of it (uuidKeyUrlsOf), and the JSON text
 * written from both (renderPlainPage), byte for byte what the usual path serialises
 * (segments.page.test.ts). Built by the composition root only for a store that keeps segment
 * indexes in memory (EmbeddedAccelerator.segmentIndex); every page it cannot make (Flow not loaded, a row
 * or URL not plain, verbose storage) is left to SegmentsService.list.
 */
export class PlainPages {
  private readonly backends = new Map<string, Backend>();

  constructor(
    private readonly index: SegmentIndexLane,
    media: MediaRegistry,
    /**
     * The objects that have object instances (EmbeddedAccelerator.instancedObjects): a page using any of
     * them is SegmentsService.list's, which reads their instances. Empty in most stores.
     */
    private readonly instanced: ReadonlyMap<string, true> = new Map(),
  ) {
    for (const store of media.stores)
      this.backends.set(store.descriptor.id, { kinds: urlKinds(store), uuidKeys: uuidKeyUrlsOf(store) });
  }

  /** The page as JSON text; undefined where SegmentsService.list must make it. */
  async page(
    flowId: string,
    range: TimeRange,
    options: SegmentPageOptions,
    filter: GetUrlFilter,
    ctx: UrlContext,
    view?: SegmentView,
  ): Promise<PlainSegmentsPage | undefined> {
    const plain = await this.index.plainPage(flowId, range, options);
    if (!plain) return undefined;
    if (this.instanced.size > 0 && this.anyInstanced(plain.objectIds, plain.count)) return undefined;
    const kinds =
      plain.count === 0 ? [] : this.urls(plain.storageId, flowId, plain.objectIds, plain.count, filter, ctx);
    const rendered = kinds && renderPlainPage(plain, kinds, view);
    if (!rendered) return undefined;
    return { body: rendered.body, count: plain.count, next: plain.next, timerange: rendered.timerange };
  }

  /** Whether an object of the page (`count` UUIDs of 16 bytes in `ids`) has instances. */
  private anyInstanced(ids: Uint8Array, count: number): boolean {
    for (let k = 0; k < count; k++) if (this.instanced.has(unpackUuid(ids, 16 * k))) return true;
    return false;
  }

  /**
   * The get_urls every segment of a page gets, in order, as GetUrlBuilder.buildMany makes them:
   * each segment's URLs are these kinds' URLs of its key `<dir>/<uuid>`. Undefined where the page
   * must be made with buildMany: verbose storage metadata, or a backend without UUID key URLs.
   */
  urls(
    storageId: string,
    dir: string,
    ids: Uint8Array,
    count: number,
    filter: GetUrlFilter,
    ctx: UrlContext,
  ): PlainUrlKind[] | undefined {
    if (filter.verbose) return undefined;
    if (filter.labels !== undefined && filter.labels.size === 0) return [];
    const backend = this.backends.get(storageId);
    if (!backend) return [];
    const { kinds, uuidKeys } = backend;
    const made: PlainUrlKind[] = [];
    if (passes(kinds.presigned, filter)) {
      if (!uuidKeys) return undefined;
      made.push({
        urls: uuidKeys.presignUuidGets(dir, ids, count, ctx),
        presigned: true,
        label: kinds.presigned.label,
      });
    }
    if (passes(kinds.direct, filter)) {
      if (!uuidKeys) return undefined;
      const urls = uuidKeys.directUuidGetUrls(dir, ctx);
      if (urls) made.push({ urls, presigned: false, label: kinds.direct.label });
    }
    return made;
  }
}
