import { Type } from 'typebox';
import { CELL_NOTE } from '../common/cells.ts';
import { isUuid } from '../common/ids.ts';
import { ACCEPTED_DELETION, sendAccepted } from '../deletion/deletion.routes.ts';
import type { ApiMount } from '../http/api.version.ts';
import {
  annotate,
  ContentFormat,
  describe,
  MimeTypeQuery,
  TimeRange as TimeRangeSchema,
  Uuid,
} from '../http/common.schemas.ts';
import {
  apiBaseUrl,
  decodePageKey,
  effectiveLimit,
  PagingHeaders,
  PagingQuery,
  type PagingSettings,
  setPagingHeaders,
} from '../http/paging.ts';
import { timerangeParam } from '../http/params.ts';
import { actorOf } from '../http/principal.ts';
import { errors, noContent, ok } from '../http/responses.ts';
import { TagQuery, tagFilters } from '../http/tags.version.ts';
import type { App } from '../http/types.ts';
import { SERVER_MANAGED } from './flows.mapper.ts';
import { Flow } from './flows.schemas.ts';
import type { FlowsService } from './flows.service.ts';

export interface FlowsRoutesDeps {
  flows: FlowsService;
  paging: PagingSettings;
  publicUrl: string;
  /** The mount these routes serve: links into the API carry its prefix. */
  mount: ApiMount;
}

export const FlowParams = Type.Object({ flowId: Uuid });

const ListQuery = Type.Object(
  {
    source_id: Type.Optional(describe(Uuid, 'Filter on source identifier.')),
    timerange: Type.Optional(
      annotate(TimeRangeSchema, {
        description:
          'Filter on flows that overlap the given timerange. An empty timerange returns flows with no content.',
        default: '_',
      }),
    ),
    format: Type.Optional(describe(ContentFormat, 'Filter on flow format.')),
    codec: Type.Optional(describe(MimeTypeQuery, 'Filter on flow codec.')),
    label: Type.Optional(Type.String({ description: 'Filter on flows that have the given label.' })),
    ...TagQuery.properties,
    frame_width: Type.Optional(
      Type.Integer({ description: 'Filter on video flows that have the given frame width.' }),
    ),
    frame_height: Type.Optional(
      Type.Integer({ description: 'Filter on video flows that have the given frame height.' }),
    ),
    ...PagingQuery,
  },
  { patternProperties: TagQuery.patternProperties },
);

const DetailQuery = Type.Object({
  include_timerange: Type.Optional(
    Type.Boolean({ default: false, description: 'Include the available segment timerange in the response.' }),
  ),
  timerange: Type.Optional(
    annotate(TimeRangeSchema, {
      default: '_',
      description: 'Limit the returned available segment timerange to this timerange.',
    }),
  ),
});

/**
 * The server ignores server-managed properties of a PUT body ("Implementations SHOULD ignore this
 * if given in a PUT request"), so they are dropped before the body is validated: what is ignored
 * cannot make a Flow invalid. The spec's own examples carry `created` values without a timezone,
 * which are not valid date-times.
 */
function dropServerManaged(body: unknown): void {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return;
  for (const key of SERVER_MANAGED) delete (body as Record<string, unknown>)[key];
}

const FLOW_404 = 'The requested flow does not exist.';
const FORBIDDEN = 'Forbidden. You do not have permission to modify this flow. It may be marked read-only.';

export async function flowsRoutes(app: App, deps: FlowsRoutesDeps): Promise<void> {
  const { flows } = deps;

  app.get(
    '/flows',
    {
      schema: {
        operationId: 'GET_flows',
        summary: 'List Flows',
        description: 'List the flows registered in the store.',
        tags: ['Flows'],
        querystring: ListQuery,
        response: {
          200: { ...ok(Type.Array(Flow)), headers: PagingHeaders },
          ...errors({ 400: 'Bad request. Invalid query options.' }),
        },
      },
    },
    async (request, reply) => {
      const q = request.query;
      const limit = effectiveLimit(q.limit, deps.paging);
      const page = await flows.list(
        {
          source_id: q.source_id,
          format: q.format,
          codec: q.codec,
          label: q.label,
          frame_width: q.frame_width,
          frame_height: q.frame_height,
          tags: tagFilters(request, '7.0'),
          timerange: timerangeParam(q.timerange),
        },
        decodePageKey(q.page, isUuid),
        limit,
      );
      setPagingHeaders(request, reply, deps.publicUrl, limit, page.next);
      return page.items;
    },
  );

  app.get(
    '/flows/:flowId',
    {
      schema: {
        operationId: 'GET_flows-flowId',
        summary: 'Flow Details',
        description: 'Returns flow metadata.',
        tags: ['Flows'],
        params: FlowParams,
        querystring: DetailQuery,
        response: {
          200: ok(Flow),
          ...errors({ 400: 'Bad request. Invalid query options.', 404: FLOW_404 }),
        },
      },
    },
    async (request) =>
      flows.get(request.params.flowId, {
        includeTimerange: request.query.include_timerange ?? false,
        timerange: timerangeParam(request.query.timerange),
      }),
  );

  app.put(
    '/flows/:flowId',
    {
      schema: {
        operationId: 'PUT_flows-flowId',
        summary: 'Create or Replace Flow',
        description: `Create or replace the flow metadata. ${CELL_NOTE}`,
        tags: ['Flows'],
        params: FlowParams,
        body: Flow,
        response: {
          201: ok(Flow, 'The flow has been created.'),
          204: noContent('No content. The flow has been updated.'),
          ...errors({
            400: 'Bad request. Invalid flow JSON.',
            403: FORBIDDEN,
            404: 'The requested Flow ID in the path is invalid.',
          }),
        },
      },
      preValidation: async (request) => dropServerManaged(request.body),
    },
    async (request, reply) => {
      const created = await flows.put(
        request.params.flowId,
        request.body as Record<string, unknown>,
        actorOf(request),
      );
      if (created) return reply.code(201).send(created);
      return reply.code(204).send();
    },
  );

  app.delete(
    '/flows/:flowId',
    {
      schema: {
        operationId: 'DELETE_flows-flowId',
        summary: 'Delete Flow',
        description:
          'Deletes the flow and associated segments. If flow segment deletion takes too long then this request will return 202 Accepted and the `Location` header will point to a Flow Delete Request to monitor deletion progress',
        tags: ['Flows'],
        params: FlowParams,
        response: {
          202: ACCEPTED_DELETION,
          204: noContent(
            'No content. The flow has been deleted and the flow segments have been or will be deleted.',
          ),
          ...errors({ 403: FORBIDDEN, 404: 'The requested Flow ID in the path is invalid.' }),
        },
      },
    },
    async (request, reply) => {
      const pending = await flows.delete(request.params.flowId, actorOf(request));
      if (pending) return sendAccepted(reply, apiBaseUrl(request, deps.publicUrl, deps.mount), pending);
      return reply.code(204).send();
    },
  );
}
