/**
 * HTTP Range and conditional-request rules for serving stored objects (RFC 9110 §13, §14), the
 * subset S3 implements: one byte range; several ranges are answered with the whole object.
 */
export type RangeResult =
  | { kind: 'full' }
  | { kind: 'partial'; start: number; end: number }
  | { kind: 'unsatisfiable' };

const FULL: RangeResult = { kind: 'full' };
const SINGLE_RANGE = /^bytes=(\d*)-(\d*)$/;

/** The byte range (inclusive `end`) of a `Range` header against an object of `size` bytes. */
export function parseRange(header: string | undefined, size: number): RangeResult {
  if (header === undefined) return FULL;
  const match = SINGLE_RANGE.exec(header.trim());
  // Malformed headers and multiple ranges are ignored: the client gets the whole object.
  if (!match) return FULL;
  const [, first = '', last = ''] = match;
  if (first === '') {
    if (last === '') return FULL;
    const suffix = Number(last);
    if (suffix === 0 || size === 0) return { kind: 'unsatisfiable' };
    return { kind: 'partial', start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  const end = last === '' ? size - 1 : Number(last);
  if (last !== '' && end < start) return FULL;
  if (start >= size) return { kind: 'unsatisfiable' };
  return { kind: 'partial', start, end: Math.min(end, size - 1) };
}

function opaque(tag: string): string {
  return tag.startsWith('W/') ? tag.slice(2) : tag;
}

/** `If-None-Match` uses the weak comparison: `W/"x"` matches `"x"`. */
export function noneMatchHits(header: string, etag: string | undefined): boolean {
  if (header.trim() === '*') return true;
  if (etag === undefined) return false;
  const wanted = opaque(etag);
  return header.split(',').some((tag) => opaque(tag.trim()) === wanted);
}

function wholeSeconds(date: Date): number {
  return Math.floor(date.getTime() / 1000);
}

export interface Validators {
  etag: string | undefined;
  lastModified: Date;
}

/** Whether a GET/HEAD with these headers is answered 304 Not Modified. */
export function isNotModified(
  ifNoneMatch: string | undefined,
  ifModifiedSince: string | undefined,
  validators: Validators,
): boolean {
  // If-None-Match takes precedence; If-Modified-Since is only consulted without it.
  if (ifNoneMatch !== undefined) return noneMatchHits(ifNoneMatch, validators.etag);
  if (ifModifiedSince === undefined) return false;
  const since = Date.parse(ifModifiedSince);
  return !Number.isNaN(since) && wholeSeconds(validators.lastModified) <= Math.floor(since / 1000);
}

/**
 * `If-Range`: the range applies only if the representation is unchanged. An entity tag must
 * match strongly; a date must equal Last-Modified.
 */
export function rangeStillValid(ifRange: string | undefined, validators: Validators): boolean {
  if (ifRange === undefined) return true;
  const value = ifRange.trim();
  if (value.startsWith('"') || value.startsWith('W/')) return value === validators.etag;
  const date = Date.parse(value);
  return !Number.isNaN(date) && Math.floor(date / 1000) === wholeSeconds(validators.lastModified);
}
