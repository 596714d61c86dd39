import { Type } from 'typebox';
import { ACCEPTED_DELETION, sendAccepted } from '../deletion/deletion.routes.ts';
import type { ApiMount } from '../http/api.version.ts';
import { annotate, TimeRange as TimeRangeSchema, Uuid } from '../http/common.schemas.ts';
import { apiBaseUrl, type PagingSettings } from '../http/paging.ts';
import { timerangeParam } from '../http/params.ts';
import { actorOf } from '../http/principal.ts';
import { errors, noContent, ok } from '../http/responses.ts';
import type { App } from '../http/types.ts';
import { FLOWS_API, flowForbidden } from './flows.api.ts';
import { checkFrameRate } from './flows.put.ts';
import type { FlowsService } from './flows.service.ts';

export interface FlowsRoutesDeps {
  flows: FlowsService;
  paging: PagingSettings;
  publicUrl: string;
  /** The mount these routes serve: its version chooses their schemas (flows.api.ts), and links into the API carry its prefix. */
  mount: ApiMount;
}

export const FlowParams = Type.Object({ flowId: Uuid });

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
function dropManaged(body: unknown, managed: ReadonlySet<string>): void {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return;
  for (const key of managed) delete (body as Record<string, unknown>)[key];
}

/** GET /flows, GET/PUT/DELETE /flows/{flowId} of the mount's version (flows.api.ts). */
export async function flowsRoutes(app: App, deps: FlowsRoutesDeps): Promise<void> {
  const { flows, mount } = deps;
  const v = FLOWS_API[mount.version];
  const FORBIDDEN = flowForbidden(v.noun);

  app.get(
    '/flows',
    {
      schema: {
        operationId: 'GET_flows',
        summary: 'List Flows',
        description: v.text.list,
        tags: ['Flows'],
        querystring: v.listQuery,
        response: {
          200: { ...ok(Type.Array(v.flow)), headers: v.listHeaders },
          ...errors({ 400: 'Bad request. Invalid query options.' }),
        },
      },
    },
    async (request, reply) =>
      v.list({ request, reply, flows, paging: deps.paging, publicUrl: deps.publicUrl, mount }),
  );

  app.get(
    '/flows/:flowId',
    {
      schema: {
        operationId: 'GET_flows-flowId',
        summary: 'Flow Details',
        description: `Returns ${v.noun} metadata.`,
        tags: ['Flows'],
        params: FlowParams,
        querystring: DetailQuery,
        response: {
          200: ok(v.flow),
          ...errors({
            400: 'Bad request. Invalid query options.',
            404: `The requested ${v.noun} does not exist.`,
          }),
        },
      },
    },
    async (request) =>
      flows.get(request.params.flowId, {
        includeTimerange: request.query.include_timerange ?? false,
        timerange: timerangeParam(request.query.timerange),
        version: mount.version,
      }),
  );

  app.put(
    '/flows/:flowId',
    {
      schema: {
        operationId: 'PUT_flows-flowId',
        summary: 'Create or Replace Flow',
        description: v.text.put,
        tags: ['Flows'],
        params: FlowParams,
        body: v.body,
        response: {
          201: ok(v.flow, `The ${v.noun} has been created.`),
          204: noContent(`No content. The ${v.noun} has been updated.`),
          ...errors({
            400: `Bad request. Invalid ${v.noun} JSON.`,
            403: FORBIDDEN,
            404: 'The requested Flow ID in the path is invalid.',
          }),
        },
      },
      preValidation: async (request) => {
        dropManaged(request.body, v.managed);
        if (mount.version !== '7.0') checkFrameRate(request.body);
      },
    },
    async (request, reply) => {
      const created = await flows.put(
        request.params.flowId,
        request.body as Record<string, unknown>,
        actorOf(request),
        mount.version,
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
        description: v.text.delete,
        tags: ['Flows'],
        params: FlowParams,
        response: {
          202: ACCEPTED_DELETION,
          204: noContent(v.text.deleted),
          ...errors({ 403: FORBIDDEN, 404: 'The requested Flow ID in the path is invalid.' }),
        },
      },
    },
    async (request, reply) => {
      const pending = await flows.delete(request.params.flowId, actorOf(request));
      if (pending) return sendAccepted(reply, apiBaseUrl(request, deps.publicUrl, mount), pending);
      return reply.code(204).send();
    },
  );
}
