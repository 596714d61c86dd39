import { Type } from 'typebox';
import { ACCEPTED_DELETION, sendAccepted } from '../deletion/deletion.routes.ts';
import { FlowParams } from '../flows/flows.routes.ts';
import type { ApiMount } from '../http/api.version.ts';
import { sendJsonText } from '../http/json.ts';
import {
  apiBaseUrl,
  effectiveLimit,
  PagingHeaders,
  PagingQuery,
  type PagingSettings,
  setPagingHeaders,
} from '../http/paging.ts';
import { timerangeParam } from '../http/params.ts';
import { actorOf } from '../http/principal.ts';
import { errors, noContent, ok } from '../http/responses.ts';
import { type TagFilters, tagFilters, tagQuery82 } from '../http/tags.version.ts';
import type { App } from '../http/types.ts';
import { TimeRange } from '../time/index.ts';
import {
  DeleteQuery,
  decodeCursor,
  describeRange,
  encodeCursor,
  FORBIDDEN,
  GetUrlsQuery,
  getUrlFilter,
  urlContext,
} from './segments.routes.ts';
import { FlowSegmentBulkFailure } from './segments.schemas.ts';
import type { SegmentsService } from './segments.service.ts';
import type { GetUrlFilter } from './segments.urls.ts';
import { FlowSegmentPostBodyV8, FlowSegmentV8, IncludeObjectTimerangeQuery } from './segments.v8.schemas.ts';

export interface SegmentsV8RoutesDeps {
  segments: SegmentsService;
  paging: PagingSettings;
  publicUrl: string;
  presignExpirySeconds: number;
  mount: ApiMount;
}

const BACKEND_TAGS = tagQuery82(
  'Flow Segment `get_urls` and `init_object.get_urls` of Storage Backends',
  'storage_backend_tag',
);

const ListQueryV8 = Type.Object(
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

/**
 * The `storage_backend_tag*` filters, applied to a request's get_urls filter. No storage backend
 * of this server has tags yet (ADR 0055, configured per backend by a later change), and URLs of
 * no backend never match a positive filter: a filter asking for a tag value, or for a tag to
 * exist, leaves no URL; one asking for a tag's absence leaves them all.
 */
export function withBackendTags(filter: GetUrlFilter, tags: TagFilters): GetUrlFilter {
  const wanted = Object.keys(tags.equals).length > 0 || Object.values(tags.exists).some((v) => v);
  return wanted ? { ...filter, labels: new Set() } : filter;
}

/**
 * TAMS 8.2's `/flows/{flowId}/segments` (GET, HEAD, POST, DELETE): 7.0's, plus the objects'
 * timeranges (`include_object_timerange`, `object_timerange` in bodies: ADR 0036) and 8.2's
 * registration rules (segments.objects.ts).
 */
export async function segmentsV8Routes(app: App, deps: SegmentsV8RoutesDeps): Promise<void> {
  const { segments } = deps;

  app.get(
    '/flows/:flowId/segments',
    {
      schema: {
        operationId: 'GET_flows-flowId-segments',
        summary: 'List Flow Segments',
        description:
          "Returns the Flow Segments, sorted by timerange. With `include_object_timerange=true` each gives its Object's timerange (`object_timerange`), to identify the samples of the Object it uses. A request for Segments from a non-existent Flow will return an empty list, not a 404.",
        tags: ['FlowSegments'],
        params: FlowParams,
        querystring: ListQueryV8,
        response: {
          200: {
            ...ok(Type.Array(FlowSegmentV8)),
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
            404: 'The Flow ID in the path is invalid.',
          }),
        },
      },
    },
    async (request, reply) => {
      const q = request.query;
      const limit = effectiveLimit(q.limit, deps.paging);
      const reverse = q.reverse_order ?? false;
      const urls = withBackendTags(getUrlFilter(q), tagFilters(request, '8.2', 'storage_backend_tag'));
      const page = await segments.listPage(
        request.params.flowId,
        {
          timerange: timerangeParam(q.timerange),
          objectId: q.object_id,
          reverse,
          limit,
          after: decodeCursor(q.page),
          urls,
          view: { objectTimerange: q.include_object_timerange === true },
        },
        urlContext(request, deps.publicUrl, deps.presignExpirySeconds),
      );
      setPagingHeaders(request, reply, deps.publicUrl, limit, page.next && encodeCursor(page.next));
      reply.header('X-Paging-Count', String(page.count));
      reply.header('X-Paging-Timerange', page.timerange.format());
      reply.header('X-Paging-Reverse-Order', String(reverse));
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
          "Register either a single new Flow Segment or an array of Segments. A new Object takes the timerange `object_timerange` gives (which must hold the Segment's `timerange - ts_offset`), else the Segment's `timerange - ts_offset`, and the Segment's `key_frame_count`; a Segment that starts inside a new Object (`sample_offset`) must give `object_timerange`. A re-used Object's Segment must lie within its timerange once offset by `ts_offset`, and may not give another `object_timerange` or `key_frame_count`. 201 when all are created; 200 listing the failed ones otherwise.",
        tags: ['FlowSegments'],
        params: FlowParams,
        body: FlowSegmentPostBodyV8,
        response: {
          200: ok(
            FlowSegmentBulkFailure,
            'Partial success creating Segments returning list of failed Segments.',
          ),
          201: noContent('created. The flow Segment or list of Segments has been created.'),
          ...errors({
            400: "Bad request. Invalid Flow Segment JSON or the Flow 'container' is not set.",
            403: FORBIDDEN,
            404: 'The Flow does not exist.',
          }),
        },
      },
    },
    async (request, reply) => {
      const failed = await segments.register(request.params.flowId, request.body, '8.2');
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
          'Deletes the Flow Segments. If the deletion takes too long then this request will return 202 Accepted and the `Location` header will point to a Flow Delete Request to monitor deletion progress.',
        tags: ['FlowSegments'],
        params: FlowParams,
        querystring: DeleteQuery,
        response: {
          202: ACCEPTED_DELETION,
          204: noContent('No content. The Flow Segments have been or will be deleted.'),
          ...errors({
            400: 'Bad request. Invalid query options.',
            403: FORBIDDEN,
            404: 'The requested Flow ID in the path is invalid.',
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
