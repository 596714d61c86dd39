import { Type } from 'typebox';
import { CELL_NOTE } from '../common/cells.ts';
import type { ApiMount } from '../http/api.version.ts';
import { errors, noContent, ok } from '../http/responses.ts';
import type { App } from '../http/types.ts';
import { Service, ServicePost, StorageBackendsList } from './service.schemas.ts';
import type { ServiceInfoService } from './service.service.ts';

export interface ServiceRoutesDeps {
  service: ServiceInfoService;
  /** The mount these routes serve: its version is the `api_version` /service answers. */
  mount: ApiMount;
  /** Names of the root endpoints this server offers (GET /). */
  rootEndpoints: () => string[];
}

export async function serviceRoutes(app: App, deps: ServiceRoutesDeps): Promise<void> {
  app.get(
    '/',
    {
      schema: {
        operationId: 'GET_root',
        summary: 'List Root Endpoints',
        description: 'List of paths available from this API.',
        tags: ['Service'],
        response: { 200: ok(Type.Array(Type.String())) },
      },
    },
    async () => deps.rootEndpoints(),
  );

  app.get(
    '/service',
    {
      schema: {
        operationId: 'GET_service',
        summary: 'Service Information',
        description: 'Provide information about the service.',
        tags: ['Service'],
        response: { 200: ok(Service) },
      },
    },
    async () => ({ ...(await deps.service.get()), api_version: deps.mount.version }),
  );

  app.post(
    '/service',
    {
      schema: {
        operationId: 'POST_service',
        summary: 'Update Service Information',
        description: `Update the service info. ${CELL_NOTE}`,
        tags: ['Service'],
        body: ServicePost,
        response: {
          200: noContent('Success. The service info has been updated.'),
          ...errors({ 400: 'Bad request. Invalid service JSON.' }),
        },
      },
    },
    async (request, reply) => {
      await deps.service.update(request.body);
      return reply.code(200).send();
    },
  );

  app.get(
    '/service/storage-backends',
    {
      schema: {
        operationId: 'GET_storage-backends',
        summary: 'Storage Backend Information',
        description:
          'Provide information about the storage backends available on this service instance. These are populated on deployment of the service instance.',
        tags: ['Service'],
        response: { 200: ok(StorageBackendsList) },
      },
    },
    async () => deps.service.storageBackends(),
  );
}
