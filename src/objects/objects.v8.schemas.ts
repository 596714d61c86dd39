/**
 * TAMS 8.2's `object.json`: 7.0's (objects.schemas.ts) plus the properties its first segment set
 * (ADR 0036), its `get_urls` (ADR 0038: its storage's, its copies', its clients'), and its
 * `init_object` (ADR 0045). 8.2 closes the object (`unevaluatedProperties: false`); so does this
 * schema. Also the request schemas of `/objects/{objectId}/instances`.
 */
import type { Static } from 'typebox';
import { Type } from 'typebox';
import { describe, OneOf, TimeRange, Uuid } from '../http/common.schemas.ts';
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

/** The body of POST `/objects/{objectId}/instances` (8.2 `objects-instances-post.json`). */
export const InstancePostBody = OneOf(
  [
    Type.Object(
      { storage_id: describe(Uuid, 'Storage backend identifier') },
      {
        title: 'Controlled instance',
        description:
          "Request the duplication of a Object instance to a new Storage Backend, via it's `storage_id`.",
      },
    ),
    Type.Object(
      {
        url: Type.String({
          description:
            'A URL to which a GET request can be made to directly retrieve the contents of the Object. Clients should include credentials if the provide URL is on the same origin as the API endpoint. Only `http` and `https` URLs are taken (400 otherwise), on hosts the server admits (TAMS_CLIENT_URL_HOSTS_ALLOW, TAMS_CLIENT_URL_HOSTS_DENY).',
        }),
        label: Type.String({
          description:
            'Label identifying this Object instance. Labels of Storage Backends are refused, and so is a label the Object has for another URL.',
        }),
      },
      {
        title: 'Uncontrolled instance',
        description: 'Register an uncontrolled Object instance via its `url`.',
      },
    ),
  ],
  // `type` as 8.2 has it beside its oneOf.
  { type: 'object', title: 'Object registration', description: 'Register a Object instance in the store.' },
);

/** The query of DELETE `/objects/{objectId}/instances`: one of the two names the instance. */
export const InstanceDeleteQuery = Type.Object({
  storage_id: Type.Optional(
    Type.String({ description: 'The storage_id identifying the Object instance to be deleted.' }),
  ),
  label: Type.Optional(
    Type.String({ description: 'The label identifying the Object instance to be deleted.' }),
  ),
});
