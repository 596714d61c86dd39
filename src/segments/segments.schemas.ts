/** `flow-segment.json` (GET), `flow-segment-post.json`, `flow-segment-bulk-failure.json`. */

import type { Static } from 'typebox';
import { Type } from 'typebox';
import { describe, ErrorInfo, OneOf, TimeRange, Timestamp, Uuid } from '../http/common.schemas.ts';
import { StorageBackendProperties } from '../service/service.schemas.ts';

const url = Type.String({
  description:
    'A URL to which a GET request can be made to directly retrieve the contents of the segment. Clients should include credentials if the provide URL is on the same origin as the API endpoint',
});

/**
 * One `get_urls` item of a segment as returned. The spec writes it as `allOf` of storage-backend.json
 * and the URL properties with `unevaluatedProperties: false`. Fastify's Ajv runs draft-07, which has
 * no `unevaluatedProperties`; since neither `allOf` part has conditional or pattern properties, the
 * properties it evaluates are always the union of both lists, so one object with all of them and
 * `additionalProperties: false` rejects exactly the same documents.
 */
export const GetUrl = Type.Object(
  {
    ...StorageBackendProperties,
    storage_id: Type.Optional(describe(Uuid, 'Storage backend identifier')),
    url,
    presigned: Type.Optional(
      Type.Boolean({
        description:
          'If `true`, this URL is pre-signed. If this parameter is unset, the URL is NOT pre-signed.',
      }),
    ),
    label: Type.Optional(
      Type.String({
        description:
          "Label identifying this URL. If the URL is controlled by the service instance, this is the Storage Backend's label. If the URL is uncontrolled, this is the label provided when a client registered the URL. If the 'label' is not set then this URL can't be filtered for using the 'accept_get_urls' API query parameter.",
      }),
    ),
    controlled: Type.Optional(
      Type.Boolean({
        description:
          "If `true`, this URL is on a storage backend controlled by this service instance. If `false`, this URL is uncontrolled and does not have it's lifecycle managed by this instance. If this parameter is unset, assume `true`.",
      }),
    ),
  },
  { additionalProperties: false },
);
export type GetUrl = Static<typeof GetUrl>;

/** A client-registered (uncontrolled) URL in a segment POST; extra properties are allowed there. */
export const GetUrlPost = Type.Object({
  url,
  label: Type.Optional(
    Type.String({
      description:
        "Label identifying this URL. Service implementations should reject any requests using labels that are already associated with Storage Backends. If the 'label' is not set then this URL can't be filtered for using the 'accept_get_urls' API query parameter.",
    }),
  ),
});
export type GetUrlPost = Static<typeof GetUrlPost>;

// 7.0 says `ts_offset` "cannot be negative", yet its schema (the Timestamp pattern) admits a sign.
// We keep the schema: 8.0 made negative offsets legal and real clients (simple_edit.py) compute them.
const segmentProperties = {
  object_id: Type.String({ description: 'The object store identifier for the media object.' }),
  ts_offset: Type.Optional(
    describe(
      Timestamp,
      'The timestamp offset between the sample timestamps stored in the media file and the corresponding timestamp in the segment, ie. ts_offset = segment ts - media object ts. Assumed to be 0:0 if not set. Format as described by the Timestamp type, but cannot be negative',
    ),
  ),
  timerange: describe(
    TimeRange,
    "The timerange for the samples contained in the segment. The timerange start is always inclusive. If samples have a duration then the timerange end is exclusive and covers at least the duration of the last sample. The exclusive timerange end will typically be set to the timestamp of the next sample. If the samples don't have a duration then the timerange end is inclusive. Note that where temporal re-ordering is used, the timerange and samples refers to the presentation timeline.",
  ),
  last_duration: Type.Optional(
    describe(
      Timestamp,
      'The difference between the exclusive end of the `timerange` and the last sample timestamp. Format as described by the Timestamp type, but cannot be negative',
    ),
  ),
  sample_offset: Type.Optional(
    Type.Integer({
      description:
        'The start of the segment represented as a count of samples from the start of the object. Note that a sample is a video frame or audio sample. A (coded) audio frame has multiple audio samples. Assumed to be 0 if not set.',
    }),
  ),
  sample_count: Type.Optional(
    Type.Integer({
      description:
        'The count of samples in the segment (which may be fewer than in the object). The count could be less than expected given the segment duration and rate if there are gaps. If not set, every sample from sample_offset onwards is used. Note that a sample is a video frame or audio sample. A (coded) audio frame has multiple audio samples',
    }),
  ),
  key_frame_count: Type.Optional(
    Type.Integer({
      description:
        'The number of key frames in the segment. This should be set greater than zero when the segment contains key frames that serve as a stream access point',
    }),
  ),
};

const SEGMENT_DESCRIPTION =
  'Provides the location and metadata of the media files corresponding to timerange segments of a Flow.';

export const FlowSegment = Type.Object(
  {
    ...segmentProperties,
    get_urls: Type.Optional(
      Type.Array(GetUrl, {
        description:
          'A list of URLs to which a GET request can be made to directly retrieve the contents of the segment. This is required by the `http_object_store` media store type, which is the only one currently described. Clients may choose any URL in the list and treat the content returned as identical, however servers may sort the list such that the preferred URL is first. Storage backend metadata for controlled URLs should be populated by the TAMS instance based on the storage backend the object copy resides in.',
      }),
    ),
  },
  { title: 'Flow Segment', description: SEGMENT_DESCRIPTION },
);
export type FlowSegment = Static<typeof FlowSegment>;

export const FlowSegmentPost = Type.Object(
  {
    ...segmentProperties,
    get_urls: Type.Optional(
      Type.Array(GetUrlPost, {
        description:
          'A list of URLs to which a GET request can be made to directly retrieve the contents of the segment. `get_urls` should only be used to add uncontrolled URLs. URLs for the provided object_id controlled by the service instance will be populated automatically by the service instance. Only `http` and `https` URLs are taken (400 otherwise), on hosts the server admits (TAMS_CLIENT_URL_HOSTS_ALLOW, TAMS_CLIENT_URL_HOSTS_DENY).',
      }),
    ),
  },
  { title: 'Flow Segment', description: SEGMENT_DESCRIPTION },
);
export type FlowSegmentPost = Static<typeof FlowSegmentPost>;

/** The request body of `POST /flows/{flowId}/segments`: one segment or an array of them. */
export const FlowSegmentPostBody = OneOf([FlowSegmentPost, Type.Array(FlowSegmentPost)], {
  description: 'A single Flow Segment or an array of Flow Segments to register.',
});
export type FlowSegmentPostBody = Static<typeof FlowSegmentPostBody>;

export const FlowSegmentBulkFailure = Type.Object(
  {
    failed_segments: Type.Array(
      Type.Object(
        {
          object_id: Type.String({
            description: 'The object ID of the segment which has failed to register with the TAMS API',
          }),
          timerange: Type.Optional(describe(TimeRange, 'The timerange of segment that has failed')),
          error: Type.Optional(ErrorInfo),
        },
        { description: 'Failed segment details' },
      ),
      { description: 'The list of segments which have failed to register with the TAMS API' },
    ),
  },
  { title: 'Failed segments', description: 'List of segments that have failed to register' },
);
export type FlowSegmentBulkFailure = Static<typeof FlowSegmentBulkFailure>;
