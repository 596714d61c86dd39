import { Type } from 'typebox';
import { isUuid } from '../common/ids.ts';
import {
  decodePageKey,
  effectiveLimit,
  PagingHeaders,
  PagingQuery,
  type PagingSettings,
  setPagingHeaders,
} from '../http/paging.ts';
import { errors, ok } from '../http/responses.ts';
import type { App } from '../http/types.ts';
import { MediaObject } from './objects.schemas.ts';
import type { ObjectsService } from './objects.service.ts';

export async function objectsRoutes(
  app: App,
  deps: { objects: ObjectsService; paging: PagingSettings; publicUrl: string },
): Promise<void> {
  app.get(
    '/objects/:objectId',
    {
      schema: {
        operationId: 'GET_objects',
        summary: 'Media Object Information',
        description:
          'Contains flows that references the media object and other information. Object ids containing `/` are percent-encoded in the path. The paging parameters apply to the list of Flows.',
        tags: ['Objects'],
        params: Type.Object({ objectId: Type.String({ description: 'The media object identifier.' }) }),
        querystring: Type.Object({ ...PagingQuery }),
        response: {
          200: { ...ok(MediaObject), headers: PagingHeaders },
          ...errors({
            400: 'Bad request. Invalid query options.',
            404: 'The requested media object does not exist.',
          }),
        },
      },
    },
    async (request, reply) => {
      const limit = effectiveLimit(request.query.limit, deps.paging);
      const { object, next } = await deps.objects.get(
        request.params.objectId,
        decodePageKey(request.query.page, isUuid),
        limit,
      );
      setPagingHeaders(request, reply, deps.publicUrl, limit, next);
      return object;
    },
  );
}
