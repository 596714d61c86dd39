import { describe, expect, it } from 'vitest';
import { decodeSet, encodeSet, setMember } from './exr.sets.ts';

describe('sets in a string column', () => {
  it('sorts, drops repeats, escapes delimiters, and finds members by substring', () => {
    const stored = encodeSet(['R', 'G', 'R', 'a|b', '50%']);
    expect(stored).toBe('|50%25|G|R|a%7Cb|');
    expect(decodeSet(stored)).toEqual(['50%', 'G', 'R', 'a|b']);
    expect(stored.includes(setMember('a|b'))).toBe(true);
    expect(stored.includes(setMember('b'))).toBe(false);
    expect(stored.includes(setMember('5'))).toBe(false);
    expect(encodeSet([])).toBe('|');
    expect(decodeSet('|')).toEqual([]);
    expect(decodeSet(undefined)).toEqual([]);
  });
});
