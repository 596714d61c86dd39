import { Type } from 'typebox';
import { errors, noContent } from '../http/responses.ts';
import type { App } from '../http/types.ts';
import type { InstancePost, InstancesService } from './objects.instances.ts';
import { InstanceDeleteQuery, InstancePostBody } from './objects.v8.schemas.ts';

const ObjectParams = Type.Object({
  objectId: Type.String({
    description:
      'The Object identifier. The Object ID may include special characters such as `/` which should be URL encoded.',
  }),
});

const FORBIDDEN = 'Forbidden. You do not have permission to modify this Object.';
const NOT_FOUND =
  'The Object does not exist. 404 MUST be returned if the ID has been assigned via the [`/flows/{flowId}/storage`](#/operations/POST_flows-flowId-storage), but not yet registered against a Flow Segment.';

/** TAMS 8.2's `/objects/{objectId}/instances` (ADR 0038, 0042): operations 7.0 does not have. */
export async function instancesRoutes(app: App, deps: { instances: InstancesService }): Promise<void> {
  app.post(
    '/objects/:objectId/instances',
    {
      schema: {
        operationId: 'POST_objects-instances',
        summary: 'Register an Object instance',
        description:
          "Add an uncontrolled instance (a `url` under a `label`) to the Object's `get_urls`, or request a copy of the Object on another Storage Backend (`storage_id`), advertised in `get_urls` once made. Labels of Storage Backends are refused, as is a label the Object has for another URL; an instance the Object has already is left as it is (201). Initialisation Objects are not copied with the Object.",
        tags: ['Objects'],
        params: ObjectParams,
        body: InstancePostBody,
        response: {
          201: noContent('Object instance successfully registered.'),
          ...errors({ 400: 'Bad request. Invalid request JSON.', 403: FORBIDDEN, 404: NOT_FOUND }),
        },
      },
    },
    async (request, reply) => {
      await deps.instances.add(request.params.objectId, request.body as InstancePost);
      return reply.code(201).send();
    },
  );

  app.delete(
    '/objects/:objectId/instances',
    {
      schema: {
        operationId: 'DELETE_objects-instances',
        summary: 'Delete an Object instance',
        description:
          "Delete an instance of an Object: the uncontrolled instances of `label`, or the copy on Storage Backend `storage_id` (a Storage Backend's label names its copy too), whose bytes are then deleted. One of `storage_id` and `label` must be given. Deleting the Object's last instance is refused (400): delete the Flow Segments using it instead. Deleting the instance on the Storage Backend holding the Object's own bytes (where it was uploaded to, or moved to since) moves the Object to its first ready copy on another Storage Backend of this service, which every Flow Segment using it then lists, and deletes those bytes; without a ready copy it is refused (400): uncontrolled instances do not count. Initialisation Objects are not affected.",
        tags: ['Objects'],
        params: ObjectParams,
        querystring: InstanceDeleteQuery,
        response: {
          204: noContent('No content. The Object instance has been deleted.'),
          ...errors({
            400: 'Bad request. Invalid query options.',
            403: FORBIDDEN,
            404: 'The requested Object ID in the path is invalid, or the Object has no such instance. 404 MUST be returned if the ID has been assigned via the [`/flows/{flowId}/storage`](#/operations/POST_flows-flowId-storage), but not yet registered against a Flow Segment.',
          }),
        },
      },
    },
    async (request, reply) => {
      await deps.instances.remove(request.params.objectId, request.query);
      return reply.code(204).send();
    },
  );
}
