import type { FastifyRequest } from 'fastify';
import { type TSchema, Type } from 'typebox';
import { isUuid, UUID_PATTERN } from '../common/ids.ts';
import type { ApiMount, ApiVersion } from '../http/api.version.ts';
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
import { getUrlFilter82, urlContext } from '../segments/segments.query.ts';
import { MediaObject } from './objects.schemas.ts';
import type { ObjectQueryV8, ObjectsService } from './objects.service.ts';
import { MediaObjectV8 } from './objects.v8.schemas.ts';

const FLOW_TAGS = tagQuery82('`referenced_by_flows`: Flows', 'flow_tag');
const BACKEND_TAGS = tagQuery82(
  '`get_urls` and `init_object.get_urls` of Storage Backends',
  'storage_backend_tag',
);
const UUID = UUID_PATTERN.slice(1, -1);

/** 8.2's query: the `get_urls` options apply to the object's URLs, the `flow_tag` filters to `referenced_by_flows`. */
const ObjectQuery82 = Type.Object(
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

type ObjectQueryText = {
  verbose_storage?: boolean;
  accept_get_urls?: string;
  accept_storage_ids?: string;
  presigned?: boolean;
};

export interface ObjectsRoutesDeps {
  objects: ObjectsService;
  paging: PagingSettings;
  publicUrl: string;
  presignExpirySeconds: number;
  mount: ApiMount;
}

/** What GET /objects/{objectId} is in each version: its query, answer and what 8.2 asks more. */
interface ObjectsApi {
  description: string;
  params: TSchema;
  querystring: TSchema;
  answer: TSchema;
  notFound: string;
  query(request: FastifyRequest, deps: ObjectsRoutesDeps): ObjectQueryV8 | undefined;
}

const OBJECTS_API: Record<ApiVersion, ObjectsApi> = {
  '7.0': {
    description:
      'Contains flows that references the media object and other information. Object ids containing `/` are percent-encoded in the path. The paging parameters apply to the list of Flows.',
    params: Type.Object({ objectId: Type.String({ description: 'The media object identifier.' }) }),
    querystring: Type.Object({ ...PagingQuery }),
    answer: MediaObject,
    notFound: 'The requested media object does not exist.',
    query: () => undefined,
  },
  '8.2': {
    description:
      "The Flows that reference the Object (paged; those of an init Object reference it through their Media Objects), what its first Flow Segment set (its `timerange`, `key_frame_count` and `init_object`), and its `get_urls`: the Storage Backend it was uploaded to, then its other instances (copies made with POST /objects/{objectId}/instances once they are ready, then uncontrolled URLs), filtered as a Flow Segment's. Object ids containing `/` are percent-encoded in the path. An Object allocated by `/storage` and not yet registered in a Flow Segment is a 404.",
    params: Type.Object({ objectId: Type.String({ description: 'The Object identifier.' }) }),
    querystring: ObjectQuery82,
    answer: MediaObjectV8,
    notFound:
      'The requested Media Object does not exist, or has not yet been registered with a Flow Segment.',
    query: (request, deps) => {
      const tags = tagFilters(request, '8.2', 'flow_tag');
      const filtered = Object.keys(tags.equals).length > 0 || Object.keys(tags.exists).length > 0;
      const filter = getUrlFilter82(request, request.query as ObjectQueryText);
      return {
        flowTags: filtered ? tags : undefined,
        urls: { filter, ctx: urlContext(request, deps.publicUrl, deps.presignExpirySeconds) },
      };
    },
  },
};

/** GET (and HEAD) `/objects/{objectId}` of the mount's version (ADR 0027; 8.2: ADR 0036, 0038, 0040). */
export async function objectsRoutes(app: App, deps: ObjectsRoutesDeps): Promise<void> {
  const v = OBJECTS_API[deps.mount.version];
  app.get(
    '/objects/:objectId',
    {
      schema: {
        operationId: 'GET_objects',
        summary: 'Media Object Information',
        description: v.description,
        tags: ['Objects'],
        params: v.params,
        querystring: v.querystring,
        response: {
          200: { ...ok(v.answer), headers: PagingHeaders },
          ...errors({ 400: 'Bad request. Invalid query options.', 404: v.notFound }),
        },
      },
    },
    async (request, reply) => {
      const query = request.query as { limit?: number; page?: string };
      const limit = effectiveLimit(query.limit, deps.paging);
      const { object, next } = await deps.objects.get(
        (request.params as { objectId: string }).objectId,
        decodePageKey(query.page, isUuid),
        limit,
        deps.mount.version,
        v.query(request, deps),
      );
      setPagingHeaders(request, reply, deps.publicUrl, limit, next);
      return object;
    },
  );
}
