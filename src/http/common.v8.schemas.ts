/**
 * Building blocks of TAMS 8.2 that differ from 7.0's (common.schemas.ts): `collection-item.json`
 * (role optional), `mime-type.json` (stricter than 7.0's `codec` query pattern),
 * `content-format.json` (a URI) and `uuid-list-empty.json`. The same rule as 7.0's: `$ref`-free
 * for Fastify's Ajv; the OpenAPI document names the shared ones (src/app.openapi.ts).
 */

import { Type } from 'typebox';
import { CONTENT_FORMATS, describe, UUID_PATTERN, Uuid } from './common.schemas.ts';

export const CollectionItem82 = Type.Object(
  {
    id: describe(
      Uuid,
      'Source or Flow Identifier of the member of this collection. Sources MUST only collect Sources, and Flows MUST only collect Flows. Must already be registered in this service instance',
    ),
    role: Type.Optional(
      Type.String({
        description:
          'The purpose of this element in the collection, primarily intended to be human-readable.',
      }),
    ),
  },
  {
    title: 'Collection Item',
    description: 'Describes how an entity (Source or Flow) is collected into another entity of the same type',
  },
);

/** `mime-type.json`: a registered top-level type (or `x-…`) and a token subtype, no parameters. */
export const MimeType82 = Type.String({
  title: 'MIME Type',
  description:
    'A Mime Type without parameters as defined in [RFC2045](https://www.rfc-editor.org/rfc/rfc2045#section-5.1) and [RFC7231](https://www.rfc-editor.org/rfc/rfc7231#section-3.1.1.1)',
  pattern:
    "^(application|audio|font|example|image|message|model|multipart|text|video|x-(?:[0-9A-Za-z!#$%&'*+.^_`|~-]+))/([0-9A-Za-z!#$%&'*+.^_`|~-]+)$",
});

export const ContentFormat82 = Type.Enum(CONTENT_FORMATS, {
  type: 'string',
  format: 'uri',
  title: 'Content Format',
  description: 'Identifies the content format for a Flow or Source using a URN string',
});

const UUID = UUID_PATTERN.slice(1, -1);

/** `uuid-list-empty.json`: comma-separated UUIDs, or empty (ADR 0049's "collected by none"). */
export const UuidListEmpty = Type.String({
  title: 'Query String UUID list (optionally empty)',
  description:
    'A list of Universally Unique Identifiers (UUIDs) as defined in [RFC9562](https://www.rfc-editor.org/rfc/rfc9562), formatted for use in query string parameters, or an empty string. An empty value selects resources that are not in any collection.',
  pattern: `^((${UUID})(,${UUID})*)?$`,
});

/** The ids of a `uuid-list-empty.json` value: `[]` for the empty value. */
export function uuidList(value: string): string[] {
  return value === '' ? [] : value.split(',');
}
