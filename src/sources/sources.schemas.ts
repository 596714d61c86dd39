/** `source.json`. */

import type { Static } from 'typebox';
import { Type } from 'typebox';
import { CONTENT_FORMATS, CollectionItem, DateTime, describe, Tags, Uuid } from '../http/common.schemas.ts';

const IGNORED_ON_PUT =
  'Implementations SHOULD ignore this if given in a PUT request, and instead manage it internally';

const principalDefault = (field: string) =>
  `Implementations SHOULD set suitable default values for \`${field}\` based on the principal accessing the system, and MAY permit clients to edit the value, subject to suitable permissions-based limitations.`;

export const Source = Type.Object(
  {
    id: describe(Uuid, 'Source identifier'),
    format: Type.Enum(CONTENT_FORMATS, {
      type: 'string',
      format: 'uri',
      description: 'The primary content type URN for the Source.',
    }),
    label: Type.Optional(Type.String({ description: 'Freeform string label for the Source' })),
    description: Type.Optional(Type.String({ description: 'Freeform text describing the Source' })),
    created_by: Type.Optional(
      Type.String({
        description: `A string identifier for the entity that created the Source. ${principalDefault('created_by')}`,
      }),
    ),
    updated_by: Type.Optional(
      Type.String({
        description: `A string identifier for the entity that updated the Source metadata most recently. ${principalDefault('updated_by')}`,
      }),
    ),
    created: Type.Optional(
      describe(
        DateTime,
        `The date-time the Source was created in a given context, e.g. in the store. ${IGNORED_ON_PUT}`,
      ),
    ),
    updated: Type.Optional(
      describe(
        DateTime,
        `The date-time the Source metadata was last updated in a given context, e.g. in the store. ${IGNORED_ON_PUT}`,
      ),
    ),
    tags: Type.Optional(Tags),
    source_collection: Type.Optional(
      Type.Array(CollectionItem, {
        description: `List of Sources that are collected together by this Source. This attribute is intended to be read-only. ${IGNORED_ON_PUT}. Source collections can be inferred from Flow collection definitions.`,
      }),
    ),
    collected_by: Type.Optional(
      Type.Array(Uuid, {
        description: `Sources that reference this Source to include it in a collection. This attribute is intended to be read-only. ${IGNORED_ON_PUT}. Source collections can be inferred from Flow collection definitions.`,
      }),
    ),
  },
  {
    title: 'Source',
    description:
      'Describes a Source: an abstract representation of a piece of media as defined in <https://specs.amwa.tv/ms-04/releases/v1.0.0/docs/2.2._Explanation_-_Source.html>\n\nSources may be elemental (and represented directly by a Flow), or may represent a collection of other Sources, e.g. a Source collecting video and audio together.',
  },
);
export type Source = Static<typeof Source>;
