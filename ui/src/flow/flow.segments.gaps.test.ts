import { describe, expect, it } from 'vitest';
import { discontinuities } from './flow.segments.gaps.ts';

const S = 1_000_000_000n;

describe('discontinuities of a segment list', () => {
  it('finds none between touching segments, whatever their brackets', () => {
    expect(discontinuities(['[10:0_11:0)', '[11:0_12:0)', '[12:0_13:0)'])).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
    // An inclusive end is followed by an exclusive start a nanosecond later.
    expect(discontinuities(['[10:0_10:999999999]', '[11:0_12:0)'])).toEqual([undefined, undefined]);
  });

  it('marks the segment after a gap with the time no segment covers', () => {
    expect(discontinuities(['[10:0_11:0)', '[12:500000000_13:0)'])).toEqual([
      undefined,
      { gap: { start: 11n * S, end: 12n * S + S / 2n } },
    ]);
  });

  it("finds the gap at a page's first segment from the previous page's last", () => {
    expect(discontinuities(['[20:0_21:0)'], '[18:0_19:0)')).toEqual([
      { gap: { start: 19n * S, end: 20n * S } },
    ]);
    expect(discontinuities(['[19:0_20:0)'], '[18:0_19:0)')).toEqual([undefined]);
  });

  it('passes over a timerange that does not parse', () => {
    expect(discontinuities(['[10:0_11:0)', 'nonsense', '[13:0_14:0)'])).toEqual([
      undefined,
      undefined,
      { gap: { start: 11n * S, end: 13n * S } },
    ]);
  });
});
