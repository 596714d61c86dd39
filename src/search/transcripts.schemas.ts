import { Type } from 'typebox';
import { DateTime, describe, TimeRange, Uuid } from '../http/common.schemas.ts';

export const MAX_TRANSCRIPT_CUES = 100_000;

const Cue = Type.Object(
  {
    timerange: describe(TimeRange, "When the words are spoken, on the Flow's timeline: bounded, not empty."),
    text: Type.String({ minLength: 1, maxLength: 10_000 }),
    speaker: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    confidence: Type.Optional(
      Type.Number({ minimum: 0, maximum: 1, description: "The recogniser's confidence." }),
    ),
  },
  { additionalProperties: false },
);

export const TranscriptPost = Type.Object(
  {
    flow_id: describe(Uuid, 'The Flow the transcript is of: hits play from it.'),
    label: Type.Optional(Type.String({ maxLength: 200 })),
    language: Type.Optional(
      Type.String({ pattern: '^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$', description: 'BCP 47 language tag.' }),
    ),
    generator: Type.Optional(
      Type.String({ maxLength: 200, description: 'What made the transcript (an ASR system and version).' }),
    ),
    cues: Type.Array(Cue, { minItems: 1, maxItems: MAX_TRANSCRIPT_CUES }),
  },
  { additionalProperties: false },
);

export const Transcript = Type.Object({
  id: Uuid,
  flow_id: Uuid,
  status: Type.Enum(['STAGING', 'ACTIVE', 'ARCHIVED'], {
    description:
      'STAGING when posted (not searched); ACTIVE once published (searched; one per Flow); ARCHIVED when another version of the Flow was published.',
  }),
  label: Type.Optional(Type.String()),
  language: Type.Optional(Type.String()),
  generator: Type.Optional(Type.String()),
  cue_count: Type.Integer(),
  created: DateTime,
  created_by: Type.Optional(Type.String()),
  published: Type.Optional(DateTime),
  archived: Type.Optional(DateTime),
  cues: Type.Optional(Type.Array(Cue)),
});

export const TranscriptParams = Type.Object({ transcriptId: Uuid });
