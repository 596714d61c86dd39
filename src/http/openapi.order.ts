/**
 * The OpenAPI document in one canonical order, whatever order routes were registered in: the
 * document's own keys first (openapi, info, tags, security, paths, components), paths sorted,
 * each path's methods in HTTP order, each operation's keys in reading order (identity, then
 * input, then output), responses by status, and media types, headers and components sorted.
 * Schemas keep the key order their TypeBox definitions give (deterministic too: it is code).
 */

const DOCUMENT_KEYS = ['openapi', 'info', 'servers', 'tags', 'security', 'paths', 'components', 'webhooks'];
const METHODS = ['parameters', 'get', 'head', 'put', 'post', 'delete', 'options', 'patch', 'trace'];
const OPERATION_KEYS = [
  'operationId',
  'summary',
  'description',
  'tags',
  'x-tams-extension',
  'deprecated',
  'security',
  'parameters',
  'requestBody',
  'responses',
];
const RESPONSE_KEYS = ['description', 'headers', 'content'];

type Plain = { [key: string]: unknown };

function isPlain(value: unknown): value is Plain {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `value`'s keys in `order` first (those present), then the others sorted, each mapped by `each`. */
function ordered(
  value: unknown,
  order: readonly string[] | 'sorted',
  each: (key: string, child: unknown) => unknown = (_key, child) => child,
): unknown {
  if (!isPlain(value)) return value;
  const keys = Object.keys(value);
  const first = order === 'sorted' ? [] : order.filter((k) => keys.includes(k));
  const rest = keys.filter((k) => !first.includes(k)).sort(compareKeys);
  const out: Plain = {};
  for (const key of [...first, ...rest]) out[key] = each(key, value[key]);
  return out;
}

/** Numbers (status codes) in numeric order, then the rest by code point. */
function compareKeys(a: string, b: string): number {
  const [x, y] = [Number(a), Number(b)];
  if (Number.isInteger(x) && Number.isInteger(y)) return x - y;
  return a < b ? -1 : a > b ? 1 : 0;
}

function response(value: unknown): unknown {
  return ordered(value, RESPONSE_KEYS, (key, child) =>
    key === 'headers' || key === 'content' ? ordered(child, 'sorted') : child,
  );
}

function operation(value: unknown): unknown {
  return ordered(value, OPERATION_KEYS, (key, child) => {
    if (key === 'requestBody') {
      return ordered(child, ['description', 'required', 'content'], (k, c) =>
        k === 'content' ? ordered(c, 'sorted') : c,
      );
    }
    if (key === 'responses') return ordered(child, 'sorted', (_status, r) => response(r));
    return child;
  });
}

export function canonicalDocument<T>(doc: T): T {
  return ordered(doc, DOCUMENT_KEYS, (key, child) => {
    if (key === 'paths') {
      return ordered(child, 'sorted', (_path, item) =>
        ordered(item, METHODS, (method, op) => (method === 'parameters' ? op : operation(op))),
      );
    }
    if (key === 'components') return ordered(child, 'sorted', (_kind, group) => ordered(group, 'sorted'));
    return child;
  }) as T;
}
