/**
 * TAMS 8.2's `flow-storage-post.json` and `flow-storage.json` where they differ from 7.0's
 * (storage.schemas.ts): the body adds `content_type` (initialisation segments, ADR 0045) and
 * `presigned` (ADR 0054); the answer has no `pre` and no `put_cors_url` (ADR 0039), and says of
 * each `put_url` whether it is presigned.
 */

import type { Static } from 'typebox';
import { Type } from 'typebox';
import { describe } from '../http/common.schemas.ts';
import { MimeType82 } from '../http/common.v8.schemas.ts';
import { FlowStoragePost, HttpRequest } from './storage.schemas.ts';

/** 7.0's body (storage.schemas.ts, `limit` and `object_ids` mutually exclusive) and 8.2's two. */
export const FlowStoragePost82 = Type.Object(
  {
    ...FlowStoragePost.properties,
    content_type: Type.Optional(
      describe(
        MimeType82,
        'The `content_type` to use for the Objects: only where requesting storage for the initialisation segments of a Flow whose `essence_parameters.init_segments` is `true` (400 otherwise), whose mime-type differs from the `container` of its media segments. Assumed to be the `container` of the Flow if not set.',
      ),
    ),
    presigned: Type.Optional(
      Type.Boolean({
        description:
          'If `true` (the default of this service), the `put_url`s are presigned. If `false`, they are not: a URL of this service (the local media directory) takes the API credentials; a URL of an S3 bucket takes S3 credentials of your own.',
      }),
    ),
  },
  {
    title: 'Flow Storage Post',
    description: 'Post data for the Flow storage endpoint',
    not: Type.Object({ limit: Type.Unknown(), object_ids: Type.Unknown() }),
  },
);
export type FlowStoragePost82 = Static<typeof FlowStoragePost82>;

export const FlowStorageMediaObject82 = Type.Object(
  {
    object_id: Type.String({ description: 'The object store identifier for the Object.' }),
    put_url: HttpRequest,
    presigned: Type.Optional(
      Type.Boolean({
        description:
          'If `true`, this URL is pre-signed, and stays valid for `min_presigned_url_timeout` (/service). If this parameter is unset, the URL is NOT pre-signed.',
      }),
    ),
  },
  { description: 'Information for a Object' },
);

export const FlowStorage82 = Type.Object(
  {
    media_objects: Type.Optional(
      Type.Array(FlowStorageMediaObject82, {
        description: 'List of information for identifying and uploading Objects',
      }),
    ),
  },
  {
    title: 'Media Bucket Object Store',
    description:
      'Gives information on storage for Objects. This schema is for the `http_object_store` Storage Backend type which provides URLs for storing Objects in object store buckets, and is the only Storage Backend type currently implemented.',
    additionalProperties: false,
  },
);
export type FlowStorage82 = Static<typeof FlowStorage82>;
