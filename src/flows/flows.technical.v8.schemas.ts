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

import type { Static, TObject, TProperties } from 'typebox';
import { Type } from 'typebox';
import {
  AudioEssenceParameters,
  DataEssenceParameters,
  essenceFlow,
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

/** 7.0's essence parameters with 8.2's `init_segments`, closed as 7.0's are. */
function withInitSegments<P extends TProperties>(
  essence: TObject<P> & { title?: string; description?: string },
) {
  const { title, description } = essence;
  return Type.Object(
    { ...essence.properties, init_segments: initSegments },
    { title, description, additionalProperties: false },
  );
}

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

export const FlowVideoV8 = essenceFlow(
  'Flow',
  FlowTechnicalProperties,
  'urn:x-nmos:format:video',
  VideoEssenceParametersV8,
  { title: 'Video Flow', description: 'Describes a video Flow' },
);
export type FlowVideoV8 = Static<typeof FlowVideoV8>;

export const FlowAudioV8 = essenceFlow(
  'Flow',
  FlowTechnicalProperties,
  'urn:x-nmos:format:audio',
  withInitSegments(AudioEssenceParameters),
  { title: 'Audio Flow', description: 'Describes an audio Flow' },
);
export type FlowAudioV8 = Static<typeof FlowAudioV8>;

export const FlowImageV8 = essenceFlow(
  'Flow',
  FlowTechnicalProperties,
  'urn:x-tam:format:image',
  ImageEssenceParameters,
  { title: 'Image Flow', description: 'Describes a still image Flow, for use by thumbnail tracks etc' },
);
export type FlowImageV8 = Static<typeof FlowImageV8>;

export const FlowDataV8 = essenceFlow(
  'Flow',
  FlowTechnicalProperties,
  'urn:x-nmos:format:data',
  withInitSegments(DataEssenceParameters),
  { title: 'Data Flow', description: 'Describes a data Flow' },
);
export type FlowDataV8 = Static<typeof FlowDataV8>;
