import { Type } from 'typebox';
import { BadRequestError } from '../common/errors.ts';
import type { ApiVersion } from './api.version.ts';

/**
 * Tags per TAMS version (docs/api-versions.md): 8.2 tag values are a string or a list of strings
 * (ADR 0040); 7.0 has strings only, and sees no list-valued tag.
 *
 * The tag filters of listings are query parameters named `tag.{name}` and `tag_exists.{name}`
 * (or with another prefix: 8.2's `flow_tag.*` on objects, `storage_backend_tag.*` on segments,
 * `tag.*` on webhooks and storage backends): their names are data, so they are read from the
 * whole query. Literal entries document them in OpenAPI; pattern entries are what validates them.
 */

/** A tag value as 8.2 writes it: `oneOf [string, string[]]` (the tag property endpoints). */
export const TagValue82 = Type.Unsafe<string | string[]>({
  oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
});

/**
 * 8.2's `tags.json`: string or list values (`[]` included). `additionalProperties` as the 7.0
 * schema (common.schemas.ts) writes it.
 */
export const Tags82 = Type.Unsafe<Record<string, string | string[]>>({
  type: 'object',
  title: 'Tags',
  description: 'Key is a freeform string. Value is a freeform string, or an array of freeform strings.',
  additionalProperties: {
    anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
  },
});

/** Tags as `version` shows them: 7.0 leaves list-valued tags out (lists are copied). */
export function tagsDocument(
  tags: Readonly<Record<string, string | readonly string[]>>,
  version: ApiVersion,
): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(tags)) {
    if (typeof value === 'string') out[name] = value;
    else if (version !== '7.0') out[name] = [...value];
  }
  return out;
}

/** The value of tag `name` as `version` sees it: undefined when absent, or a list seen by 7.0. */
export function visibleTag<V extends string | readonly string[]>(
  tags: Readonly<Record<string, V>>,
  name: string,
  version: ApiVersion,
): V | undefined {
  if (!Object.hasOwn(tags, name)) return undefined;
  const value = tags[name] as V;
  return version === '7.0' && typeof value !== 'string' ? undefined : value;
}

/** The tag filters of a listing query (the store's TagFilters has this shape). */
export interface TagFilters {
  /** tag.{name}: the tag holds one of these values (a string equal to one, or a list with one). */
  equals: Record<string, readonly string[]>;
  /** tag_exists.{name}=true|false. */
  exists: Record<string, boolean>;
  /** Only string-valued tags count (7.0 has no list-valued tags). */
  stringsOnly?: boolean;
}

/** TAMS 7.0's `tag.{name}` and `tag_exists.{name}` (the 7.0 OpenAPI document's text). */
export const TagQuery = {
  properties: {
    'tag.{name}': Type.Optional(
      Type.String({
        description:
          'Filter on resources that have a tag named {name} and with the given value. The {name} could contain escaped characters to allow it to be used in a URL.',
      }),
    ),
    'tag_exists.{name}': Type.Optional(
      Type.Boolean({
        description:
          'Filter on resources that have a tag named {name} regardless of value. If set to true then the presence of the tag is filtered for. If set to false then its absence is. If left out then no filtering on tag presence is performed.',
      }),
    ),
  },
  patternProperties: {
    '^tag\\.': Type.String(),
    '^tag_exists\\.': Type.Boolean(),
  },
};

/** 8.2's `url-tag-list.json`: a comma-separated list of values, as the spec writes it. */
const URL_TAG_LIST = '^([^,]+(,[^,]+)*)?$';

/**
 * TAMS 8.2's `{prefix}.{name}` (a comma-separated list of values) and `{prefix}_exists.{name}`,
 * described for `subject` (e.g. `Flows`). The list is checked by tagFilters on the raw query
 * string, not by the schema: a value may hold a comma written `%2C`, which the decoded value the
 * schema sees cannot tell from a separator.
 */
export function tagQuery82(subject: string, prefix = 'tag') {
  return {
    properties: {
      [`${prefix}.{name}`]: Type.Optional(
        Type.String({
          title: 'Query String Tag value list',
          pattern: URL_TAG_LIST,
          description: `Filter on ${subject} that have a tag named {name} with a value in the given comma-seperated list of values.\nThe {name} and the value MUST be URL encoded where special characters are present.\nWhere the tag's value is a string, at least one of the given values will match.\nWhere the tag's value is an array, at least one value in the array will match at least one of the given values.\nPartial string matches of the values are not valid.\n`,
        }),
      ),
      [`${prefix}_exists.{name}`]: Type.Optional(
        Type.Boolean({
          description: `Filter on ${subject} that have a tag named {name} regardless of value.\n{name} MUST be URL encoded where special characters are present.\nIf set to true then the presence of the tag is filtered for.\nIf set to false then its absence is.\nIf left out then no filtering on tag presence is performed.\n`,
        }),
      ),
    },
    patternProperties: {
      [`^${prefix}\\.`]: Type.String(),
      [`^${prefix}_exists\\.`]: Type.Boolean(),
    },
  };
}

/** What tagFilters reads of a request: its parsed query, and its URL for 8.2's raw lists. */
export interface TagRequest {
  query: unknown;
  url: string;
}

/**
 * The tag filters of a request as `version` means them.
 * - 7.0: `tag.{name}=v` matches a string tag whose value is exactly `v` (commas included), and
 *   list-valued tags are invisible (to `tag_exists` too).
 * - 8.2: `tag.{name}=a,b` matches a tag whose string value, or one of whose list elements, is `a`
 *   or `b`. The value is split on the commas of the raw query string before percent-decoding,
 *   so `%2C` is a comma inside a value; an empty value is the one value `""`; an empty item
 *   (`a,,b`, `a,`) is a 400.
 */
export function tagFilters(request: TagRequest, version: ApiVersion, prefix = 'tag'): TagFilters {
  const query = (request.query ?? {}) as Record<string, unknown>;
  const filters: TagFilters = { equals: {}, exists: {} };
  const valuePrefix = `${prefix}.`;
  const existsPrefix = `${prefix}_exists.`;
  for (const [key, value] of Object.entries(query)) {
    if (key.startsWith(existsPrefix) && typeof value === 'boolean') {
      filters.exists[key.slice(existsPrefix.length)] = value;
    } else if (version === '7.0' && key.startsWith(valuePrefix) && typeof value === 'string') {
      filters.equals[key.slice(valuePrefix.length)] = [value];
    }
  }
  if (version === '7.0') filters.stringsOnly = true;
  else Object.assign(filters.equals, rawTagLists(request.url, valuePrefix));
  return filters;
}

/** The `{prefix}{name}=a,b` parameters of a URL's raw query string, split then decoded. */
function rawTagLists(url: string, valuePrefix: string): Record<string, string[]> {
  const lists: Record<string, string[]> = {};
  const start = url.indexOf('?');
  if (start < 0) return lists;
  for (const part of url.slice(start + 1).split('&')) {
    const eq = part.indexOf('=');
    const key = decode(eq < 0 ? part : part.slice(0, eq));
    if (!key.startsWith(valuePrefix)) continue;
    const raw = eq < 0 ? '' : part.slice(eq + 1);
    const items = raw.split(',');
    if (items.length > 1 && items.some((item) => item === '')) {
      throw new BadRequestError(
        `query.${key}: an empty value in the comma-separated list (write a comma inside a value as %2C)`,
      );
    }
    // Several parameters of one name are refused by the schema before this runs.
    lists[key.slice(valuePrefix.length)] = items.map(decode);
  }
  return lists;
}

/** As the query parser decodes (`+` is a space); the query guard has refused bad escapes. */
function decode(text: string): string {
  const spaced = text.includes('+') ? text.replaceAll('+', ' ') : text;
  return spaced.includes('%') ? decodeURIComponent(spaced) : spaced;
}
