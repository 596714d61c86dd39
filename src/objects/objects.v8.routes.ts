import { Type } from 'typebox';
import { isUuid, UUID_PATTERN } from '../common/ids.ts';
import {
  decodePageKey,
  effectiveLimit,
  PagingHeaders,
  PagingQuery,
  type PagingSettings,
  setPagingHeaders,
} from '../http/paging.ts';
import { errors, ok } from '../http/responses.ts';
import { tagFilters, tagQuery82 } from '../http/tags.version.ts';
import type { App } from '../http/types.ts';
import { urlContext } from '../segments/segments.routes.ts';
import { getUrlFilter82 } from '../segments/segments.v8.routes.ts';
import type { ObjectsService } from './objects.service.ts';
import { MediaObjectV8 } from './objects.v8.schemas.ts';

const FLOW_TAGS = tagQuery82('`referenced_by_flows`: Flows', 'flow_tag');
const BACKEND_TAGS = tagQuery82(
  '`get_urls` and `init_object.get_urls` of Storage Backends',
  'storage_backend_tag',
);
const UUID = UUID_PATTERN.slice(1, -1);

/**
 * 8.2's query: the `get_urls` options apply to the object's own URLs (object instances, a later
 * change: none are listed yet) and to `init_object.get_urls`, the `flow_tag` filters to
 * `referenced_by_flows`.
 */
const ObjectQueryV8 = Type.Object(
  {
    verbose_storage: Type.Optional(
      Type.Boolean({
        default: false,
        description:
          'Include storage metadata in `get_urls` and `init_object.get_urls`. When `verbose_storage` is `false` only `url`, `presigned`, and `label` will be included.',
      }),
    ),
    accept_get_urls: Type.Optional(
      Type.String({
        pattern: '^([^,]+(,[^,]+)*)?$',
        description:
          'A comma separated list of labels of `get_urls` and `init_object.get_urls` to include in the response. Omitting it results in no filtering; an empty value in no `get_urls`.',
      }),
    ),
    accept_storage_ids: Type.Optional(
      Type.String({
        pattern: `^(${UUID})(,${UUID})*$`,
        description:
          'A comma separated list of `storage_id`s of `get_urls` and `init_object.get_urls` to include in the response.',
      }),
    ),
    presigned: Type.Optional(
      Type.Boolean({
        description:
          'If set to `true`, only presigned URLs will be returned in `get_urls` and `init_object.get_urls`; if `false`, only non-presigned URLs. If omitted, both.',
      }),
    ),
    ...FLOW_TAGS.properties,
    ...BACKEND_TAGS.properties,
    ...PagingQuery,
  },
  { patternProperties: { ...FLOW_TAGS.patternProperties, ...BACKEND_TAGS.patternProperties } },
);

/** TAMS 8.2's GET (and HEAD) `/objects/{objectId}`. */
export async function objectsV8Routes(
  app: App,
  deps: { objects: ObjectsService; paging: PagingSettings; publicUrl: string; presignExpirySeconds: number },
): Promise<void> {
  app.get(
    '/objects/:objectId',
    {
      schema: {
        operationId: 'GET_objects',
        summary: 'Media Object Information',
        description:
          'The Flows that reference the Object (paged; those of an init Object reference it through their Media Objects), and what its first Flow Segment set: its `timerange`, `key_frame_count` and `init_object`. Object ids containing `/` are percent-encoded in the path. An Object allocated by `/storage` and not yet registered in a Flow Segment is a 404.',
        tags: ['Objects'],
        params: Type.Object({ objectId: Type.String({ description: 'The Object identifier.' }) }),
        querystring: ObjectQueryV8,
        response: {
          200: { ...ok(MediaObjectV8), headers: PagingHeaders },
          ...errors({
            400: 'Bad request. Invalid query options.',
            404: 'The requested Media Object does not exist, or has not yet been registered with a Flow Segment.',
          }),
        },
      },
    },
    async (request, reply) => {
      const limit = effectiveLimit(request.query.limit, deps.paging);
      const tags = tagFilters(request, '8.2', 'flow_tag');
      const filtered = Object.keys(tags.equals).length > 0 || Object.keys(tags.exists).length > 0;
      const flowTags = filtered ? tags : undefined;
      const { object, next } = await deps.objects.get(
        request.params.objectId,
        decodePageKey(request.query.page, isUuid),
        limit,
        '8.2',
        {
          flowTags,
          urls: {
            filter: getUrlFilter82(request, request.query),
            ctx: urlContext(request, deps.publicUrl, deps.presignExpirySeconds),
          },
        },
      );
      setPagingHeaders(request, reply, deps.publicUrl, limit, next);
      return object;
    },
  );
}
