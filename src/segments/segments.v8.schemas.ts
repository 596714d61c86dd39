/**
 * TAMS 8.2's segment schemas where they differ from 7.0's (segments.schemas.ts): the object's
 * timerange (ADR 0036) on answers and bodies, the sample counts deprecated, and the query
 * option asking for the object's timerange, storage-backend `tags` on verbose get_urls (ADR
 * 0055), and initialisation segments (ADR 0045): `init_object_id` in bodies, `init_object` in
 * answers.
 */

import type { Static } from 'typebox';
import { Type } from 'typebox';
import { describe, OneOf, TimeRange, Timestamp } from '../http/common.schemas.ts';
import { Tags82 } from '../http/tags.version.ts';
import { GetUrl } from './segments.schemas.ts';

const DEPRECATED_SAMPLES =
  'DEPRECATED: Use object_timerange instead - see ADR 0036. Service implementations SHOULD continue to store and return it if set.';

const OBJECT_TIMERANGE =
  "The timerange covering the sample timestamps embedded in or derived from the Media Object itself, on the Media Object's timeline.";

const segmentPropertiesV8 = {
  object_id: Type.String({ description: 'The object store identifier for the Media Object.' }),
  ts_offset: Type.Optional(
    describe(
      Timestamp,
      'The timestamp offset between the sample timestamps stored in the media file and the corresponding timestamp in the Segment, ie. ts_offset = segment ts - media object ts. Assumed to be 0:0 if not set.',
    ),
  ),
  timerange: describe(
    TimeRange,
    'The timerange for the samples contained in the Segment. The timerange start is always inclusive. Where temporal re-ordering is used, the timerange and samples refer to the presentation timeline.',
  ),
  last_duration: Type.Optional(
    describe(
      Timestamp,
      'The difference between the exclusive end of the `timerange` and the last sample timestamp. Cannot be negative.',
    ),
  ),
  sample_offset: Type.Optional(
    Type.Integer({
      deprecated: true,
      description: `The start of the Segment represented as a count of samples from the start of the Media Object. Assumed to be 0 if not set. ${DEPRECATED_SAMPLES}`,
    }),
  ),
  sample_count: Type.Optional(
    Type.Integer({
      deprecated: true,
      description: `The count of samples in the Segment (which may be fewer than in the Media Object). If not set, every sample from sample_offset onwards is used. ${DEPRECATED_SAMPLES}`,
    }),
  ),
  key_frame_count: Type.Optional(
    Type.Integer({
      description:
        'The number of key frames in the Media Object. This should be set greater than zero when the Media Object contains key frames that serve as a stream access point',
    }),
  ),
};

/** One 8.2 `get_urls` item: 7.0's, plus the storage backend's `tags` (ADR 0055; verbose items). */
export const GetUrlV8 = Type.Object(
  { ...GetUrl.properties, tags: Type.Optional(describe(Tags82, "The Storage Backend's tags.")) },
  { additionalProperties: false },
);
export type GetUrlV8 = Static<typeof GetUrlV8>;

/** 8.2's `init_object` of a Media Object (ADR 0045): the object holding its initialisation segment. */
export const InitObjectV8 = Type.Object(
  {
    object_id: Type.String({ description: 'The identifier of the initialisation Object.' }),
    get_urls: Type.Optional(Type.Array(GetUrlV8)),
  },
  {
    title: 'Initialisation Object',
    description:
      'The Object containing the initialisation segment required to decode the parent Media Object.',
    additionalProperties: false,
  },
);

/** 8.2 `flow-segment.json` as this server answers it. */
export const FlowSegmentV8 = Type.Object(
  {
    ...segmentPropertiesV8,
    object_timerange: Type.Optional(
      describe(TimeRange, `${OBJECT_TIMERANGE} Given with \`include_object_timerange=true\`.`),
    ),
    init_object: Type.Optional(InitObjectV8),
    get_urls: Type.Optional(
      Type.Array(GetUrlV8, {
        description:
          'A list of URLs to which a GET request can be made to directly retrieve the contents of the Media Object.',
      }),
    ),
  },
  {
    title: 'Flow Segment',
    description:
      'Provides the location and metadata of the media files corresponding to timerange segments of a Flow.',
  },
);
export type FlowSegmentV8 = Static<typeof FlowSegmentV8>;

/** A client-registered (uncontrolled) URL in an 8.2 segment POST: 8.2 requires its label (ADR 0042). */
export const GetUrlPostV8 = Type.Object({
  url: Type.String({
    description:
      'A URL to which a GET request can be made to directly retrieve the contents of the Media Object. Clients should include credentials if the provide URL is on the same origin as the API endpoint',
  }),
  label: Type.String({
    description:
      'Label identifying this URL. Labels associated with Storage Backends, and several `get_urls` with the same `label`, are rejected.',
  }),
});

/** 8.2 `flow-segment-post.json`. */
export const FlowSegmentPostV8 = Type.Object(
  {
    ...segmentPropertiesV8,
    object_id: Type.String({
      description:
        "The Object identifier for the Media Object. The `content-type` of the Media Object MUST match the `container` mime-type of the Flow: an Object's is the `container` of the Flow it was allocated for, and re-using it in a Flow of another `container` is rejected. Init Objects (`init_object_id` of other Flow Segments) are rejected.",
    }),
    object_timerange: Type.Optional(
      describe(
        TimeRange,
        `${OBJECT_TIMERANGE} If not given at first registration of an Object, defaults to \`timerange - ts_offset\` on the assumption that the Flow Segment uses the entire Media Object, and MUST be given when it does not. Leave it out when re-using an Object: a value other than the Object's is rejected.`,
      ),
    ),
    init_object_id: Type.Optional(
      Type.String({
        description:
          "The Object identifier of the initialisation segment Object required to decode the Media Object: an Object allocated for this Flow (with `content_type` where its type differs from the Flow's `container`), or an init Object already used, never a Media Object. Required for a new Object where the Flow's `essence_parameters.init_segments` is `true`, refused where it is not; leave it out when re-using an Object (another than the Object's is refused).",
      }),
    ),
    get_urls: Type.Optional(
      Type.Array(GetUrlPostV8, {
        description:
          '`get_urls` should only be used to add uncontrolled URLs. URLs controlled by the service instance are populated automatically. Only `http` and `https` URLs are taken (400 otherwise), on hosts the server admits (TAMS_CLIENT_URL_HOSTS_ALLOW, TAMS_CLIENT_URL_HOSTS_DENY).',
      }),
    ),
  },
  {
    title: 'Flow Segment Post',
    description:
      'Provides the location and metadata of the media files corresponding to timerange Segments of a Flow.',
  },
);
export type FlowSegmentPostV8 = Static<typeof FlowSegmentPostV8>;

/** The request body of 8.2's `POST /flows/{flowId}/segments`. */
export const FlowSegmentPostBodyV8 = OneOf([FlowSegmentPostV8, Type.Array(FlowSegmentPostV8)], {
  description: 'A single Flow Segment or an array of Flow Segments to register.',
});

/** 8.2's query option of `GET /flows/{flowId}/segments` asking for each object's timerange. */
export const IncludeObjectTimerangeQuery = {
  include_object_timerange: Type.Optional(
    Type.Boolean({
      description:
        "If set to `true`, the underlying object's timerange should appear in the response. Assume `false` if omitted.",
    }),
  ),
};
