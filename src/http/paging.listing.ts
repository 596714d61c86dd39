import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { BadRequestError } from '../common/errors.ts';
import type { ApiMount } from './api.version.ts';
import { decodePageKey, encodePageKey, PagingHeaders, setPagingHeaders } from './paging.ts';

/**
 * The sorted, paged listings TAMS 8.2 adds (ADR 0052): `reverse_order` and, where a listing offers
 * a choice, `sort_by`; `X-Paging-Count` and `X-Paging-Reverse-Order` beside paging.ts's headers;
 * and page keys that say where a page ended in that order, a (sort value, id) pair, so the next
 * page starts right after it even among equal or unset values (the store reads in that order:
 * src/store/sorted.scan.ts, or listing.order.ts's pageOf for a list held in memory).
 *
 * A page key also names the listing it was made for: the mount, the listing, the sort and its
 * direction (listingScope). A key given to another one (another mount, sort_by or
 * reverse_order) is a 400: its position means nothing there.
 */

/** Where a page of a sorted listing ended (the store's SortCursor has this shape). */
export interface ListingCursor {
  readonly value: Date | string | null;
  readonly id: string;
}

/** `reverse_order` of an 8.2 listing, described for it (e.g. "reverse-alphabetical order of their `label`"). */
export function reverseOrderQuery(description: string) {
  return Type.Optional(Type.Boolean({ default: false, description }));
}

/** `sort_by` of an 8.2 listing: one of `keys`. */
export function sortByQuery<K extends string>(keys: readonly [K, ...K[]], description: string) {
  return Type.Optional(Type.Enum([...keys], { type: 'string', description }));
}

/** The response headers of an 8.2 sorted listing. */
export const ListingHeaders = {
  ...PagingHeaders,
  'X-Paging-Count': Type.Integer({ description: 'The number of items in the returned data set.' }),
  'X-Paging-Reverse-Order': Type.Boolean({ description: 'The items are returned in reverse order.' }),
};

/** What a page key is valid for: the mount's version, the listing, its sort and direction. */
export function listingScope(mount: ApiMount, listing: string, sortBy: string, reverse: boolean): string {
  return `${mount.version} ${listing} ${sortBy} ${reverse ? 'reverse' : 'forward'}`;
}

/** The page key's JSON: scope, value (`d` an epoch millisecond, `s` a string, or null) and id. */
interface KeyJson {
  k: string;
  v: ['d', number] | ['s', string] | null;
  i: string;
}

/** The text a page key encodes (paging.ts's encodePageKey makes it the key). */
function keyText(scope: string, cursor: ListingCursor): string {
  const { value } = cursor;
  const v: KeyJson['v'] =
    value === null ? null : value instanceof Date ? ['d', value.getTime()] : ['s', value];
  const json: KeyJson = { k: scope, v, i: cursor.id };
  return JSON.stringify(json);
}

export function encodeListingKey(scope: string, cursor: ListingCursor): string {
  return encodePageKey(keyText(scope, cursor));
}

const INVALID = 'query.page is not a valid page key (use X-Paging-NextKey or the Link header)';

/** What a listing's sort values are: date-times (`created`) or text (`label`). */
export type ListingValueKind = 'datetime' | 'string';

/**
 * The cursor in `page` (undefined without one); 400 when it is not a key this listing issued
 * with this scope: its value not of `kind` (or unset), or its id failing `validId`.
 */
export function decodeListingKey(
  page: string | undefined,
  scope: string,
  kind: ListingValueKind,
  validId: (id: string) => boolean = () => true,
): ListingCursor | undefined {
  const text = decodePageKey(page);
  if (text === undefined) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new BadRequestError(INVALID);
  }
  const key = json as Partial<KeyJson> | null;
  if (typeof key !== 'object' || key === null || typeof key.i !== 'string' || !validId(key.i)) {
    throw new BadRequestError(INVALID);
  }
  if (key.k !== scope) {
    throw new BadRequestError(
      'query.page is a page key of another listing order (sort_by, reverse_order) or API version: start again without it',
    );
  }
  const v = key.v;
  if (v === null) return { value: null, id: key.i };
  if (kind === 'datetime' && Array.isArray(v) && v[0] === 'd' && typeof v[1] === 'number') {
    const value = new Date(v[1]);
    if (Number.isInteger(v[1]) && !Number.isNaN(value.getTime())) return { value, id: key.i };
  }
  if (kind === 'string' && Array.isArray(v) && v[0] === 's' && typeof v[1] === 'string') {
    return { value: v[1], id: key.i };
  }
  throw new BadRequestError(INVALID);
}

/**
 * The headers of a page of an 8.2 sorted listing: paging.ts's (`X-Paging-Limit`, and with a next
 * page `X-Paging-NextKey` and `Link`), `X-Paging-Count` (the items of this page) and
 * `X-Paging-Reverse-Order`.
 */
export function setListingHeaders(
  request: FastifyRequest,
  reply: FastifyReply,
  page: { publicUrl: string; limit: number; count: number; reverse: boolean; scope: string },
  next: ListingCursor | undefined,
): void {
  setPagingHeaders(request, reply, page.publicUrl, page.limit, next && keyText(page.scope, next));
  reply.header('X-Paging-Count', String(page.count));
  reply.header('X-Paging-Reverse-Order', String(page.reverse));
}
