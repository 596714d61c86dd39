import { type MediaRegistry, urlLabel } from '../media/media.registry.ts';
import type { MediaStore, UrlContext } from '../media/media.types.ts';
import type { SegmentUrl } from '../store/segments.repo.ts';
import type { TagFilters, Tags } from '../store/store.types.ts';
import { tagsMatch } from '../store/tags.values.ts';
import type { GetUrl } from './segments.schemas.ts';
import type { GetUrlV8 } from './segments.v8.schemas.ts';

/** Where a segment's object is: a storage backend and the key within it. */
export type SegmentStorage = { id: string; path: string };

/**
 * What get_urls are made from: the object's storage, the copies the server made of it on other
 * backends (ready controlled object instances), and the clients' own URLs (uncontrolled ones).
 */
export interface PageSegment {
  storage?: SegmentStorage;
  copies?: readonly SegmentStorage[];
  get_urls?: readonly SegmentUrl[];
}

/** A place a segment's object is read from, on a backend this server has. */
interface Place {
  store: MediaStore;
  kinds: UrlKinds;
  path: string;
}

/** The `get_urls` query parameters of GET segments (and the webhook equivalents). */
export interface GetUrlFilter {
  /** accept_get_urls: undefined = no filtering; empty = no URLs at all. */
  labels?: ReadonlySet<string>;
  /** accept_storage_ids: undefined or empty = no filtering. */
  storageIds?: ReadonlySet<string>;
  /** presigned: undefined = both kinds. */
  presigned?: boolean;
  /** verbose_storage: include storage metadata. */
  verbose: boolean;
  /** TAMS 8.2 `storage_backend_tag*`: the backend's tags pass them (ADR 0055). */
  backendTags?: TagFilters;
  /** TAMS 8.2: verbose items carry their backend's `tags` (7.0's items cannot). */
  tags?: boolean;
}

/** A kind of URL, as the get_urls filters see it. */
export interface Candidate {
  label?: string;
  storageId?: string;
  presigned: boolean;
  /** Its backend's tags; URLs of no backend have none. */
  tags?: Tags;
}

/** A backend's two kinds of controlled URL: presigned, and direct (where it has them). */
export interface UrlKinds {
  presigned: Candidate;
  direct: Candidate;
}

/** The kinds of controlled URL `store` makes, with their labels. */
export function urlKinds(store: MediaStore): UrlKinds {
  const storageId = store.descriptor.id;
  const tags = store.descriptor.tags ?? {};
  return {
    presigned: { label: urlLabel(store.descriptor, true), storageId, presigned: true, tags },
    direct: { label: urlLabel(store.descriptor, false), storageId, presigned: false, tags },
  };
}

/**
 * Builds segment `get_urls` per request, as DIGEST §6.2 says: controlled URLs come from the
 * backend holding the object (presigned first, as the most widely usable, then a direct URL where
 * the backend has one), then from each backend holding a copy of it, then the client's
 * uncontrolled URLs. Every filter must pass; URLs are only signed once they have passed, so
 * filtered requests are cheaper.
 */
export class GetUrlBuilder {
  /** Per backend, what its presigned and direct URLs are, for the filters. */
  private readonly kinds = new Map<MediaStore, UrlKinds>();

  constructor(private readonly registry: MediaRegistry) {
    for (const store of registry.stores) this.kinds.set(store, urlKinds(store));
  }

  /** Labels reserved for controlled URLs: clients may not register URLs under them. */
  reservedLabels(): Set<string> {
    const reserved = new Set<string>();
    for (const store of this.registry.stores)
      if (store.descriptor.label) reserved.add(store.descriptor.label);
    for (const { presigned, direct } of this.kinds.values()) {
      for (const label of [presigned.label, direct.label]) if (label !== undefined) reserved.add(label);
    }
    return reserved;
  }

  /**
   * The get_urls of each segment of a page, in order. Presigned URLs are made per backend in one
   * call (presignGets), which for the fs backend is one AES call for a Flow's page.
   */
  buildMany(segments: readonly PageSegment[], filter: GetUrlFilter, ctx: UrlContext): GetUrl[][] {
    if (filter.labels !== undefined && filter.labels.size === 0) return segments.map(() => []);
    const places = segments.map((s) => this.places(s));
    const presigned = this.presign(places, filter, ctx);
    return segments.map((segment, i) => {
      const urls: GetUrl[] = [];
      (places[i] as Place[]).forEach(({ store, kinds, path }, p) => {
        const signedUrl = presigned[i]?.[p];
        if (signedUrl !== undefined) urls.push(controlled(store, signedUrl, kinds.presigned, filter));
        const { direct } = kinds;
        if (passes(direct, filter)) {
          const url = store.directGetUrl(path, ctx);
          if (url !== undefined) urls.push(controlled(store, url, direct, filter));
        }
      });
      for (const u of segment.get_urls ?? []) {
        if (!passes({ label: u.label, presigned: false }, filter)) continue;
        const item: GetUrl = { url: u.url };
        if (u.label !== undefined) item.label = u.label;
        if (filter.verbose) item.controlled = false;
        urls.push(item);
      }
      return urls;
    });
  }

  /** Where the segment's object is read from: its own storage, then its copies. */
  private places(segment: PageSegment): Place[] {
    const places: Place[] = [];
    const add = (where: SegmentStorage) => {
      const store = this.registry.get(where.id);
      const kinds = store && this.kinds.get(store);
      if (store && kinds) places.push({ store, kinds, path: where.path });
    };
    if (segment.storage) add(segment.storage);
    if (segment.copies) for (const copy of segment.copies) add(copy);
    return places;
  }

  /**
   * The presigned URL of each place of each segment the filter lets have one (else undefined),
   * made by backend.
   */
  private presign(
    places: readonly Place[][],
    filter: GetUrlFilter,
    ctx: UrlContext,
  ): (string | undefined)[][] {
    const wanted = new Map<MediaStore, { at: [number, number][]; paths: string[] }>();
    places.forEach((list, i) => {
      list.forEach(({ store, kinds, path }, p) => {
        if (!passes(kinds.presigned, filter)) return;
        let group = wanted.get(store);
        if (group === undefined) {
          group = { at: [], paths: [] };
          wanted.set(store, group);
        }
        group.at.push([i, p]);
        group.paths.push(path);
      });
    });
    const presigned: (string | undefined)[][] = places.map(() => []);
    for (const [store, { at, paths }] of wanted) {
      const urls = store.presignGets(paths, ctx);
      at.forEach(([i, p], n) => {
        (presigned[i] as (string | undefined)[])[p] = urls[n];
      });
    }
    return presigned;
  }
}

/** Whether URLs of kind `c` pass the request's get_urls filters. */
export function passes(c: Candidate, filter: GetUrlFilter): boolean {
  if (filter.labels !== undefined && (c.label === undefined || !filter.labels.has(c.label))) return false;
  if (filter.storageIds !== undefined && filter.storageIds.size > 0) {
    if (c.storageId === undefined || !filter.storageIds.has(c.storageId)) return false;
  }
  if (filter.backendTags !== undefined && !backendTagsPass(c, filter.backendTags)) return false;
  return filter.presigned === undefined || filter.presigned === c.presigned;
}

/**
 * A backend's tags against `storage_backend_tag*` (ADR 0055), as the backend listing's `tag.*`.
 * A URL of no backend (registered by a client) has no tags to pass a filter asking for a value
 * or a tag's presence; it passes those asking only for tags' absence.
 */
function backendTagsPass(c: Candidate, filters: TagFilters): boolean {
  if (c.storageId !== undefined) return tagsMatch(c.tags ?? {}, filters);
  return Object.keys(filters.equals).length === 0 && Object.values(filters.exists).every((e) => !e);
}

function controlled(store: MediaStore, url: string, c: Candidate, filter: GetUrlFilter): GetUrl {
  const item: GetUrlV8 = { url, presigned: c.presigned };
  if (c.label !== undefined) item.label = c.label;
  if (!filter.verbose) return item;
  const d = store.descriptor;
  item.storage_id = d.id;
  item.controlled = true;
  item.store_type = d.store_type;
  item.provider = d.provider;
  if (d.region !== undefined) item.region = d.region;
  if (d.availability_zone !== undefined) item.availability_zone = d.availability_zone;
  item.store_product = d.store_product;
  if (filter.tags === true && d.tags !== undefined) item.tags = d.tags;
  return item;
}
