import type { TSchema } from 'typebox';
import { FlowParams } from '../flows/flows.routes.ts';
import type { ApiMount, ApiVersion } from '../http/api.version.ts';
import { OPTIONAL_BODY } from '../http/openapi.paths.ts';
import { errors, ok } from '../http/responses.ts';
import type { App } from '../http/types.ts';
import { urlContext } from '../segments/segments.query.ts';
import { FlowStorage, FlowStoragePost } from './storage.schemas.ts';
import type { AllocatedObject, StorageRequest, StorageService } from './storage.service.ts';
import { FlowStorage82, FlowStoragePost82 } from './storage.v8.schemas.ts';

/** What POST /flows/{flowId}/storage differs in per API version. */
interface StorageApi {
  body: TSchema;
  answer: TSchema;
  /** The request as the service takes it: only what the version has. */
  request(body: StorageRequest): StorageRequest;
  /** An allocated object as the version answers it. */
  item(object: AllocatedObject): Record<string, unknown>;
  summary: string;
  description: string;
  noun: string;
}

const STORAGE_API: Record<ApiVersion, StorageApi> = {
  '7.0': {
    body: FlowStoragePost,
    answer: FlowStorage,
    // Properties 7.0 does not have are ignored, as before 8.2 gave them a meaning.
    request: ({ limit, object_ids, storage_id }) => ({ limit, object_ids, storage_id }),
    item: ({ object_id, put_url }) => ({ object_id, put_url }),
    summary: 'Allocate Flow Storage',
    description:
      'Allocate storage locations for writing media objects. The response includes a PUT URL per object that a client uses to upload it (with the given `content-type`), then registers segments using the /flows/{flowId}/segments endpoint.',
    noun: 'flow',
  },
  '8.2': {
    body: FlowStoragePost82,
    answer: FlowStorage82,
    request: (body) => body,
    item: ({ object_id, put_url, presigned }) => ({ object_id, put_url, presigned }),
    summary: 'Allocate Initial Flow Storage',
    description:
      "Allocate storage locations for writing Objects. The response includes a PUT URL per Object that a client uses to upload it (with the given `content-type`, and `headers` where there are any), then registers Flow Segments using the /flows/{flowId}/segments endpoint. PUT URLs are presigned unless `presigned` is `false`: then a URL on this service's own origin (the local media directory) takes the API's credentials, and a URL of an S3 bucket takes S3 credentials of the client's own. Initialisation segments of a Flow with `essence_parameters.init_segments` are allocated with their `content_type`, then named by `init_object_id` when registering Flow Segments. Objects not used within `min_object_timeout` (/service) are garbage-collected.",
    noun: 'Flow',
  },
};

export async function storageRoutes(
  app: App,
  deps: { storage: StorageService; publicUrl: string; presignExpirySeconds: number; mount: ApiMount },
): Promise<void> {
  const v = STORAGE_API[deps.mount.version];
  app.post(
    '/flows/:flowId/storage',
    {
      schema: {
        operationId: 'POST_flows-flowId-storage',
        summary: v.summary,
        description: v.description,
        tags: ['MediaStorage'],
        params: FlowParams,
        // The body is optional (the spec does not mark it required): an empty request allocates
        // the default number of objects in the default backend.
        body: v.body,
        ...OPTIONAL_BODY,
        response: {
          201: ok(v.answer, 'Storage locations for writing media objects.'),
          ...errors({
            400: `Bad request. Invalid ${v.noun} storage request JSON or the ${v.noun} 'container' is not set. If object_ids supplied, some or all already exist.`,
            403: `Forbidden. You do not have permission to modify this ${v.noun}. It may be marked read-only.`,
            404: `The requested ${v.noun} does not exist.`,
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
      const objects = await deps.storage.allocate(
        request.params.flowId,
        v.request((request.body ?? {}) as StorageRequest),
        urlContext(request, deps.publicUrl, deps.presignExpirySeconds),
      );
      return reply.code(201).send({ media_objects: objects.map(v.item) });
    },
  );
}
