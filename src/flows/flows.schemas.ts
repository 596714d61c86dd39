/**
 * `flow-core.json`, `flow-video.json`, `flow-audio.json`, `flow-image.json`, `flow-data.json`,
 * `flow-multi.json`, `flow.json` and `flow-collection.json`.
 *
 * The spec writes each format as `allOf: [flow-core, {format, essence_parameters, codec}]`. Neither
 * part forbids additional properties, so one object with the merged properties and the union of
 * the `required` lists accepts exactly the same documents, and documents better.
 */

import type { Static, TProperties, TSchema } from 'typebox';
import { Type } from 'typebox';
import {
  CollectionItemProperties,
  ContainerMapping,
  DateTime,
  describe,
  MimeType,
  OneOf,
  rational,
  rationalDefaultOne,
  Tags,
  TimeRange,
  Uuid,
} from '../http/common.schemas.ts';

const IGNORED_ON_PUT =
  'Implementations SHOULD ignore this if given in a PUT request, and instead manage it internally';

const principalDefault = (field: string) =>
  `Implementations SHOULD set suitable default values for \`${field}\` based on the principal accessing the system, and MAY permit clients to edit the value, subject to suitable permissions-based limitations.`;

const BIT_RATE_NOTE =
  'A precise definition can be found in the [Setting Flow Bit Rate Properties](https://github.com/bbc/tams/blob/main/docs/appnotes/0013-setting-flow-bit-rate-properties.md) AppNote.';

export const FlowCollectionItem = Type.Object(
  {
    ...CollectionItemProperties,
    container_mapping: Type.Optional(
      describe(
        ContainerMapping,
        "Describes the mapping of the Flow essence from this Flow collection's container",
      ),
    ),
  },
  {
    title: 'Flow Collection Item',
    description: 'Describes how a Flow is collected into another Flow',
  },
);
export type FlowCollectionItem = Static<typeof FlowCollectionItem>;

export const FlowCollection = Type.Array(FlowCollectionItem, {
  title: 'Flow Collection',
  description: 'List of Flows that are collected together by this Flow.',
});
export type FlowCollection = Static<typeof FlowCollection>;

/** How a version's spec writes a Flow in the descriptions of a format's schema. */
type FlowNoun = 'flow' | 'Flow';

const codecOf = (noun: FlowNoun) =>
  describe(
    MimeType,
    `A MIME type identification of the (lossy or lossless) coding used for the ${noun} content.`,
  );
const codec = codecOf('flow');

/** The properties of `flow-core.json`, shared by every Flow format. */
export const FlowCoreProperties = {
  id: describe(Uuid, 'Flow identifier'),
  source_id: describe(Uuid, 'Source identifier'),
  label: Type.Optional(Type.String({ description: 'Freeform string label for the flow' })),
  description: Type.Optional(Type.String({ description: 'Freeform text describing the flow' })),
  created_by: Type.Optional(
    Type.String({
      description: `A string identifier for the entity that created the flow. ${principalDefault('created_by')}`,
    }),
  ),
  updated_by: Type.Optional(
    Type.String({
      description: `A string identifier for the entity that updated the flow metadata most recently. ${principalDefault('updated_by')}`,
    }),
  ),
  tags: Type.Optional(Tags),
  metadata_version: Type.Optional(
    Type.String({
      description:
        'A change to the flow metadata, not including metadata_version, last_update or segments, results in a new version. If the metadata_version for flow instances is identical then the metadata is identical.',
    }),
  ),
  generation: Type.Optional(
    Type.Integer({
      description:
        'An indication of how many lossy encodings the flow content has been through. A flow with a higher generation may contain less of the original information than a flow with a lower generation.',
      minimum: 0,
    }),
  ),
  created: Type.Optional(
    describe(
      DateTime,
      `The date-time the flow was created in a given context, e.g. in the store. ${IGNORED_ON_PUT}`,
    ),
  ),
  metadata_updated: Type.Optional(
    describe(
      DateTime,
      `The date-time the flow metadata was updated in a given context, e.g. in the store. ${IGNORED_ON_PUT}`,
    ),
  ),
  segments_updated: Type.Optional(
    describe(
      DateTime,
      `The date-time the flow segments were updated in a given context, e.g. in the store. ${IGNORED_ON_PUT}`,
    ),
  ),
  read_only: Type.Optional(
    Type.Boolean({
      description:
        "If set to 'true', implementations SHOULD reject client requests to update Flow metadata (other than the read_only property), Flow Segments and media objects",
    }),
  ),
  codec: Type.Optional(codec),
  container: Type.Optional(describe(MimeType, 'The container MIME type for flow segments.')),
  avg_bit_rate: Type.Optional(
    Type.Integer({
      description: `The average bit rate of the flow segments in 1000 bits/second. ${BIT_RATE_NOTE}`,
      minimum: 0,
    }),
  ),
  max_bit_rate: Type.Optional(
    Type.Integer({
      description: `The maximum bit rate of the flow segments in 1000 bits/second. ${BIT_RATE_NOTE}`,
      minimum: 0,
    }),
  ),
  segment_duration: Type.Optional(
    rationalDefaultOne(
      'The target flow segment duration in seconds. The duration for each segment may vary around this target value. See also the Setting Flow Bit Rate Properties AppNote for how this property can be used to calculate buffer sizes.',
    ),
  ),
  timerange: Type.Optional(
    describe(TimeRange, 'The timerange of samples available in the flow, as described by the TimeRange type'),
  ),
  flow_collection: Type.Optional(FlowCollection),
  collected_by: Type.Optional(
    Type.Array(Uuid, {
      description: `Flows that reference this Flow to include it in a collection. This attribute is intended to be read-only. ${IGNORED_ON_PUT}`,
    }),
  ),
  container_mapping: Type.Optional(
    describe(ContainerMapping, "Describes the mapping of the Flow essence from the this Flow's container"),
  ),
};

export const FlowCore = Type.Object(FlowCoreProperties, {
  title: 'Flow Core',
  description: 'Describes a Flow (common properties to all Flows, imported by type-specific specifications)',
});
export type FlowCore = Static<typeof FlowCore>;

const formatOf = <F extends string>(urn: F, noun: FlowNoun = 'flow') =>
  Type.Enum([urn], { type: 'string', description: `The primary content type URN for the ${noun}.` });

/**
 * A single-essence Flow format (video, audio, image, data): `base` (7.0's flow-core.json, 8.2's
 * flow-technical.json), the format's URN, a codec and its essence parameters.
 */
export function essenceFlow<P extends TProperties, F extends string, E extends TSchema>(
  noun: FlowNoun,
  base: P,
  urn: F,
  essence: E,
  options: { title: string; description: string },
) {
  return Type.Object(
    { ...base, format: formatOf(urn, noun), codec: codecOf(noun), essence_parameters: essence },
    options,
  );
}

const positiveInteger = (description: string) => Type.Integer({ description, exclusiveMinimum: 0 });

const frameWidth = positiveInteger('The width of the picture in pixels.');
const frameHeight = positiveInteger('The height of the picture in pixels.');
const aspectRatio = rational('The display aspect ratio. i.e. display_width / display_height');

export const VideoEssenceParameters = Type.Object(
  {
    frame_rate: Type.Optional(
      rationalDefaultOne(
        'The fixed number of frames per second. If this parameter is unset, the frame_rate is either unknown or variable.',
      ),
    ),
    frame_width: frameWidth,
    frame_height: frameHeight,
    bit_depth: Type.Optional(
      positiveInteger(
        'The number of significant bits used to represent the video component sample. If codec is `video/raw`, bit_depth must be set.',
      ),
    ),
    interlace_mode: Type.Optional(
      Type.Enum(['progressive', 'interlaced_tff', 'interlaced_bff', 'interlaced_psf'], {
        type: 'string',
        description: 'Interlaced video mode for frames in this Flow',
      }),
    ),
    colorspace: Type.Optional(
      Type.Enum(['BT601', 'BT709', 'BT2020', 'BT2100'], {
        type: 'string',
        description: 'Colorspace used for the video',
      }),
    ),
    transfer_characteristic: Type.Optional(
      Type.Enum(['SDR', 'HLG', 'PQ'], { type: 'string', description: 'Transfer characteristic' }),
    ),
    aspect_ratio: Type.Optional(aspectRatio),
    pixel_aspect_ratio: Type.Optional(
      rational(
        'The pixel aspect ratio. This is usually 1:1 (i.e. square pixels) for modern video. Some, usually older, video formats use non-square pixels e.g. some Standard Definition video. This is where that may be indicated.',
      ),
    ),
    component_type: Type.Optional(
      Type.Enum(['YCbCr', 'RGB'], { type: 'string', description: 'Picture component representation.' }),
    ),
    horiz_chroma_subs: Type.Optional(
      positiveInteger(
        'Horizontal chroma component sub-sampling. When unc_type is set to a YUV type, horiz_chroma_subs must be set.',
      ),
    ),
    vert_chroma_subs: Type.Optional(
      positiveInteger(
        'Vertical chroma component sub-sampling. When unc_type is set to a YUV type, vert_chroma_subs must be set.',
      ),
    ),
    unc_parameters: Type.Optional(
      Type.Object(
        {
          unc_type: Type.Enum(
            [
              'planar',
              'YUYV',
              'UYVY',
              'AYUV',
              'v210',
              'v216',
              'RGB',
              'RGBx',
              'xRGB',
              'BGRx',
              'xBGR',
              'RGBA',
              'ARGB',
              'BGRA',
              'ABGR',
              'alpha',
            ],
            {
              type: 'string',
              description:
                'Uncompressed picture packing type. If codec is `video/raw`, unc_type must be set.',
            },
          ),
        },
        { title: 'Uncompressed Video Parameters' },
      ),
    ),
    avc_parameters: Type.Optional(
      Type.Object(
        {
          profile: Type.Integer({ description: 'AVC / H.264 profile byte (as used in codec strings).' }),
          level: Type.Integer({ description: 'AVC / H.264 level byte (as used in codec strings).' }),
          flags: Type.Integer({ description: 'AVC / H.264 flags byte (as used in codec strings).' }),
        },
        { title: 'AVC Codec Parameters' },
      ),
    ),
  },
  {
    title: 'Video Flow Essence Parameters',
    description: 'Describes the parameters of the essence inside this video Flow',
    additionalProperties: false,
  },
);

export const FlowVideo = essenceFlow(
  'flow',
  FlowCoreProperties,
  'urn:x-nmos:format:video',
  VideoEssenceParameters,
  {
    title: 'Video Flow',
    description: 'Describes a video Flow',
  },
);
export type FlowVideo = Static<typeof FlowVideo>;

export const AudioEssenceParameters = Type.Object(
  {
    sample_rate: positiveInteger('The fixed number of samples per second.'),
    channels: positiveInteger('The channel count.'),
    bit_depth: Type.Optional(
      positiveInteger(
        'The number of significant bits used to represent the audio sample. The minumum number of bytes then equals `round_up(bit_depth / 8)`. If codec is `audio/x-raw-int` bit_depth must be set. If codec is `audio/x-raw-float` bit_depth must be set to 32 or 64',
      ),
    ),
    codec_parameters: Type.Optional(
      Type.Object(
        {
          coded_frame_size: Type.Optional(
            Type.Integer({ description: 'The fixed number of samples per coded audio frame.' }),
          ),
          mp4_oti: Type.Optional(
            Type.Integer({
              description:
                'The MPEG-4 Object Type Identification. For more information on the use of this property in codec strings, see https://developer.mozilla.org/en-US/docs/Web/Media/Formats/codecs_parameter#mpeg-4_audio',
            }),
          ),
        },
        { title: 'Audio Codec Parameters' },
      ),
    ),
    unc_parameters: Type.Optional(
      Type.Object(
        {
          unc_type: Type.Enum(['interleaved', 'planar', 'pairs'], {
            type: 'string',
            description:
              'The uncompressed audio multi-channel representation type. If codec is `audio/x-raw-int` or `audio/x-raw-float`, unc_type must be set.',
          }),
        },
        { title: 'Uncompressed Audio Parameters' },
      ),
    ),
  },
  {
    title: 'Audio Flow Essence Parameters',
    description: 'Describes the parameters of the essence inside this audio Flow',
    additionalProperties: false,
  },
);

export const FlowAudio = essenceFlow(
  'flow',
  FlowCoreProperties,
  'urn:x-nmos:format:audio',
  AudioEssenceParameters,
  {
    title: 'Audio Flow',
    description: 'Describes an audio Flow',
  },
);
export type FlowAudio = Static<typeof FlowAudio>;

export const ImageEssenceParameters = Type.Object(
  {
    frame_width: frameWidth,
    frame_height: frameHeight,
    aspect_ratio: Type.Optional(aspectRatio),
  },
  {
    title: 'Image Flow Essence Parameters',
    description: 'Describes the parameters of the essence inside this image Flow',
    additionalProperties: false,
  },
);

export const FlowImage = essenceFlow(
  'flow',
  FlowCoreProperties,
  'urn:x-tam:format:image',
  ImageEssenceParameters,
  {
    title: 'Image Flow',
    description: 'Describes an still image Flow',
  },
);
export type FlowImage = Static<typeof FlowImage>;

export const DataEssenceParameters = Type.Object(
  {
    data_type: Type.Optional(
      Type.String({
        description:
          'The type of information encoded in the flow, identified using a URN. e.g. The data_type may be urn:x-tams:data:bounding-box, and the codec `application/json`.',
      }),
    ),
  },
  {
    title: 'Data Flow Essence Parameters',
    description: 'Describes the parameters of the essence inside this data Flow',
    additionalProperties: false,
  },
);

export const FlowData = essenceFlow(
  'flow',
  FlowCoreProperties,
  'urn:x-nmos:format:data',
  DataEssenceParameters,
  {
    title: 'Data Flow',
    description: 'Describes a data Flow',
  },
);
export type FlowData = Static<typeof FlowData>;

/** Multi-essence Flows need neither `codec` nor `essence_parameters` (they are not constrained either). */
export const FlowMulti = Type.Object(
  {
    ...FlowCoreProperties,
    format: formatOf('urn:x-nmos:format:multi'),
  },
  { title: 'Multi-essence Flow', description: 'Describes a multi-essence Flow' },
);
export type FlowMulti = Static<typeof FlowMulti>;

/** The `format` enums are disjoint, so at most one branch of the `oneOf` can ever match. */
export const Flow = OneOf([FlowVideo, FlowAudio, FlowImage, FlowData, FlowMulti], {
  type: 'object',
  title: 'Flow',
  description: 'Describes a Flow',
});
export type Flow = Static<typeof Flow>;
