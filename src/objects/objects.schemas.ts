/** `object.json`. */

import type { Static } from 'typebox';
import { Type } from 'typebox';
import { describe, Uuid } from '../http/common.schemas.ts';

// Object ids are free strings (the spec's own examples contain `/`), unlike Flow and Source ids.
export const MediaObject = Type.Object(
  {
    id: Type.String({ description: 'The media object identifier.' }),
    referenced_by_flows: Type.Array(Uuid, {
      description: 'List of Flows that reference this media object via Flow Segments in this store.',
    }),
    first_referenced_by_flow: Type.Optional(
      describe(
        Uuid,
        "The first Flow that had a Flow Segment reference the media object in this store. This Flow is also present in 'referenced_by_flows' if it is still referenced by the Flow. This property is optional and may in some implementations become unset if the Flow no longer references the media object, e.g. because it was deleted.",
      ),
    ),
  },
  { title: 'Object', description: 'Describes a media object in the store.' },
);
export type MediaObject = Static<typeof MediaObject>;
