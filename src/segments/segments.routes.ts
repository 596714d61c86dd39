import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { BadRequestError } from '../common/errors.ts';
import { UUID_PATTERN } from '../common/ids.ts';
import { ACCEPTED_DELETION, sendAccepted } from '../deletion/deletion.routes.ts';
import { FlowParams } from '../flows/flows.routes.ts';
import type { ApiMount } from '../http/api.version.ts';
import { annotate, TimeRange as TimeRangeSchema } from '../http/common.schemas.ts';
import { sendJsonText } from '../http/json.ts';
import {
  apiBaseUrl,
  decodePageKey,
  effectiveLimit,
  PagingHeaders,
  PagingQuery,
  type PagingSettings,
  publicBaseUrl,
  setPagingHeaders,
} from '../http/paging.ts';
import { timerangeParam } from '../http/params.ts';
import { actorOf } from '../http/principal.ts';
import { errors, noContent, ok } from '../http/responses.ts';
import type { App } from '../http/types.ts';
import type { UrlContext } from '../media/media.types.ts';
import { TimeRange } from '../time/index.ts';
import { FlowSegment, FlowSegmentBulkFailure, FlowSegmentPostBody } from './segments.schemas.ts';
import type { SegmentPageKey, SegmentsService } from './segments.service.ts';
import type { GetUrlFilter } from './segments.urls.ts';

export interface SegmentsRoutesDeps {
  segments: SegmentsService;
  paging: PagingSettings;
  publicUrl: string;
  presignExpirySeconds: number;
  /** The mount these routes serve: links into the API carry its prefix (media URLs do not). */
  mount: ApiMount;
}

export const FORBIDDEN =
  'Forbidden. You do not have permission to modify this flow. It may be marked read-only.';

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

const ListQuery = Type.Object({
  object_id: Type.Optional(Type.String({ description: 'Filter on object identifier.' })),
  timerange: Type.Optional(describeRange('Return only the results in the timerange specified.')),
  reverse_order: Type.Optional(
    Type.Boolean({ default: false, description: 'Return segments in reverse time order.' }),
  ),
  ...GetUrlsQuery,
  ...PagingQuery,
});

export const DeleteQuery = Type.Object({
  timerange: Type.Optional(
    annotate(TimeRangeSchema, {
      default: '_',
      description: 'Only delete flow segments that are completely covered by the given timerange.',
    }),
  ),
  object_id: Type.Optional(Type.String({ description: 'Filter on object identifier.' })),
});

export function describeRange(description: string) {
  return annotate(TimeRangeSchema, { description });
}

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

export async function segmentsRoutes(app: App, deps: SegmentsRoutesDeps): Promise<void> {
  const { segments } = deps;

  app.get(
    '/flows/:flowId/segments',
    {
      schema: {
        operationId: 'GET_flows-flowId-segments',
        summary: 'List Flow Segments',
        description:
          'Returns the flow segments. A request for segments from a non-existent flow will return an empty list, not a 404.',
        tags: ['FlowSegments'],
        params: FlowParams,
        querystring: ListQuery,
        response: {
          200: {
            ...ok(Type.Array(FlowSegment)),
            headers: {
              ...PagingHeaders,
              'X-Paging-Timerange': describeRange('Identifies the timerange for the returned data set.'),
              'X-Paging-Count': Type.Integer({
                description: 'The number of items in the returned data set.',
              }),
              'X-Paging-Reverse-Order': Type.Boolean({
                description: 'The items are returned in reverse order.',
              }),
            },
          },
          ...errors({
            400: 'Bad request. Invalid query options.',
            404: 'The flow ID in the path is invalid.',
          }),
        },
      },
    },
    async (request, reply) => {
      const q = request.query;
      const limit = effectiveLimit(q.limit, deps.paging);
      const reverse = q.reverse_order ?? false;
      const page = await segments.listPage(
        request.params.flowId,
        {
          timerange: timerangeParam(q.timerange),
          objectId: q.object_id,
          reverse,
          limit,
          after: decodeCursor(q.page),
          urls: getUrlFilter(q),
        },
        urlContext(request, deps.publicUrl, deps.presignExpirySeconds),
      );
      setPagingHeaders(request, reply, deps.publicUrl, limit, page.next && encodeCursor(page.next));
      reply.header('X-Paging-Count', String(page.count));
      reply.header('X-Paging-Timerange', page.timerange.format());
      reply.header('X-Paging-Reverse-Order', String(reverse));
      // JSON text already (segments.page.ts): sent as it is, not serialised again.
      if (Buffer.isBuffer(page.body)) return sendJsonText(reply, page.body);
      return page.body;
    },
  );

  app.post(
    '/flows/:flowId/segments',
    {
      schema: {
        operationId: 'POST_flows-flowId-segments',
        summary: 'Create Flow Segments',
        description:
          'Register either a single new flow segment or an array of segments, attaching the object id given to a point in the flow timeline. For successful creation of all segments in the request a 201 response is given. If an error is detected when processing a list of segments, processing continues with the remaining segments and a 200 response lists the failed segments. A segment is kept whole as JSON in its event: one of more than 126,000 bytes less 2 KB (the maximum cell size of VAST DataBase, kept on every engine) is a failed segment naming its largest field; a registration too large for one event comes in several flows/segments_added events.',
        tags: ['FlowSegments'],
        params: FlowParams,
        body: FlowSegmentPostBody,
        response: {
          200: ok(
            FlowSegmentBulkFailure,
            'Partial success creating segments returning list of failed segments.',
          ),
          201: noContent('Success. All segments have been created.'),
          ...errors({
            400: "Bad request. Invalid flow segment JSON or the flow 'container' is not set.",
            403: FORBIDDEN,
            404: 'The flow does not exist.',
          }),
        },
      },
    },
    async (request, reply) => {
      const failed = await segments.register(request.params.flowId, request.body);
      if (failed.length > 0) return reply.code(200).send({ failed_segments: failed });
      return reply.code(201).send();
    },
  );

  app.delete(
    '/flows/:flowId/segments',
    {
      schema: {
        operationId: 'DELETE_flows-flowId-segments',
        summary: 'Delete Flow Segment',
        description:
          'Delete flow segments. If the deletion takes longer than the configured limit, this request returns 202 Accepted and the `Location` header points to a Flow Delete Request to monitor its progress.',
        tags: ['FlowSegments'],
        params: FlowParams,
        querystring: DeleteQuery,
        response: {
          202: ACCEPTED_DELETION,
          204: noContent('No content. The flow segments have been or will be deleted.'),
          ...errors({
            400: 'Bad request. Invalid query options.',
            403: FORBIDDEN,
            404: 'The requested flow ID in the path is invalid.',
          }),
        },
      },
    },
    async (request, reply) => {
      const range = timerangeParam(request.query.timerange) ?? TimeRange.ETERNITY;
      const pending = await segments.delete(
        request.params.flowId,
        range,
        request.query.object_id,
        actorOf(request),
      );
      if (pending) return sendAccepted(reply, apiBaseUrl(request, deps.publicUrl, deps.mount), pending);
      return reply.code(204).send();
    },
  );
}
