import { BadRequestError } from '../common/errors.ts';

/**
 * How deep a JSON body may nest arrays and objects, the body itself being level 1. The spec's
 * examples reach 5 levels, its own JSON schemas 10. 100 is the default limit of strict parsers
 * elsewhere (Ruby's JSON; serde_json allows 128), so what we accept and later send on (a Flow
 * inside an event payload, two levels deeper) still passes them. What walks documents
 * recursively here is safe far beyond it: the Flow comparison's canonical form overflowed the
 * stack at about 2,000 levels, JSON.stringify at about 4,000.
 */
export const MAX_JSON_DEPTH = 100;

/**
 * A lone surrogate can reach a parsed body only from a `\uD800`-style escape (raw bytes that are
 * not UTF-8 decode to U+FFFD), and only escapes in D800-DFFF make surrogates: without one in the
 * text there is no string to look at. The test is cheap beside JSON.parse; it also matches valid
 * pairs (Python's json.dumps escapes every non-ASCII character), which the walk then lets through.
 */
const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/;

/** Where a problem was found, as the validation errors say it: `body.tags.x`, `body.0.get_urls.1.url`. */
function pathOf(keys: readonly (string | number)[]): string {
  return ['body', ...keys].join('.');
}

/** The first lone surrogate of a string, escaped as JSON writes it (`\ud800`). */
function loneSurrogate(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xd800 || c > 0xdfff) continue;
    const next = s.charCodeAt(i + 1);
    if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
      i++;
      continue;
    }
    return `\\u${c.toString(16)}`;
  }
  return '';
}

function surrogateError(keys: readonly (string | number)[], s: string, isName: boolean): BadRequestError {
  const what = isName ? 'has a property name that contains' : 'contains';
  return new BadRequestError(
    `${pathOf(keys)} ${what} a lone UTF-16 surrogate (${loneSurrogate(s)}), which is not valid Unicode`,
  );
}

function depthError(keys: readonly (string | number)[]): BadRequestError {
  const shown = keys.slice(0, 4);
  const where = pathOf(shown) + (keys.length > shown.length ? '…' : '');
  return new BadRequestError(
    `body nests arrays and objects more than ${MAX_JSON_DEPTH} levels deep (at ${where})`,
  );
}

/**
 * Walks an array or object at level `depth` of a parsed body; `strings` says whether strings
 * (values and property names) need checking. Returns the error of the first problem. `keys` is
 * the path to `value`, kept up to date as the walk goes.
 */
function check(
  value: object,
  depth: number,
  strings: boolean,
  keys: (string | number)[],
): BadRequestError | undefined {
  if (depth > MAX_JSON_DEPTH) return depthError(keys);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const error = checkItem(value[i], depth, strings, keys, i);
      if (error) return error;
    }
    return undefined;
  }
  const record = value as Record<string, unknown>;
  for (const key in record) {
    if (strings && !key.isWellFormed()) return surrogateError(keys, key, true);
    const error = checkItem(record[key], depth, strings, keys, key);
    if (error) return error;
  }
  return undefined;
}

function checkItem(
  item: unknown,
  depth: number,
  strings: boolean,
  keys: (string | number)[],
  key: string | number,
): BadRequestError | undefined {
  if (typeof item === 'string') {
    return strings && !item.isWellFormed() ? surrogateError([...keys, key], item, false) : undefined;
  }
  if (item === null || typeof item !== 'object') return undefined;
  keys.push(key);
  const error = check(item, depth + 1, strings, keys);
  keys.pop();
  return error;
}

/**
 * Refuses a parsed JSON body that nests deeper than MAX_JSON_DEPTH or holds a lone UTF-16
 * surrogate anywhere (no engine can store one as text: DuckDB refuses it or writes U+FFFD in its
 * place). `text` is the body as received, for the cheap pre-check.
 */
export function checkJsonBody(text: string, value: unknown): BadRequestError | undefined {
  if (value === null || typeof value !== 'object') {
    if (typeof value !== 'string' || !SURROGATE_ESCAPE.test(text)) return undefined;
    return value.isWellFormed() ? undefined : surrogateError([], value, false);
  }
  const strings = text.includes('\\u') && SURROGATE_ESCAPE.test(text);
  if (!strings && !tooDeep(value, 1)) return undefined;
  return check(value, 1, strings, []);
}

/**
 * Whether an array or object at level `depth` nests past MAX_JSON_DEPTH: the walk every body
 * takes, kept to the bare minimum (a 64 MiB bulk body holds ~900,000 arrays and objects); the
 * path to a problem is found afterwards by `check`.
 */
function tooDeep(value: object, depth: number): boolean {
  if (depth > MAX_JSON_DEPTH) return true;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (item !== null && typeof item === 'object' && tooDeep(item, depth + 1)) return true;
    }
    return false;
  }
  const record = value as Record<string, unknown>;
  for (const key in record) {
    const item = record[key];
    if (item !== null && typeof item === 'object' && tooDeep(item, depth + 1)) return true;
  }
  return false;
}
