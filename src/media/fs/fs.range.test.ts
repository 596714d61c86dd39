import { describe, expect, it } from 'vitest';
import { isNotModified, noneMatchHits, parseRange, rangeStillValid } from './fs.range.ts';

describe('parseRange', () => {
  it('reads one byte range against the object size', () => {
    expect(parseRange('bytes=0-9', 100)).toEqual({ kind: 'partial', start: 0, end: 9 });
    expect(parseRange('bytes=90-', 100)).toEqual({ kind: 'partial', start: 90, end: 99 });
    expect(parseRange('bytes=-10', 100)).toEqual({ kind: 'partial', start: 90, end: 99 });
    expect(parseRange('bytes=-500', 100)).toEqual({ kind: 'partial', start: 0, end: 99 });
    expect(parseRange('bytes=50-1000', 100)).toEqual({ kind: 'partial', start: 50, end: 99 });
    expect(parseRange(' bytes=99-99 ', 100)).toEqual({ kind: 'partial', start: 99, end: 99 });
  });

  it('finds ranges outside the object unsatisfiable', () => {
    for (const header of ['bytes=100-', 'bytes=100-200', 'bytes=-0', 'bytes=99999999999999999999-']) {
      expect(parseRange(header, 100), header).toEqual({ kind: 'unsatisfiable' });
    }
    expect(parseRange('bytes=0-', 0)).toEqual({ kind: 'unsatisfiable' });
    expect(parseRange('bytes=-1', 0)).toEqual({ kind: 'unsatisfiable' });
  });

  it('ignores absent, malformed and multiple ranges (whole object)', () => {
    for (const header of [
      undefined,
      'bytes=0-1,3-4',
      'bytes=5-2',
      'bytes=-',
      'items=0-1',
      'bytes=a-b',
      'bytes=0x1-2',
    ]) {
      expect(parseRange(header, 100), String(header)).toEqual({ kind: 'full' });
    }
  });
});

describe('conditional requests', () => {
  const validators = { etag: '"abc"', lastModified: new Date('2026-01-01T00:00:00.500Z') };

  it('matches If-None-Match weakly, in lists, and *', () => {
    expect(noneMatchHits('"abc"', '"abc"')).toBe(true);
    expect(noneMatchHits('W/"abc"', '"abc"')).toBe(true);
    expect(noneMatchHits('"x", "abc"', '"abc"')).toBe(true);
    expect(noneMatchHits('*', undefined)).toBe(true);
    expect(noneMatchHits('"abcd"', '"abc"')).toBe(false);
    expect(noneMatchHits('"abc"', undefined)).toBe(false);
  });

  it('lets If-None-Match override If-Modified-Since, compared in whole seconds', () => {
    const later = 'Thu, 01 Jan 2026 00:00:00 GMT';
    expect(isNotModified(undefined, later, validators)).toBe(true);
    expect(isNotModified(undefined, 'Wed, 31 Dec 2025 23:59:59 GMT', validators)).toBe(false);
    expect(isNotModified(undefined, 'garbage', validators)).toBe(false);
    expect(isNotModified('"other"', later, validators)).toBe(false);
    expect(isNotModified(undefined, undefined, validators)).toBe(false);
  });

  it('applies a range only while If-Range still holds', () => {
    expect(rangeStillValid(undefined, validators)).toBe(true);
    expect(rangeStillValid('"abc"', validators)).toBe(true);
    expect(rangeStillValid('W/"abc"', validators)).toBe(false);
    expect(rangeStillValid('"old"', validators)).toBe(false);
    expect(rangeStillValid('Thu, 01 Jan 2026 00:00:00 GMT', validators)).toBe(true);
    expect(rangeStillValid('Thu, 01 Jan 2026 00:00:01 GMT', validators)).toBe(false);
  });
});
