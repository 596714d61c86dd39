import { type MediaRegistry, urlLabel } from '../media/media.registry.ts';
import type { MediaStore, UrlContext } from '../media/media.types.ts';
import type { SegmentUrl } from '../store/segments.repo.ts';
import type { GetUrl } from './segments.schemas.ts';

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
}

interface Candidate {
  label?: string;
  storageId?: string;
  presigned: boolean;
}

/**
 * Builds segment `get_urls` per request, as DIGEST §6.2 says: controlled URLs come from the
 * backend holding the object (presigned first, as the most widely usable, then a direct URL where
 * the backend has one), then the client's uncontrolled URLs. Every filter must pass; URLs are
 * only signed once they have passed, so filtered requests are cheaper.
 */
export class GetUrlBuilder {
  private readonly labels = new Map<string, { presigned: string; direct: string }>();

  constructor(private readonly registry: MediaRegistry) {
    for (const store of registry.stores) {
      this.labels.set(store.descriptor.id, {
        presigned: urlLabel(store.descriptor, true),
        direct: urlLabel(store.descriptor, false),
      });
    }
  }

  /** Labels reserved for controlled URLs: clients may not register URLs under them. */
  reservedLabels(): Set<string> {
    const reserved = new Set<string>();
    for (const store of this.registry.stores)
      if (store.descriptor.label) reserved.add(store.descriptor.label);
    for (const { presigned, direct } of this.labels.values()) reserved.add(presigned).add(direct);
    return reserved;
  }

  build(
    storage: { id: string; path: string } | undefined,
    uncontrolled: readonly SegmentUrl[] | undefined,
    filter: GetUrlFilter,
    ctx: UrlContext,
  ): GetUrl[] {
    if (filter.labels !== undefined && filter.labels.size === 0) return [];
    const urls: GetUrl[] = [];
    const store = storage ? this.registry.get(storage.id) : undefined;
    const path = storage?.path;
    if (store && path !== undefined) {
      const labels = this.labels.get(store.descriptor.id);
      const signed: Candidate = { label: labels?.presigned, storageId: store.descriptor.id, presigned: true };
      if (passes(signed, filter))
        urls.push(controlled(store, store.presignGet(path, ctx), signed, filter.verbose));
      const direct: Candidate = { label: labels?.direct, storageId: store.descriptor.id, presigned: false };
      if (passes(direct, filter)) {
        const url = store.directGetUrl(path, ctx);
        if (url !== undefined) urls.push(controlled(store, url, direct, filter.verbose));
      }
    }
    for (const u of uncontrolled ?? []) {
      if (!passes({ label: u.label, presigned: false }, filter)) continue;
      const item: GetUrl = { url: u.url };
      if (u.label !== undefined) item.label = u.label;
      if (filter.verbose) item.controlled = false;
      urls.push(item);
    }
    return urls;
  }
}

function passes(c: Candidate, filter: GetUrlFilter): boolean {
  if (filter.labels !== undefined && (c.label === undefined || !filter.labels.has(c.label))) return false;
  if (filter.storageIds !== undefined && filter.storageIds.size > 0) {
    if (c.storageId === undefined || !filter.storageIds.has(c.storageId)) return false;
  }
  return filter.presigned === undefined || filter.presigned === c.presigned;
}

function controlled(store: MediaStore, url: string, c: Candidate, verbose: boolean): GetUrl {
  const item: GetUrl = { url, presigned: c.presigned };
  if (c.label !== undefined) item.label = c.label;
  if (!verbose) return item;
  const d = store.descriptor;
  item.storage_id = d.id;
  item.controlled = true;
  item.store_type = d.store_type;
  item.provider = d.provider;
  if (d.region !== undefined) item.region = d.region;
  if (d.availability_zone !== undefined) item.availability_zone = d.availability_zone;
  item.store_product = d.store_product;
  return item;
}
