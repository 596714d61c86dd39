/** TAMS 8.2's `source.json`: 7.0's, with 8.2's tags (lists) and collection items (role optional). */

import { Type } from 'typebox';
import { CollectionItem82 } from '../http/common.v8.schemas.ts';
import { Tags82 } from '../http/tags.version.ts';
import { Source } from './sources.schemas.ts';

export const Source82 = Type.Object(
  {
    ...Source.properties,
    tags: Type.Optional(Tags82),
    source_collection: Type.Optional(
      Type.Array(CollectionItem82, {
        description:
          'List of Sources that are collected together by this Source. This attribute is intended to be read-only. Source collections are inferred from Flow collection definitions.',
      }),
    ),
  },
  {
    title: 'Source',
    description:
      'Describes a Source: an abstract representation of a piece of media as defined in <https://specs.amwa.tv/ms-04/releases/v1.0.0/docs/2.2._Explanation_-_Source.html>\n\nSources may be elemental (and represented directly by a Flow), or may represent a collection of other Sources, e.g. a Source collecting video and audio together.',
  },
);
