import { describe, expect, it } from 'vitest';
import { newObjectId } from './object-ids.ts';
import { isCanonicalUuid } from './uuid-bytes.ts';

const V8 = /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('newObjectId', () => {
  it('is a canonical UUID version 8 with the RFC 9562 variant', () => {
    for (let i = 0; i < 1000; i++) {
      const id = newObjectId();
      expect(id).toMatch(V8);
      // The segment index keeps such ids in 16 bytes rather than as strings.
      expect(isCanonicalUuid(id)).toBe(true);
    }
  });

  it('starts with the Unix time in seconds, then the fraction of the second', () => {
    expect(newObjectId(0).slice(0, 13)).toBe('00000000-0000');
    expect(newObjectId(999).slice(0, 13)).toBe('00000000-ffbe');
    expect(newObjectId(1000).slice(0, 13)).toBe('00000001-0000');
    expect(newObjectId(1500).slice(0, 13)).toBe('00000001-8000');
    const now = Date.UTC(2026, 10, 22, 15, 0, 0, 250);
    expect(Number.parseInt(newObjectId(now).slice(0, 8), 16)).toBe(Math.floor(now / 1000));
    expect(newObjectId(now).slice(9, 13)).toBe('4000');
    expect(newObjectId((2 ** 32 - 1) * 1000).slice(0, 8)).toBe('ffffffff');
  });

  it('sorts as text in the order of the times it was made at', () => {
    const times = [
      1_700_000_000_000, 1_700_000_000_001, 1_700_000_000_999, 1_700_000_001_000, 1_800_000_000_000,
    ];
    const ids = times.map((t) => newObjectId(t));
    expect([...ids].sort()).toStrictEqual(ids);
  });

  it('differs on every call within the same millisecond', () => {
    const ids = new Set(Array.from({ length: 100_000 }, () => newObjectId(1_700_000_000_000)));
    expect(ids.size).toBe(100_000);
  });
});
