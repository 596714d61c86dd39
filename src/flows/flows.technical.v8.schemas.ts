/**
 * TAMS 8.2's `flow-technical.json` and the single-essence format files built on it
 * (`flow-video.json`, `flow-audio.json`, `flow-image.json`, `flow-data.json`): a Flow's technical
 * characteristics, what a Profile's `flow_metadata` holds (ADR 0047) and what an 8.2 Flow is
 * besides `flow-common.json`. The essence parameters are 7.0's (flows.schemas.ts) with 8.2's
 * additions: `init_segments` (video, audio, data; ADR 0045) and, on video, `vfr` with
 * `frame_rate` required unless `vfr` is true (ADR 0041).
 *
 * 8.2 closes video essence parameters with `unevaluatedProperties: false`, which the server's
 * validator (draft-07) does not know: they are written with `additionalProperties: false`, the
 * same constraint here (the `if`/`then` adds no property).
 */

import type { Static } from 'typebox';
import { Type } from 'typebox';
import { describe, MimeType } from '../http/common.schemas.ts';
import {
  AudioEssenceParameters,
  DataEssenceParameters,
  FlowCoreProperties,
  ImageEssenceParameters,
  VideoEssenceParameters,
} from './flows.schemas.ts';

/** The properties of `flow-technical.json`. */
export const FlowTechnicalProperties = {
  codec: FlowCoreProperties.codec,
  container: FlowCoreProperties.container,
  avg_bit_rate: FlowCoreProperties.avg_bit_rate,
  segment_duration: FlowCoreProperties.segment_duration,
  container_mapping: FlowCoreProperties.container_mapping,
};

const initSegments = Type.Optional(
  Type.Boolean({
    description:
      'Whether the Flow makes use of initialisation segments. This parameter MUST be set to `true` if Media Objects have `init_object` populated. If set to `true`, all Media Objects MUST have `init_object` populated. Assume `false` if omitted.',
  }),
);

const formatOf = <F extends string>(urn: F) =>
  Type.Enum([urn], { type: 'string', description: 'The primary content type URN for the Flow.' });

export const VideoEssenceParametersV8 = Type.Object(
  {
    ...VideoEssenceParameters.properties,
    vfr: Type.Optional(
      Type.Boolean({
        default: false,
        description:
          'If `true`, the frame rate of the Flow is variable and `frame_rate` MUST NOT be set. If `false` or omitted, the frame rate of the Flow is fixed and `frame_rate` MUST be set.',
      }),
    ),
    init_segments: initSegments,
  },
  {
    title: 'Video Flow Essence Parameters',
    description: 'Describes the parameters of the essence inside this video Flow',
    additionalProperties: false,
    if: { properties: { vfr: { enum: [false, null] } } },
    // JSON Schema's `then`, never awaited: the schema is plain data.
    // biome-ignore lint/suspicious/noThenProperty: a JSON Schema keyword
    then: { required: ['frame_rate'] },
    else: { not: { required: ['frame_rate'] } },
  },
);

const codec = describe(
  MimeType,
  'A MIME type identification of the (lossy or lossless) coding used for the Flow content.',
);

export const FlowVideoV8 = Type.Object(
  {
    ...FlowTechnicalProperties,
    format: formatOf('urn:x-nmos:format:video'),
    codec,
    essence_parameters: VideoEssenceParametersV8,
  },
  { title: 'Video Flow', description: 'Describes a video Flow' },
);
export type FlowVideoV8 = Static<typeof FlowVideoV8>;

export const FlowAudioV8 = Type.Object(
  {
    ...FlowTechnicalProperties,
    format: formatOf('urn:x-nmos:format:audio'),
    codec,
    essence_parameters: Type.Object(
      { ...AudioEssenceParameters.properties, init_segments: initSegments },
      {
        title: 'Audio Flow Essence Parameters',
        description: 'Describes the parameters of the essence inside this audio Flow',
        additionalProperties: false,
      },
    ),
  },
  { title: 'Audio Flow', description: 'Describes an audio Flow' },
);
export type FlowAudioV8 = Static<typeof FlowAudioV8>;

export const FlowImageV8 = Type.Object(
  {
    ...FlowTechnicalProperties,
    format: formatOf('urn:x-tam:format:image'),
    codec,
    essence_parameters: ImageEssenceParameters,
  },
  { title: 'Image Flow', description: 'Describes a still image Flow, for use by thumbnail tracks etc' },
);
export type FlowImageV8 = Static<typeof FlowImageV8>;

export const FlowDataV8 = Type.Object(
  {
    ...FlowTechnicalProperties,
    format: formatOf('urn:x-nmos:format:data'),
    codec,
    essence_parameters: Type.Object(
      { ...DataEssenceParameters.properties, init_segments: initSegments },
      {
        title: 'Data Flow Essence Parameters',
        description: 'Describes the parameters of the essence inside this data Flow',
        additionalProperties: false,
      },
    ),
  },
  { title: 'Data Flow', description: 'Describes a data Flow' },
);
export type FlowDataV8 = Static<typeof FlowDataV8>;
