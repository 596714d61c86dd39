/**
 * The query of the segments endpoints (GET and DELETE /flows/{flowId}/segments) per version,
 * and what the routes read from it: the get_urls filter (also HLS's, objects' and storage's),
 * page keys and the URLs' context.
 */
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { BadRequestError } from '../common/errors.ts';
import { UUID_PATTERN } from '../common/ids.ts';
import { annotate, TimeRange as TimeRangeSchema } from '../http/common.schemas.ts';
import { decodePageKey, PagingQuery, publicBaseUrl } from '../http/paging.ts';
import { tagFilters, tagQuery82 } from '../http/tags.version.ts';
import type { UrlContext } from '../media/media.types.ts';
import type { SegmentPageKey } from './segments.service.ts';
import type { GetUrlFilter } from './segments.urls.ts';
import { IncludeObjectTimerangeQuery } from './segments.v8.schemas.ts';

export const GetUrlsQuery = {
  verbose_storage: Type.Optional(
    Type.Boolean({
      default: false,
      description:
        'Include storage metadata in `get_urls`. When `verbose_storage` is `false` only `url`, `presigned`, and `label` will be included in `get_urls`.',
    }),
  ),
  accept_get_urls: Type.Optional(
    Type.String({
      pattern: '^([^,]+(,[^,]+)*)?$',
      description:
        'A comma separated list of labels of flow segment `get_urls` to include in the response. Omitting `accept_get_urls` will result in no filtering of `get_urls`. An empty `accept_get_urls` results in an empty or no `get_urls` in the response.',
    }),
  ),
  accept_storage_ids: Type.Optional(
    // The spec's pattern rejects the empty string its own text allows ("providing an empty
    // `accept_storage_ids` will result in no filtering"); the empty string is accepted here.
    Type.String({
      pattern: `^(${UUID_PATTERN.slice(1, -1)}(,${UUID_PATTERN.slice(1, -1)})*)?$`,
      description:
        'A comma separated list of `storage_id`s of flow segment `get_urls` to include in the response. Omitting `accept_storage_ids`, or providing an empty `accept_storage_ids` will result in no filtering of `get_urls`.',
    }),
  ),
  presigned: Type.Optional(
    Type.Boolean({
      description:
        'If set to `true`, only presigned URLs will be returned in `get_urls`. If set to `false`, only non-presigned URLs will be returned. If omitted, both presigned and non-presigned URLs will be returned.',
    }),
  ),
};

export function describeRange(description: string) {
  return annotate(TimeRangeSchema, { description });
}

/** 7.0's GET query. */
export const ListQuery = Type.Object({
  object_id: Type.Optional(Type.String({ description: 'Filter on object identifier.' })),
  timerange: Type.Optional(describeRange('Return only the results in the timerange specified.')),
  reverse_order: Type.Optional(
    Type.Boolean({ default: false, description: 'Return segments in reverse time order.' }),
  ),
  ...GetUrlsQuery,
  ...PagingQuery,
});

/** The names of the `storage_backend_tag.{name}` and `storage_backend_tag_exists.{name}` filters begin so. */
const BACKEND_TAG_PREFIX = 'storage_backend_tag';
const BACKEND_TAGS = tagQuery82(
  'Flow Segment `get_urls` and `init_object.get_urls` of Storage Backends',
  BACKEND_TAG_PREFIX,
);

/** 8.2's GET query: 7.0's, with the backend tag filters (ADR 0055) and `include_object_timerange` (ADR 0036). */
export const ListQueryV8 = Type.Object(
  {
    object_id: Type.Optional(Type.String({ description: 'Filter on Object identifier.' })),
    timerange: Type.Optional(describeRange('Return only the results in the timerange specified.')),
    reverse_order: Type.Optional(
      Type.Boolean({ default: false, description: 'Return segments in reverse time order.' }),
    ),
    ...GetUrlsQuery,
    ...BACKEND_TAGS.properties,
    ...IncludeObjectTimerangeQuery,
    ...PagingQuery,
  },
  { patternProperties: BACKEND_TAGS.patternProperties },
);

/** The GET query as the routes read it, in either version (8.2's names what 7.0's query lacks). */
export type ListParams = {
  object_id?: string;
  timerange?: string;
  reverse_order?: boolean;
  include_object_timerange?: boolean;
  limit?: number;
  page?: string;
} & GetUrlsParams;

export const DeleteQuery = Type.Object({
  timerange: Type.Optional(
    annotate(TimeRangeSchema, {
      default: '_',
      description: 'Only delete flow segments that are completely covered by the given timerange.',
    }),
  ),
  object_id: Type.Optional(Type.String({ description: 'Filter on object identifier.' })),
});

/** The get_urls query parameters (GetUrlsQuery) as a request has them. */
export interface GetUrlsParams {
  verbose_storage?: boolean;
  accept_get_urls?: string;
  accept_storage_ids?: string;
  presigned?: boolean;
}

export function getUrlFilter(query: GetUrlsParams): GetUrlFilter {
  const list = (value: string) => new Set(value === '' ? [] : value.split(','));
  return {
    verbose: query.verbose_storage ?? false,
    labels: query.accept_get_urls === undefined ? undefined : list(query.accept_get_urls),
    storageIds: query.accept_storage_ids === undefined ? undefined : list(query.accept_storage_ids),
    presigned: query.presigned,
  };
}

/**
 * A request's get_urls filter as 8.2 has it: 7.0's, with the `storage_backend_tag*` filters on
 * the backends' configured tags (ADR 0055), and verbose items carrying those tags.
 */
export function getUrlFilter82(request: FastifyRequest, query: GetUrlsParams): GetUrlFilter {
  const filter: GetUrlFilter = { ...getUrlFilter(query), tags: true };
  // Most requests filter on no backend tag: their parsed query's names (decoded, as tagFilters
  // decodes them) say so, without splitting and decoding the URL's query string once more.
  const names = Object.keys((request.query ?? {}) as object);
  if (!names.some((name) => name.startsWith(BACKEND_TAG_PREFIX))) return filter;
  const tags = tagFilters(request, '8.2', BACKEND_TAG_PREFIX);
  if (Object.keys(tags.equals).length > 0 || Object.keys(tags.exists).length > 0) filter.backendTags = tags;
  return filter;
}

/** Segment page keys: the start of the last segment, and whether it is inclusive. */
export function encodeCursor(key: SegmentPageKey): string {
  return `${key.start}${key.startInclusive ? '' : 'x'}`;
}

export function decodeCursor(page: string | undefined): SegmentPageKey | undefined {
  const cursor = decodePageKey(page);
  if (cursor === undefined) return undefined;
  const match = /^(-?\d{1,19})(x?)$/.exec(cursor);
  if (!match) throw new BadRequestError('query.page is not a valid page key');
  return { start: BigInt(match[1] as string), startInclusive: match[2] === '' };
}

export function urlContext(request: FastifyRequest, publicUrl: string, expiresIn: number): UrlContext {
  return { baseUrl: publicBaseUrl(request, publicUrl), expiresIn };
}
