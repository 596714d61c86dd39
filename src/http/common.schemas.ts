/**
 * Building blocks shared by every TAMS area: the spec's `components.schemas` (uuid, contentformat,
 * mimetype), `timestamp.json`, `timerange.json`, `tags.json`, `error.json`, `collection-item.json`
 * and `container-mapping.json`, transcribed into TypeBox.
 *
 * The schemas are `$ref`-free so that Fastify's Ajv (draft-07) compiles them without a shared
 * registry; the OpenAPI document still names the shared ones and refers to them by `$ref`
 * (src/http/openapi.components.ts).
 */

import type { Static, TSchema, TSchemaOptions, TUnion, TUnsafe } from 'typebox';
import { Type } from 'typebox';
import { Memory } from 'typebox/system';

/**
 * Copies `schema` with a different `description`, keeping TypeBox's hidden markers (`~kind`,
 * `~optional`) that a plain object spread would drop. The spec repeats shared types with
 * property-specific descriptions; draft-07 ignores siblings of `$ref`, so only docs change.
 */
export function describe<T extends TSchema>(schema: T, description: string): T {
  return annotate(schema, { description });
}

/** Like `describe`, for any annotations (`description`, `default`, ...). */
export function annotate<T extends TSchema>(schema: T, annotations: TSchemaOptions): T {
  return Memory.Update(schema, {}, annotations) as T;
}

/**
 * A JSON Schema `oneOf`. TypeBox only emits `anyOf` for unions; the spec's `flow.json` and the
 * segments POST body say `oneOf`, and keeping the keyword makes the OpenAPI output match.
 */
export function OneOf<T extends TSchema[]>(
  types: [...T],
  options: TSchemaOptions = {},
): TUnsafe<Static<TUnion<T>>> {
  return Type.Unsafe<Static<TUnion<T>>>({ ...options, oneOf: types });
}

export const UUID_PATTERN = '^[0-9a-f]{8}-[0-9a-f]{4}-[1-5][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$';

/** Lower-case RFC 4122 UUID of version 1 to 5 only (a v7 or upper-case UUID is invalid). */
export const Uuid = Type.String({ title: 'UUID', pattern: UUID_PATTERN });
export type Uuid = Static<typeof Uuid>;

export const CONTENT_FORMATS = [
  'urn:x-nmos:format:video',
  'urn:x-tam:format:image',
  'urn:x-nmos:format:audio',
  'urn:x-nmos:format:data',
  'urn:x-nmos:format:multi',
] as const;

export const ContentFormat = Type.Enum(CONTENT_FORMATS, {
  type: 'string',
  title: 'Content Format',
  description: 'Identifies the content format for a flow or source using a URN string.',
});
export type ContentFormat = Static<typeof ContentFormat>;

/**
 * `components.schemas.mimetype`, used only by the `codec` query parameter. Flow bodies use the
 * stricter `MimeType` pattern of flow-core.json.
 */
export const MimeTypeQuery = Type.String({
  title: 'MIME Type',
  description: 'MIME Type string.',
  pattern: '.*/.*',
});

/** The `codec`/`container` pattern of flow-core.json: exactly one `/`, no whitespace. */
export const MimeType = Type.String({
  title: 'MIME Type',
  description: 'MIME Type string.',
  pattern: '^[^\\s/]+/[^\\s/]+$',
});
export type MimeType = Static<typeof MimeType>;

export const DateTime = Type.String({ format: 'date-time' });

export const TIMESTAMP_PATTERN = '^-?(0|[1-9][0-9]*):(0|[1-9][0-9]{0,8})$';

export const Timestamp = Type.String({
  title: 'Timestamp',
  description:
    'A signed nanosecond resolution timestamp represented as "{sign?}{seconds}:{nanoseconds}". E.g. "1:40000000" is the timestamp of the 27th video frame for 25 Hz video with origin at "0:0". See the Timestamps in TAMS application note (AppNote 0008).',
  pattern: TIMESTAMP_PATTERN,
});
export type Timestamp = Static<typeof Timestamp>;

export const TIMERANGE_PATTERN =
  '^(\\[|\\()?(-?(0|[1-9][0-9]*):(0|[1-9][0-9]{0,8}))?(_(-?(0|[1-9][0-9]*):(0|[1-9][0-9]{0,8}))?)?(\\]|\\))?$';

export const TimeRange = Type.String({
  title: 'TimeRange',
  description:
    'A timerange of timestamps, represented using one or two timestamps with inclusivity and exclusivity markers. E.g. `[0:0_10:0)` is 10 seconds starting at `0:0` and ending before `10:0`; `(5:0_` starts after `5:0` and runs to eternity; `[1694429247:0]` is instantaneous (equivalent to `[1694429247:0_1694429247:0]`); `_` is eternity and `()` is empty. `[`/`]` mark an inclusive bound, `(`/`)` an exclusive one. See the Timestamps in TAMS application note (AppNote 0008).',
  pattern: TIMERANGE_PATTERN,
});
export type TimeRange = Static<typeof TimeRange>;

/**
 * `tags.json`. Written with `additionalProperties` like the spec: `Type.Record` would emit
 * `patternProperties: {"^.*$": …}`, which leaves keys containing a line break unchecked.
 */
export const Tags = Type.Unsafe<Record<string, string>>({
  type: 'object',
  title: 'Tags',
  description: 'Key value is a freeform string.',
  additionalProperties: Type.String(),
});
export type Tags = Static<typeof Tags>;

/** `error.json`: the spec's error object (used inside deletion requests and bulk failures). */
export const ErrorInfo = Type.Object(
  {
    type: Type.String({ description: 'The error type name.' }),
    summary: Type.String({ description: 'Summary description of the error and causes.' }),
    traceback: Type.Optional(
      Type.Array(Type.String(), { description: 'Stack trace leading to error (as a list of strings)' }),
    ),
    time: Type.String({
      description: 'Time at which the error ocurred, to aid in log correlation',
      format: 'date-time',
    }),
  },
  { title: 'Error', description: 'Provides more information for the error status.' },
);
export type ErrorInfo = Static<typeof ErrorInfo>;

/**
 * Our error response body: `error.json` plus a human `message`. 7.0 declares no 4xx body, so this
 * is our choice; it stays valid against `error.json`, which allows extra properties.
 */
export const ErrorBody = Type.Object(
  {
    ...ErrorInfo.properties,
    message: Type.String({
      description: "The spec's description of this response status for the operation.",
    }),
  },
  { title: 'Error', description: 'Provides more information for the error status.' },
);
export type ErrorBody = Static<typeof ErrorBody>;

/** A positive integer fraction whose denominator may be omitted (frame_rate, segment_duration). */
export function rationalDefaultOne(description: string) {
  return Type.Object(
    {
      numerator: Type.Integer({ description: 'numerator', exclusiveMinimum: 0 }),
      denominator: Type.Optional(
        Type.Integer({ description: 'denominator', default: 1, exclusiveMinimum: 0 }),
      ),
    },
    { description },
  );
}

/** A positive integer fraction with both parts required (aspect ratios). */
export function rational(description: string) {
  return Type.Object(
    {
      numerator: Type.Integer({ description: 'numerator', exclusiveMinimum: 0 }),
      denominator: Type.Integer({ description: 'denominator', exclusiveMinimum: 0 }),
    },
    { description },
  );
}

export const CollectionItemProperties = {
  id: describe(
    Uuid,
    'Source or Flow Identifier of the member of this collection. Sources must only collect Sources, and Flows must only collect Flows. Must already be registered in TAMS',
  ),
  role: Type.String({
    description:
      "A human-readable role of the element in this collection (e.g. 'R' to denote a right audio channel in a collection of mono audio Sources)",
  }),
};

export const CollectionItem = Type.Object(CollectionItemProperties, {
  title: 'Collection Item',
  description: 'Describes how an object (Source or Flow) is collected into another object of the same type',
});
export type CollectionItem = Static<typeof CollectionItem>;

export const ContainerMapping = Type.Object(
  {
    track_index: Type.Optional(
      Type.Integer({
        description:
          'A zero-based and sequential track index in the container. This assumes a reliable ordering of tracks',
        minimum: 0,
      }),
    ),
    format_track_index: Type.Optional(
      Type.Integer({
        description:
          'A zero-based and sequential track index in the container for a particular Flow format. A container with a video and 2 audio tracks would have a format_track_index 0 for the video Flow and format_track_index 0 and 1 for the audio Flows. This assumes a reliable ordering of tracks for each Flow format',
        minimum: 0,
      }),
    ),
    audio_track: Type.Optional(
      Type.Object(
        {
          channel_numbers: Type.Optional(
            Type.Array(Type.Integer({ minimum: 0 }), {
              description: 'Array of (zero-based) container channel numbers in Flow order',
              minItems: 1,
            }),
          ),
          channel_range: Type.Optional(
            Type.String({
              description: 'Inclusive range of (zero-based) container channel numbers',
              pattern: '^[0-9]+_[0-9]+$',
            }),
          ),
        },
        { description: 'Mapping for channels in audio tracks to the Flow channels' },
      ),
    ),
    mp2ts_container: Type.Optional(
      Type.Object(
        {
          pid: Type.Optional(
            Type.Integer({ description: 'The packet ID for the elementary stream packets' }),
          ),
        },
        {
          description:
            'Mapping to MPEG-2 Transport Stream containers, ISO/IEC 13818-1 or ITU-T Recommendation H.222.0',
        },
      ),
    ),
    mxf_container: Type.Optional(
      Type.Object(
        {
          package_uid: Type.Optional(
            Type.String({
              description: 'The package UID. Either a SMPTE UMID URN or UUID URN',
              pattern:
                '^urn:smpte:umid:[0-9a-fA-F]{8}(.[0-9a-fA-F]{8}){7}$|^urn:uuid:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$',
            }),
          ),
          track_id: Type.Optional(Type.Integer({ description: 'The track ID in the package' })),
        },
        { description: 'Mapping to Material Exchange Format containers, SMPTE ST 377-1' },
      ),
    ),
    isobmff_container: Type.Optional(
      Type.Object(
        { track_id: Type.Optional(Type.Integer({ description: 'The track ID' })) },
        {
          description:
            'Mapping to ISO Base Media File Format (e.g. MP4 and MOV) containers, ISO/IEC 14496-12',
        },
      ),
    ),
  },
  {
    title: 'Container Mapping',
    description: 'Defines the location of Flow essence data in a container track',
  },
);
export type ContainerMapping = Static<typeof ContainerMapping>;
