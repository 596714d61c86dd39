import { describe, expect, it } from 'vitest';
import { isCanonicalUuid } from '../store/index/segment-index.uuid.ts';
import { newObjectId } from './object-ids.ts';

const V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('newObjectId', () => {
  it('is a canonical UUID version 7 with the RFC 9562 variant', () => {
    for (let i = 0; i < 1000; i++) {
      const id = newObjectId();
      expect(id).toMatch(V7);
      // The segment index keeps such ids in 16 bytes rather than as strings.
      expect(isCanonicalUuid(id)).toBe(true);
    }
  });

  it('carries the time in milliseconds in its first 48 bits', () => {
    expect(newObjectId(0).slice(0, 13)).toBe('00000000-0000');
    expect(newObjectId(1).slice(0, 13)).toBe('00000000-0001');
    expect(newObjectId(2 ** 48 - 1).slice(0, 13)).toBe('ffffffff-ffff');
    const now = Date.UTC(2026, 10, 22, 15, 0, 0, 123);
    const hex = newObjectId(now).slice(0, 13).replace('-', '');
    expect(Number.parseInt(hex, 16)).toBe(now);
  });

  it('sorts as text in the order of the times it was made at', () => {
    const times = [
      1_700_000_000_000, 1_700_000_000_001, 1_700_000_000_255, 1_700_000_000_256, 1_800_000_000_000,
    ];
    const ids = times.map((t) => newObjectId(t));
    expect([...ids].sort()).toStrictEqual(ids);
  });

  it('differs on every call within the same millisecond', () => {
    const ids = new Set(Array.from({ length: 100_000 }, () => newObjectId(1_700_000_000_000)));
    expect(ids.size).toBe(100_000);
  });
});
