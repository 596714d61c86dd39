/**
 * 8.2's tag filters of `GET /service/webhooks` (ADR 0040): `tag.{name}=a,b` keeps webhooks whose
 * tag `name` is the string `a` or `b`, or a list holding `a` or `b` (whole values: no partial
 * match); `tag_exists.{name}=true|false` keeps those that have (or lack) the tag.
 *
 * The lists are read from the raw query string, split on its literal commas before
 * percent-decoding: `%2C` is a comma inside a value (8.2: names and values "MUST be URL encoded
 * where special characters are present"). An empty value is the one value `""`.
 *
 * Webhooks are few and listed from memory, so the filters are matched here rather than pushed
 * down. `WebhookTagFilters` has the shape of the store's tag filters for Flows and Sources
 * (branch i49-tags' `TagFilters`), so this parser can give way to that shared one.
 */
import { BadRequestError } from '../common/errors.ts';
import type { WebhookTags } from '../store/webhooks.repo.ts';

export interface WebhookTagFilters {
  /** tag.{name}: the tag holds one of these values (a string equal to one, or a list with one). */
  equals: Record<string, readonly string[]>;
  /** tag_exists.{name}. */
  exists: Record<string, boolean>;
}

const VALUE = 'tag.';
const EXISTS = 'tag_exists.';

/** What the filters are read from: the parsed query (booleans coerced) and the raw URL. */
export interface TagRequest {
  query: unknown;
  url: string;
}

export function webhookTagFilters(request: TagRequest): WebhookTagFilters {
  const filters: WebhookTagFilters = { equals: {}, exists: {} };
  for (const [key, value] of Object.entries((request.query ?? {}) as Record<string, unknown>)) {
    if (key.startsWith(EXISTS) && typeof value === 'boolean')
      filters.exists[key.slice(EXISTS.length)] = value;
  }
  const start = request.url.indexOf('?');
  if (start < 0) return filters;
  for (const part of request.url.slice(start + 1).split('&')) {
    const eq = part.indexOf('=');
    const key = decode(eq < 0 ? part : part.slice(0, eq));
    if (!key.startsWith(VALUE)) continue;
    const items = (eq < 0 ? '' : part.slice(eq + 1)).split(',');
    if (items.length > 1 && items.includes('')) {
      throw new BadRequestError(
        `query.${key}: an empty value in the comma-separated list (write a comma inside a value as %2C)`,
      );
    }
    filters.equals[key.slice(VALUE.length)] = items.map(decode);
  }
  return filters;
}

/** As the query parser decodes (`+` is a space); the query guard has refused bad escapes. */
function decode(text: string): string {
  const spaced = text.replaceAll('+', ' ');
  return spaced.includes('%') ? decodeURIComponent(spaced) : spaced;
}

/** Whether `tags` pass every filter. */
export function tagsMatch(tags: WebhookTags, filters: WebhookTagFilters): boolean {
  for (const [name, wanted] of Object.entries(filters.equals)) {
    if (!Object.hasOwn(tags, name)) return false;
    const value = tags[name] as string | string[];
    const held = typeof value === 'string' ? [value] : value;
    if (!held.some((v) => wanted.includes(v))) return false;
  }
  for (const [name, present] of Object.entries(filters.exists)) {
    if (Object.hasOwn(tags, name) !== present) return false;
  }
  return true;
}
