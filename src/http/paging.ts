import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { BadRequestError } from '../common/errors.ts';
import type { ApiMount } from './api.version.ts';

export interface PagingSettings {
  defaultLimit: number;
  maxLimit: number;
}

/** Query parameters shared by every paged listing (the spec's trait_resource_paged_key / trait_paged_limit). */
export const PagingQuery = {
  page: Type.Optional(
    Type.String({
      description:
        'Opaque string used to access a specific page of results. Clients should read the next URL from the `Link` header, or use the value of the `X-Paging-NextKey` header. If not supplied, the first page is accessed.',
    }),
  ),
  limit: Type.Optional(
    Type.Integer({
      minimum: 1,
      description:
        'Restrict the response to the specified number of results. The server applies its own default and maximum (see `X-Paging-Limit`).',
    }),
  ),
};

export const PagingHeaders = {
  Link: Type.String({
    description:
      "Provides references to cursors for paging. Only the 'rel' attribute with value 'next' and a link to the next page is currently supported. If 'next' is not present then it is the last page.",
  }),
  'X-Paging-Limit': Type.Integer({
    description:
      'Identifies the current limit being used for paging. This may not match the requested value if the requested value was too high for the implementation',
  }),
  'X-Paging-NextKey': Type.String({
    description:
      'Opaque string that can be supplied to the `page` query parameter to get the next page of results.',
  }),
};

export function effectiveLimit(requested: number | undefined, settings: PagingSettings): number {
  if (requested === undefined) return settings.defaultLimit;
  return Math.min(requested, settings.maxLimit);
}

/** Page keys are opaque to clients: a cursor string, base64url-encoded. */
export function encodePageKey(cursor: string): string {
  return Buffer.from(cursor, 'utf8').toString('base64url');
}

/**
 * The cursor in a `page` key; 400 when it is not a key this server issues (`valid` checks the
 * cursor's form, e.g. a UUID for listings keyed by id).
 */
export function decodePageKey(
  page: string | undefined,
  valid: (cursor: string) => boolean = () => true,
): string | undefined {
  if (page === undefined) return undefined;
  const cursor = /^[A-Za-z0-9_-]+$/.test(page) ? Buffer.from(page, 'base64url').toString('utf8') : '';
  if (cursor === '' || encodePageKey(cursor) !== page || !valid(cursor)) {
    throw new BadRequestError('query.page is not a valid page key (use X-Paging-NextKey or the Link header)');
  }
  return cursor;
}

/** Scheme, host and any path prefix clients use to reach this server. */
export function publicBaseUrl(request: FastifyRequest, configured: string): string {
  if (configured !== '') return configured.replace(/\/+$/, '');
  return `${request.protocol}://${request.host}`;
}

/**
 * The base of the API a route serves, as clients reach it: the public base and the route's mount
 * prefix (`https://host/tams/v7.0`); what links into the API start with. Paging links need no
 * mount: they are built from the request's own path, which carries it already.
 */
export function apiBaseUrl(request: FastifyRequest, configured: string, mount: ApiMount): string {
  return `${publicBaseUrl(request, configured)}${mount.prefix}`;
}

/** Sets `X-Paging-Limit`, and when there is a next page `X-Paging-NextKey` and `Link: <…>; rel="next"`. */
export function setPagingHeaders(
  request: FastifyRequest,
  reply: FastifyReply,
  publicUrl: string,
  limit: number,
  nextCursor: string | undefined,
): void {
  reply.header('X-Paging-Limit', String(limit));
  if (nextCursor === undefined) return;
  const nextKey = encodePageKey(nextCursor);
  reply.header('X-Paging-NextKey', nextKey);
  const url = new URL(request.url, 'http://placeholder');
  url.searchParams.set('page', nextKey);
  url.searchParams.set('limit', String(limit));
  reply.header('Link', `<${publicBaseUrl(request, publicUrl)}${url.pathname}${url.search}>; rel="next"`);
}
