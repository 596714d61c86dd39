import { describe, expect, it } from 'vitest';
import { nsToRational, type Rational, type Rounding, rationalToNs } from './rational.ts';

describe('rationalToNs', () => {
  it.each<[Rational, Rounding, bigint]>([
    [{ numerator: 1 }, 'nearest', 1_000_000_000n],
    [{ numerator: 1, denominator: 25 }, 'nearest', 40_000_000n],
    [{ numerator: 1, denominator: 50 }, 'floor', 20_000_000n],
    [{ numerator: 1001, denominator: 30000 }, 'nearest', 33_366_667n],
    [{ numerator: 1001, denominator: 30000 }, 'floor', 33_366_666n],
    [{ numerator: 1001, denominator: 30000 }, 'ceil', 33_366_667n],
    [{ numerator: 1, denominator: 48000 }, 'nearest', 20_833n],
    [{ numerator: 1, denominator: 48000 }, 'ceil', 20_834n],
    [{ numerator: 3, denominator: 2_000_000_000 }, 'nearest', 2n],
    [{ numerator: 1, denominator: 2_000_000_000 }, 'nearest', 1n],
    [{ numerator: -1, denominator: 2_000_000_000 }, 'nearest', -1n],
    [{ numerator: -1001, denominator: 30000 }, 'floor', -33_366_667n],
    [{ numerator: -1001, denominator: 30000 }, 'ceil', -33_366_666n],
    [{ numerator: -1001, denominator: 30000 }, 'nearest', -33_366_667n],
    [{ numerator: 1001, denominator: -30000 }, 'floor', -33_366_667n],
    [{ numerator: 10n ** 12n, denominator: 1n }, 'nearest', 10n ** 21n],
  ])('%o rounded %s -> %s', (r, rounding, ns) => {
    expect(rationalToNs(r, rounding)).toBe(ns);
  });

  it('defaults to nearest and rejects a zero denominator', () => {
    expect(rationalToNs({ numerator: 2, denominator: 3 })).toBe(666_666_667n);
    expect(() => rationalToNs({ numerator: 1, denominator: 0 })).toThrow(RangeError);
  });
});

describe('nsToRational', () => {
  it.each<[bigint, bigint, bigint]>([
    [0n, 0n, 1n],
    [1_000_000_000n, 1n, 1n],
    [40_000_000n, 1n, 25n],
    [1_500_000_000n, 3n, 2n],
    [-1_500_000_000n, -3n, 2n],
    [1n, 1n, 1_000_000_000n],
    [33_366_667n, 33_366_667n, 1_000_000_000n],
  ])('%s ns -> %s/%s s', (ns, numerator, denominator) => {
    expect(nsToRational(ns)).toEqual({ numerator, denominator });
    expect(rationalToNs({ numerator, denominator })).toBe(ns);
  });
});
