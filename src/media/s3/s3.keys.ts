/**
 * Object keys of the S3 backend: key = prefix + storage path. S3 accepts almost any UTF-8 key,
 * but a key must also survive as a URL path in every HTTP client, so this refuses what clients
 * rewrite or cannot send: control characters, lone surrogates, `.` / `..` segments (which URL
 * parsers resolve away, so the request would reach another key than the one signed) and empty
 * segments (`a//b`, `/a`, `a/`: proxies merge slashes, nginx by default).
 */
import { uriEncode } from '../../common/sigv4.ts';

const MAX_KEY_BYTES = 1024;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it rejects.
const CONTROL = /[\u0000-\u001f\u007f]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const DOT_SEGMENT = /(^|\/)\.{1,2}(\/|$)/;
const EMPTY_SEGMENT = /^\/|\/\/|\/$/;
const ASCII_UNRESERVED = /^[A-Za-z0-9\-._~/]*$/;

/** What no key can contain; all a list prefix (a plain string prefix, may end mid-segment) needs. */
export function textProblem(text: string): string | undefined {
  if (CONTROL.test(text)) return 'contains a control character';
  if (LONE_SURROGATE.test(text)) return 'is not valid Unicode';
  return undefined;
}

/** Why `key` cannot be an object key (or storage path), or undefined when it can. */
export function keyProblem(key: string): string | undefined {
  if (key === '') return 'is empty';
  const problem = textProblem(key);
  if (problem !== undefined) return problem;
  if (DOT_SEGMENT.test(key)) return 'has a "." or ".." segment';
  if (EMPTY_SEGMENT.test(key)) return 'has an empty segment ("//", or "/" first or last)';
  if (Buffer.byteLength(key, 'utf8') > MAX_KEY_BYTES) return `is longer than ${MAX_KEY_BYTES} bytes`;
  return undefined;
}

/** Why `prefix` cannot start object keys: like a key, but it may be empty or end with `/`. */
export function prefixProblem(prefix: string): string | undefined {
  if (prefix === '') return undefined;
  return keyProblem(prefix.endsWith('/') ? prefix.slice(0, -1) : prefix);
}

export function assertKey(key: string, what = 'storage path'): void {
  const problem = keyProblem(key);
  if (problem !== undefined) throw new Error(`invalid ${what} ${JSON.stringify(key)}: ${problem}`);
}

/** A key as a URL path: each segment encoded, `/` kept (the SDK's greedy `{Key+}` label). */
export function escapeKeyPath(key: string): string {
  // Server-generated keys (`<flow id>/<uuid>`) need no encoding: skip the split and join.
  if (ASCII_UNRESERVED.test(key)) return key;
  return key.split('/').map(uriEncode).join('/');
}
