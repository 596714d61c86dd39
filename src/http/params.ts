import { Type } from 'typebox';
import { BadRequestError } from '../common/errors.ts';
import { parseTimeRange, TimeFormatError, type TimeRange } from '../time/index.ts';

/** Parses a timerange query parameter (already checked against the spec's pattern). */
export function timerangeParam(value: string | undefined, name = 'timerange'): TimeRange | undefined {
  if (value === undefined) return undefined;
  try {
    return parseTimeRange(value);
  } catch (error) {
    if (error instanceof TimeFormatError) throw new BadRequestError(`query.${name}: ${error.message}`);
    throw error;
  }
}

/**
 * The templated query parameters `tag.{name}` and `tag_exists.{name}`: their names are data, so
 * they are read from the whole query object. Literal entries document them in OpenAPI.
 */
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

/** The tag filters of a listing query (the store's TagFilters has this shape). */
export interface TagFilters {
  /** tag.{name}=value: tag present with exactly this value. */
  equals: Record<string, string>;
  /** tag_exists.{name}=true|false. */
  exists: Record<string, boolean>;
}

export function tagFilters(query: Record<string, unknown>): TagFilters {
  const filters: TagFilters = { equals: {}, exists: {} };
  for (const [key, value] of Object.entries(query)) {
    if (key.startsWith('tag.') && typeof value === 'string') filters.equals[key.slice(4)] = value;
    else if (key.startsWith('tag_exists.') && typeof value === 'boolean')
      filters.exists[key.slice(11)] = value;
  }
  return filters;
}
