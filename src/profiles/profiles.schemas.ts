/** TAMS 8.2's `profile.json` (ADR 0047, AppNote 0020). */

import type { Static } from 'typebox';
import { Type } from 'typebox';
import { FlowAudioV8, FlowDataV8, FlowImageV8, FlowVideoV8 } from '../flows/flows.technical.v8.schemas.ts';
import { DateTime, describe, OneOf, Uuid } from '../http/common.schemas.ts';
import { Tags82 } from '../http/tags.version.ts';

const TECHNICAL =
  'The technical characteristics of the Profile.  This section will be mapped directly to all flows created using this Profile.';

/** The `format` enums are disjoint, so at most one branch matches (and errors name that one). */
export const ProfileFlowMetadata = OneOf(
  [
    describe(FlowVideoV8, TECHNICAL),
    describe(FlowAudioV8, TECHNICAL),
    describe(FlowImageV8, TECHNICAL),
    describe(FlowDataV8, TECHNICAL),
  ],
  { type: 'object', description: TECHNICAL },
);
export type ProfileFlowMetadata = Static<typeof ProfileFlowMetadata>;

export const Profile = Type.Object(
  {
    id: describe(Uuid, 'Profile identifier.'),
    label: Type.Optional(Type.String({ description: 'Freeform string label for the Profile.' })),
    description: Type.Optional(Type.String({ description: 'Freeform text describing the Profile.' })),
    created_by: Type.Optional(
      Type.String({
        description:
          'A string identifier for the entity that created the Profile. Set to the caller when the request names none.',
      }),
    ),
    created: Type.Optional(
      describe(
        DateTime,
        'The date-time the Profile was created in this store. Ignored if given when creating a Profile: the store sets it.',
      ),
    ),
    tags: Type.Optional(
      describe(
        Tags82,
        'Key value is a freeform string.  As Profiles are considered immutable then this also applies to tags which cannot be updated after a Profile has been created.',
      ),
    ),
    flow_metadata: ProfileFlowMetadata,
  },
  { title: 'Profile', description: 'Describes a Profile' },
);
export type Profile = Static<typeof Profile>;
