import { Type } from 'typebox';
import { ACCEPTED_DELETION, sendAccepted } from '../deletion/deletion.routes.ts';
import { FlowParams } from '../flows/flows.routes.ts';
import type { ApiMount } from '../http/api.version.ts';
import { sendJsonText } from '../http/json.ts';
import {
  apiBaseUrl,
  effectiveLimit,
  PagingHeaders,
  type PagingSettings,
  setPagingHeaders,
} from '../http/paging.ts';
import { timerangeParam } from '../http/params.ts';
import { actorOf } from '../http/principal.ts';
import { errors, noContent, ok } from '../http/responses.ts';
import type { App } from '../http/types.ts';
import { TimeRange } from '../time/index.ts';
import { SEGMENTS_API } from './segments.api.ts';
import type { SegmentPostBody } from './segments.objects.ts';
import {
  DeleteQuery,
  decodeCursor,
  describeRange,
  encodeCursor,
  type ListParams,
  urlContext,
} from './segments.query.ts';
import { FlowSegmentBulkFailure } from './segments.schemas.ts';
import type { SegmentsService } from './segments.service.ts';

export interface SegmentsRoutesDeps {
  segments: SegmentsService;
  paging: PagingSettings;
  publicUrl: string;
  presignExpirySeconds: number;
  /**
   * The mount these routes serve: its version chooses their schemas and rules (SEGMENTS_API);
   * links into the API carry its prefix (media URLs do not).
   */
  mount: ApiMount;
}

export const FORBIDDEN =
  'Forbidden. You do not have permission to modify this flow. It may be marked read-only.';

/** `/flows/{flowId}/segments` (GET, HEAD, POST, DELETE) of the mount's version. */
export async function segmentsRoutes(app: App, deps: SegmentsRoutesDeps): Promise<void> {
  const { segments } = deps;
  const v = SEGMENTS_API[deps.mount.version];

  app.get(
    '/flows/:flowId/segments',
    {
      schema: {
        operationId: 'GET_flows-flowId-segments',
        summary: 'List Flow Segments',
        description: v.list.description,
        tags: ['FlowSegments'],
        params: FlowParams,
        querystring: v.list.querystring,
        response: {
          200: {
            ...ok(Type.Array(v.list.item)),
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
            404: v.list.notFound,
          }),
        },
      },
    },
    async (request, reply) => {
      const q = request.query as ListParams;
      const limit = effectiveLimit(q.limit, deps.paging);
      const reverse = q.reverse_order ?? false;
      // Before the page key: 8.2's backend tag filters are refused first, as they always were.
      const { urls, view } = v.read(request, q);
      const page = await segments.listPage(
        request.params.flowId,
        {
          timerange: timerangeParam(q.timerange),
          objectId: q.object_id,
          reverse,
          limit,
          after: decodeCursor(q.page),
          urls,
          view,
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
        description: v.post.description,
        tags: ['FlowSegments'],
        params: FlowParams,
        body: v.post.body,
        response: {
          200: ok(FlowSegmentBulkFailure, v.post.partial),
          201: noContent(v.post.created),
          ...errors({ 400: v.post.invalid, 403: FORBIDDEN, 404: v.post.notFound }),
        },
      },
    },
    async (request, reply) => {
      const body = request.body as SegmentPostBody | SegmentPostBody[];
      const failed = await segments.register(request.params.flowId, body, v.post.version);
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
        description: v.delete.description,
        tags: ['FlowSegments'],
        params: FlowParams,
        querystring: DeleteQuery,
        response: {
          202: ACCEPTED_DELETION,
          204: noContent(v.delete.deleted),
          ...errors({
            400: 'Bad request. Invalid query options.',
            403: FORBIDDEN,
            404: v.delete.notFound,
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
