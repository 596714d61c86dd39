import type { FastifyReply, FastifyRequest } from 'fastify';
import { isUuid } from '../common/ids.ts';
import type { ApiMount } from './api.version.ts';
import {
  decodeListingKey,
  type ListingCursor,
  type ListingValueKind,
  listingScope,
  setListingHeaders,
} from './paging.listing.ts';
import { effectiveLimit, type PagingSettings } from './paging.ts';

/** A listing of 8.2 resources keyed by UUID, sorted by one of `kinds`' keys (ADR 0052). */
export interface SortedListing<K extends string> {
  /** Its name in page keys (`flows`, `sources`). */
  name: string;
  /** Each sort key, and the kind of value it sorts by. */
  kinds: Record<K, ListingValueKind>;
  /** The key when the request gives no `sort_by`. */
  byDefault: K;
}

export interface ListingRequest {
  request: FastifyRequest;
  reply: FastifyReply;
  paging: PagingSettings;
  publicUrl: string;
  mount: ApiMount;
}

/**
 * One page of an 8.2 sorted listing: reads `sort_by`, `reverse_order`, `page` and `limit`,
 * fetches the page after the key's cursor, and sets the paging headers (paging.listing.ts).
 */
export async function sortedListingPage<K extends string, T>(
  listing: SortedListing<K>,
  ctx: ListingRequest,
  fetch: (
    sort: { by: K; reverse: boolean },
    after: ListingCursor | undefined,
    limit: number,
  ) => Promise<{ items: T[]; next?: ListingCursor }>,
): Promise<T[]> {
  const q = ctx.request.query as { sort_by?: K; reverse_order?: boolean; page?: string; limit?: number };
  const limit = effectiveLimit(q.limit, ctx.paging);
  const by = q.sort_by ?? listing.byDefault;
  const reverse = q.reverse_order ?? false;
  const scope = listingScope(ctx.mount, listing.name, by, reverse);
  const after = decodeListingKey(q.page, scope, listing.kinds[by], isUuid);
  const page = await fetch({ by, reverse }, after, limit);
  const headers = { publicUrl: ctx.publicUrl, limit, count: page.items.length, reverse, scope };
  setListingHeaders(ctx.request, ctx.reply, headers, page.next);
  return page.items;
}
