import type { FastifyReply } from 'fastify';
import { Type } from 'typebox';
import { errors, ok } from '../http/responses.ts';
import type { App } from '../http/types.ts';
import { DeletionRequest, DeletionRequestsList } from './deletion.schemas.ts';
import type { DeletionService } from './deletion.service.ts';

/** How many requests GET /flow-delete-requests shows (the spec gives it no paging). */
const LIST_LIMIT = 1000;

/** The 202 response schema of the DELETE operations that `sendAccepted` answers. */
export const ACCEPTED_DELETION = {
  ...ok(
    DeletionRequest,
    'This request has taken longer than the configured timeout, and will continue asynchronously',
  ),
  headers: {
    Location: Type.String({ description: 'The Flow Delete Request monitoring the deletion.' }),
  },
};

/**
 * 202 Accepted with the deletion request and where to watch it: under `apiBase`, the API the
 * request came through (apiBaseUrl: the public base and the mount's prefix).
 */
export function sendAccepted(reply: FastifyReply, apiBase: string, deletion: DeletionRequest): FastifyReply {
  return reply.code(202).header('Location', `${apiBase}/flow-delete-requests/${deletion.id}`).send(deletion);
}

export async function deletionRoutes(app: App, deps: { deletion: DeletionService }): Promise<void> {
  app.get(
    '/flow-delete-requests',
    {
      schema: {
        operationId: 'GET_flow-delete-requests',
        summary: 'List Flow Delete Requests',
        description:
          'List deletion requests currently being worked on, and finished ones until they expire, oldest first.',
        tags: ['FlowDeleteRequests'],
        response: { 200: ok(DeletionRequestsList) },
      },
    },
    async () => deps.deletion.list(LIST_LIMIT),
  );

  app.get(
    '/flow-delete-requests/:requestId',
    {
      schema: {
        operationId: 'GET_flow-delete-requests-request-id',
        summary: 'Flow Delete Request Details',
        description:
          'Get information about a timerange of FlowSegments that are being deleted. A deletion request is created when a client DELETEs a long timeranges of segments, which takes longer than a single HTTP request.',
        tags: ['FlowDeleteRequests'],
        // The spec names this parameter `request-id`, which the router cannot take as a name; the
        // OpenAPI document is given the spec's name (http/swagger.ts).
        params: Type.Object({ requestId: Type.String() }),
        response: {
          200: ok(DeletionRequest),
          ...errors({ 404: 'The requested flow delete request does not exist.' }),
        },
      },
    },
    async (request) => deps.deletion.get(request.params.requestId),
  );
}
