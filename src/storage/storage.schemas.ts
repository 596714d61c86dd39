/** `flow-storage-post.json`, `flow-storage.json`, `http-request.json`. */

import type { Static } from 'typebox';
import { Type } from 'typebox';
import { describe, Uuid } from '../http/common.schemas.ts';

/**
 * The body of `POST /flows/{flowId}/storage` (itself optional). `limit` and `object_ids` are
 * mutually exclusive: the spec says `not: {allOf: [{required: [limit]}, {required: [object_ids]}]}`.
 * Ours is `not: <an object having both>`, which rejects the same documents, and also passes Ajv's
 * strict mode (`strictRequired` wants required properties declared next to `required`). The
 * static type cannot say "not both"; the validator enforces it.
 */
export const FlowStoragePost = Type.Object(
  {
    limit: Type.Optional(
      Type.Integer({
        description:
          'Limit the number of storage segments in each response page. Implementations may specify their own default and maximum for the limit',
      }),
    ),
    object_ids: Type.Optional(
      Type.Array(Type.String(), {
        description:
          'Array of object_ids to use. The supplied object_ids must be new and not already in use in this store. A 400 response will be returned if any supplied object_id already exists.',
      }),
    ),
    storage_id: Type.Optional(
      describe(
        Uuid,
        'The storage backend to allocate storage in. A storage backend identifier as advertised at the `/service` endpoint. If not set the default, as advertised at the `/service` endpoint, will be used if available. An invalid storage backend identifier will result in a 400 error.',
      ),
    ),
  },
  {
    title: 'Flow Storage Post',
    description: 'Post data for the flow storage endpoint',
    not: Type.Object({ limit: Type.Unknown(), object_ids: Type.Unknown() }),
  },
);
export type FlowStoragePost = Static<typeof FlowStoragePost>;

export const HttpRequest = Type.Object(
  {
    url: Type.String({ description: 'The URL to make the request to' }),
    body: Type.Optional(
      Type.String({ description: 'The text of the body which needs to be included in the request' }),
    ),
    'content-type': Type.Optional(Type.String({ description: 'The content type which must be used' })),
    headers: Type.Optional(
      Type.Unsafe<Record<string, string>>({
        type: 'object',
        description: 'Additional headers that should be included',
        additionalProperties: Type.String(),
      }),
    ),
  },
  {
    title: 'HTTP Request',
    description: 'Gives information on a particular http request a client should perform',
    additionalProperties: true,
  },
);
export type HttpRequest = Static<typeof HttpRequest>;

export const FlowStoragePreAction = Type.Object(
  {
    action: Type.Enum(['create_bucket'], { type: 'string' }),
    bucket_id: Type.Optional(Type.String({ description: 'The name of the bucket that needs to be created' })),
    put_url: Type.Optional(HttpRequest),
    put_cors_url: Type.Optional(HttpRequest),
  },
  { description: 'An action' },
);
export type FlowStoragePreAction = Static<typeof FlowStoragePreAction>;

export const FlowStorageMediaObject = Type.Object(
  {
    object_id: Type.String({ description: 'The object store identifier for the media object.' }),
    put_url: HttpRequest,
    put_cors_url: Type.Optional(HttpRequest),
  },
  { description: 'Information for a media object' },
);
export type FlowStorageMediaObject = Static<typeof FlowStorageMediaObject>;

export const FlowStorage = Type.Object(
  {
    pre: Type.Optional(
      Type.Array(FlowStoragePreAction, {
        description: 'Actions that need to be taken before the media object can be written',
      }),
    ),
    media_objects: Type.Optional(
      Type.Array(FlowStorageMediaObject, {
        description: 'List of information for identifying and uploading media objects',
      }),
    ),
  },
  {
    title: 'Media Bucket Object Store',
    description:
      'Gives information on storage for media objects. This schema is for the `http_object_store` media store type which provides URLs for storing media objects in bucket, and is the only store type currently implemented.',
    additionalProperties: false,
  },
);
export type FlowStorage = Static<typeof FlowStorage>;
