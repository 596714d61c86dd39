import { FlowParams } from '../flows/flows.routes.ts';
import { OPTIONAL_BODY } from '../http/openapi.paths.ts';
import { errors, ok } from '../http/responses.ts';
import type { App } from '../http/types.ts';
import { urlContext } from '../segments/segments.routes.ts';
import { FlowStorage, FlowStoragePost } from './storage.schemas.ts';
import type { StorageService } from './storage.service.ts';

export async function storageRoutes(
  app: App,
  deps: { storage: StorageService; publicUrl: string; presignExpirySeconds: number },
): Promise<void> {
  app.post(
    '/flows/:flowId/storage',
    {
      schema: {
        operationId: 'POST_flows-flowId-storage',
        summary: 'Allocate Flow Storage',
        description:
          'Allocate storage locations for writing media objects. The response includes a PUT URL per object that a client uses to upload it (with the given `content-type`), then registers segments using the /flows/{flowId}/segments endpoint.',
        tags: ['MediaStorage'],
        params: FlowParams,
        // The body is optional (the spec does not mark it required): an empty request allocates
        // the default number of objects in the default backend.
        body: FlowStoragePost,
        ...OPTIONAL_BODY,
        response: {
          201: ok(FlowStorage, 'Storage locations for writing media objects.'),
          ...errors({
            400: "Bad request. Invalid flow storage request JSON or the flow 'container' is not set. If object_ids supplied, some or all already exist.",
            403: 'Forbidden. You do not have permission to modify this flow. It may be marked read-only.',
            404: 'The requested flow does not exist.',
          }),
        },
      },
      // A request without a body (no content type, no content) is validated as `{}`: the body
      // schema alone would refuse it ("body must be object").
      preValidation: async (request) => {
        if (request.body === undefined) request.body = {};
      },
    },
    async (request, reply) => {
      const storage = await deps.storage.allocate(
        request.params.flowId,
        request.body ?? undefined,
        urlContext(request, deps.publicUrl, deps.presignExpirySeconds),
      );
      return reply.code(201).send(storage);
    },
  );
}
