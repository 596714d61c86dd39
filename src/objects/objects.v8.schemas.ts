/**
 * TAMS 8.2's `object.json`: 7.0's (objects.schemas.ts) plus the properties its first segment set
 * (ADR 0036, 0038), and its `init_object` (ADR 0045). `get_urls` is in the schema as 8.2 has it;
 * this server gives it with the object instances (a later change). 8.2 closes the object
 * (`unevaluatedProperties: false`); so does this schema.
 */
import type { Static } from 'typebox';
import { Type } from 'typebox';
import { describe, TimeRange, Uuid } from '../http/common.schemas.ts';
import { GetUrlV8 } from '../segments/segments.v8.schemas.ts';

export const MediaObjectV8 = Type.Object(
  {
    id: Type.String({ description: 'The Object identifier.' }),
    referenced_by_flows: Type.Array(Uuid, {
      description: 'List of Flows that reference this Object via Flow Segments in this store instance.',
    }),
    first_referenced_by_flow: Type.Optional(
      describe(
        Uuid,
        "The first Flow that had a Flow Segment reference the Object in this store instance. This Flow is also present in 'referenced_by_flows' if it is still referenced by the Flow. It becomes unset when that Flow no longer references the Object.",
      ),
    ),
    timerange: Type.Optional(
      describe(
        TimeRange,
        "The timerange covering the sample timestamps embedded in or derived from the Object itself, on the Media Object's timeline: set by its first Flow Segment (`object_timerange`, else its `timerange - ts_offset`). Set for every Object that contains media.",
      ),
    ),
    key_frame_count: Type.Optional(
      Type.Integer({
        description:
          'The number of key frames in the Media Object, as its first Flow Segment gave it. This should be set greater than zero when the Media Object contains key frames that serve as a stream access point',
      }),
    ),
    init_object: Type.Optional(
      Type.Object(
        {
          id: Type.String({ description: 'The identifier of the initialisation Object.' }),
          get_urls: Type.Optional(Type.Array(GetUrlV8)),
        },
        {
          title: 'Initialisation Object',
          description:
            'The Object containing the initialisation segment required to decode the parent Media Object.',
          additionalProperties: false,
        },
      ),
    ),
    get_urls: Type.Optional(
      Type.Array(GetUrlV8, {
        description:
          'A list of URLs to which a GET request can be made to directly retrieve the contents of the Media Object.',
      }),
    ),
  },
  { title: 'Object', description: 'Describes a media object in the store.', additionalProperties: false },
);
export type MediaObjectV8 = Static<typeof MediaObjectV8>;
