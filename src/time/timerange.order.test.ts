import { describe, expect, it } from 'vitest';
import { prng } from '../../test/support/time/time.testkit.ts';
import { compareByEnd, compareByStart, envelopeOf } from './timerange.order.ts';
import { parseTimeRange as tr } from './timerange.parse.ts';
import { TimeRange } from './timerange.ts';

const BY_START = [
  '()',
  '_-5:0)',
  '_10:0)',
  '_10:0]',
  '_',
  '[-5:0_0:0)',
  '[-5:0_',
  '[0:0]',
  '[0:0_5:0)',
  '[0:0_5:0]',
  '[0:0_',
  '(0:0_1:0)',
  '(0:0_',
  '[1:0_2:0)',
  '[2:0]',
];

const BY_END = [
  '()',
  '_-5:0)',
  '[-5:0_0:0)',
  '[0:0]',
  '(0:0_1:0)',
  '[1:0_2:0)',
  '[2:0]',
  '[0:0_5:0)',
  '[0:0_5:0]',
  '_10:0)',
  '_10:0]',
  '_',
  '[-5:0_',
  '[0:0_',
  '(0:0_',
];

function shuffled<T>(items: readonly T[], seed: number): T[] {
  const rand = prng(seed);
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

describe.each([
  ['compareByStart', compareByStart, BY_START],
  ['compareByEnd', compareByEnd, BY_END],
] as const)('%s', (_name, compare, expected) => {
  it.each([1, 2, 3, 4, 5])('sorts shuffle #%i into the expected order', (seed) => {
    const sorted = shuffled(expected, seed)
      .map((s) => tr(s))
      .sort(compare)
      .map((r) => r.format());
    expect(sorted).toEqual(expected);
  });

  it('is antisymmetric and returns 0 only for equal ranges', () => {
    const ranges = expected.map((s) => tr(s));
    for (const [i, a] of ranges.entries()) {
      for (const [j, b] of ranges.entries()) {
        expect(Math.sign(compare(a, b))).toBe(Math.sign(i - j));
      }
    }
    expect(compare(tr('[0:0_1:0)'), tr('[0:0_1:0)'))).toBe(0);
    expect(compare(tr('()'), tr('(5:0)'))).toBe(0);
  });
});

describe('ordering edge cases from the 8.2 text', () => {
  it('puts [1:0_2:0) before the instant [2:0] on both comparators', () => {
    expect(compareByStart(tr('[1:0_2:0)'), tr('[2:0]'))).toBeLessThan(0);
    expect(compareByEnd(tr('[1:0_2:0)'), tr('[2:0]'))).toBeLessThan(0);
  });

  it('orders equal starts inclusive before exclusive, and equal ends exclusive before inclusive', () => {
    expect(compareByStart(tr('[2:0_3:0)'), tr('(2:0_3:0)'))).toBeLessThan(0);
    expect(compareByEnd(tr('[1:0_2:0)'), tr('[1:0_2:0]'))).toBeLessThan(0);
  });
});

describe('envelopeOf', () => {
  it.each<[string[], string]>([
    [[], '()'],
    [['()'], '()'],
    [['()', '()'], '()'],
    [['[0:0_10:0)'], '[0:0_10:0)'],
    [['[10:0_20:0)', '[0:0_10:0)', '[20:0_30:0)'], '[0:0_30:0)'],
    [['[10:0_20:0)', '()', '[40:0_50:0]'], '[10:0_50:0]'],
    [['[5:0]', '[1:0]', '[3:0]'], '[1:0_5:0]'],
    [['(1:0_2:0)', '[1:0_1:500000000)'], '[1:0_2:0)'],
    [['[-3:0_-2:0)', '[2:0_3:0)'], '[-3:0_3:0)'],
    [['[0:0_1:0)', '(5:0_'], '[0:0_'],
    [['_0:0)', '[5:0]'], '_5:0]'],
  ])('envelopeOf(%j) = %s', (ranges, expected) => {
    expect(envelopeOf(ranges.map((s) => tr(s))).format()).toBe(expected);
  });

  it('accepts any iterable and returns EMPTY for none', () => {
    expect(envelopeOf(new Set<TimeRange>())).toBe(TimeRange.EMPTY);
    function* gen() {
      yield tr('[1:0_2:0)');
      yield tr('[4:0_5:0)');
    }
    expect(envelopeOf(gen()).format()).toBe('[1:0_5:0)');
  });
});
