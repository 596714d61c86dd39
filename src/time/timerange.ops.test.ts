import { describe, expect, it } from 'vitest';
import { parseTimeRange as tr } from './timerange.parse.ts';
import { TimeRange } from './timerange.ts';
import { parseTimestamp } from './timestamp.ts';

const S = 1_000_000_000n;

describe('overlaps (symmetric)', () => {
  it.each<[string, string, boolean]>([
    ['[0:0_10:0)', '[10:0_20:0)', false],
    ['[0:0_10:0]', '[10:0_20:0)', true],
    ['[0:0_10:0]', '(10:0_20:0)', false],
    ['[0:0_10:0)', '(10:0_20:0)', false],
    ['[1:0_2:0)', '[2:0]', false],
    ['[1:0_2:0]', '[2:0]', true],
    ['[2:0]', '[2:0_3:0)', true],
    ['[2:0]', '(2:0_3:0)', false],
    ['[2:0]', '[2:0]', true],
    ['[2:0]', '[3:0]', false],
    ['[2:0]', '[2:1]', false],
    ['[0:0_10:0)', '[5:0_6:0)', true],
    ['[0:0_10:0)', '[-5:0_0:0]', true],
    ['[0:0_10:0)', '[-5:0_0:0)', false],
    ['(0:0_10:0)', '[-5:0_0:0]', false],
    ['[0:0_10:0)', '[-5:0_15:0)', true],
    ['[0:0_10:0)', '[0:0_10:0)', true],
    ['(0:0_10:0)', '(0:0_10:0)', true],
    ['[0:0_10:0)', '[20:0_30:0)', false],
    ['[0:0_10:0)', '[9:999999999]', true],
    // Real-interval semantics: they share (9:999999999, 10:0) although no whole nanosecond.
    ['[0:0_10:0)', '(9:999999999_20:0)', true],
    ['(0:0_0:1)', '(0:0_0:1)', true],
    ['(0:0_0:1)', '[0:1]', false],
    ['(0:0_0:1]', '[0:1]', true],
    ['(0:0_0:1)', '[0:0]', false],
    ['_', '_', true],
    ['_', '[5:0]', true],
    ['_', '[-5:0_-4:0)', true],
    ['_10:0)', '[10:0_', false],
    ['_10:0]', '[10:0_', true],
    ['_10:0]', '(10:0_', false],
    ['_10:0)', '_-5:0)', true],
    ['(5:0_', '[6:0_', true],
    ['(5:0_', '_5:0]', false],
    ['[5:0_', '_5:0]', true],
    ['[5:0_', '_5:0)', false],
    ['(5:0_', '[5:0]', false],
    ['[5:0_', '[5:0]', true],
    ['[-2:0_-1:0)', '[-1:0_0:0)', false],
    ['[-2:0_-1:0]', '[-1:0_0:0)', true],
    ['[-2:0_-1:0)', '[-1:500000000]', true],
    ['[-0:1_0:1)', '[0:0]', true],
    // Empty ranges overlap nothing, not even eternity or a range around where EMPTY is stored.
    ['()', '()', false],
    ['()', '_', false],
    ['()', '[0:0]', false],
    ['()', '[-1:0_1:0]', false],
    ['()', '(0:0_', false],
    ['()', '_0:0]', false],
  ])('%s ~ %s is %s', (a, b, expected) => {
    expect(tr(a).overlaps(tr(b))).toBe(expected);
    expect(tr(b).overlaps(tr(a))).toBe(expected);
  });
});

describe('isEarlierThan / isLaterThan', () => {
  it.each<[string, string, boolean, boolean]>([
    ['[0:0_10:0)', '[10:0_20:0)', true, false],
    ['[0:0_10:0]', '[10:0_20:0)', false, false],
    ['[0:0_10:0]', '(10:0_20:0)', true, false],
    ['[0:0_10:0)', '(10:0_20:0)', true, false],
    ['[1:0_2:0)', '[2:0]', true, false],
    ['[2:0]', '[1:0_2:0)', false, true],
    ['[2:0]', '(2:0_3:0)', true, false],
    ['(2:0_3:0)', '[2:0]', false, true],
    ['[2:0]', '[2:0]', false, false],
    ['[2:0]', '[3:0]', true, false],
    ['[3:0]', '[2:0]', false, true],
    ['[20:0_30:0)', '[0:0_10:0)', false, true],
    ['[0:0_1:0)', '[0:500000000_2:0)', false, false],
    ['[0:0_10:0)', '[2:0_3:0)', false, false],
    ['[-3:0_-2:0)', '[-2:0]', true, false],
    ['[-3:0_-2:0]', '[-2:0]', false, false],
    ['_10:0)', '[10:0_', true, false],
    ['_10:0]', '[10:0_', false, false],
    ['(5:0_', '[0:0_5:0]', false, true],
    ['[5:0_', '[0:0_5:0]', false, false],
    ['_', '[0:0]', false, false],
    ['[0:0]', '_', false, false],
    ['_5:0)', '_10:0)', false, false],
    ['()', '[5:0]', false, false],
    ['[5:0]', '()', false, false],
    ['()', '()', false, false],
  ])('%s vs %s: earlier %s, later %s', (a, b, earlier, later) => {
    expect(tr(a).isEarlierThan(tr(b))).toBe(earlier);
    expect(tr(a).isLaterThan(tr(b))).toBe(later);
    expect(tr(b).isLaterThan(tr(a))).toBe(earlier);
    expect(tr(b).isEarlierThan(tr(a))).toBe(later);
  });
});

describe('contains (completely covers)', () => {
  it.each<[string, string, boolean]>([
    ['_', '()', true],
    ['_', '_', true],
    ['_', '[5:0]', true],
    ['_', '(-5:0_', true],
    ['[0:0_10:0)', '[0:0_10:0)', true],
    ['[0:0_10:0)', '[0:0_10:0]', false],
    ['[0:0_10:0)', '(0:0_10:0)', true],
    ['(0:0_10:0)', '[0:0_10:0)', false],
    ['[0:0_10:0]', '[10:0]', true],
    ['[0:0_10:0)', '[10:0]', false],
    ['[0:0_10:0)', '[0:0]', true],
    ['(0:0_10:0)', '[0:0]', false],
    ['[0:0_10:0)', '[2:0_3:0)', true],
    ['[0:0_10:0)', '[-1:0_3:0)', false],
    ['[0:0_10:0)', '[9:0_11:0)', false],
    ['[0:0_10:0)', '[20:0_30:0)', false],
    ['[0:0_10:0)', '[5:0_', false],
    ['[0:0_10:0)', '_5:0)', false],
    ['[0:0_10:0]', '_', false],
    ['[0:0_', '[5:0_', true],
    ['[0:0_', '[0:0_', true],
    ['(0:0_', '[0:0_', false],
    ['[0:0_', '(0:0_', true],
    ['[0:0_', '_5:0)', false],
    ['_10:0)', '_5:0]', true],
    ['_10:0)', '_10:0]', false],
    ['_10:0]', '_10:0)', true],
    ['_10:0]', '[-1000:0_10:0]', true],
    ['()', '()', true],
    ['()', '[0:0]', false],
    ['()', '_', false],
    ['[5:0]', '[5:0]', true],
    ['[5:0]', '()', true],
    ['[5:0]', '[5:0_6:0)', false],
    ['[-10:0_-5:0)', '[-7:0_-6:0]', true],
    ['[-10:0_-5:0)', '[-7:0_-5:0]', false],
    ['(0:0_0:1)', '(0:0_0:1)', true],
  ])('%s contains %s is %s', (a, b, expected) => {
    expect(tr(a).contains(tr(b))).toBe(expected);
  });
});

describe('containsTimestamp', () => {
  it.each<[string, string, boolean]>([
    ['[0:0_10:0)', '0:0', true],
    ['[0:0_10:0)', '10:0', false],
    ['[0:0_10:0)', '9:999999999', true],
    ['[0:0_10:0)', '-0:1', false],
    ['(0:0_10:0]', '0:0', false],
    ['(0:0_10:0]', '0:1', true],
    ['(0:0_10:0]', '10:0', true],
    ['(0:0_10:0]', '10:1', false],
    ['_', '-1000:0', true],
    ['_', '9223372036:854775807', true],
    ['()', '0:0', false],
    ['()', '1:0', false],
    ['[5:0]', '5:0', true],
    ['[5:0]', '5:1', false],
    ['[5:0]', '4:999999999', false],
    ['(5:0_', '5:0', false],
    ['(5:0_', '5:1', true],
    ['[5:0_', '5:0', true],
    ['_5:0)', '5:0', false],
    ['_5:0)', '-9223372036:854775808', true],
    ['_5:0]', '5:0', true],
    ['[-2:0_-1:0)', '-1:500000000', true],
    ['[-2:0_-1:0)', '-1:0', false],
    ['[-2:0_-1:0)', '-2:0', true],
    ['(-2:0_-1:0)', '-2:0', false],
  ])('%s contains %s is %s', (range, ts, expected) => {
    expect(tr(range).containsTimestamp(parseTimestamp(ts))).toBe(expected);
  });
});

describe('intersect (symmetric)', () => {
  it.each<[string, string, string]>([
    ['[0:0_10:0)', '[5:0_15:0)', '[5:0_10:0)'],
    ['[0:0_10:0]', '[5:0_15:0)', '[5:0_10:0]'],
    ['(0:0_10:0]', '[0:0_15:0)', '(0:0_10:0]'],
    ['[0:0_10:0)', '[10:0_20:0)', '()'],
    ['[0:0_10:0]', '[10:0_20:0)', '[10:0]'],
    ['[0:0_10:0]', '(10:0_20:0)', '()'],
    ['(0:0_10:0)', '[0:0_10:0]', '(0:0_10:0)'],
    ['[0:0_10:0)', '[0:0_10:0]', '[0:0_10:0)'],
    ['_', '[1:0_2:0)', '[1:0_2:0)'],
    ['_', '_', '_'],
    ['_5:0)', '(3:0_', '(3:0_5:0)'],
    ['_5:0)', '[5:0_', '()'],
    ['_5:0]', '[5:0_', '[5:0]'],
    ['_5:0)', '_3:0]', '_3:0]'],
    ['(3:0_', '[3:0_', '(3:0_'],
    ['[0:0_', '_10:0)', '[0:0_10:0)'],
    ['()', '_', '()'],
    ['()', '()', '()'],
    ['()', '[0:0]', '()'],
    ['[0:0_10:0)', '[3:0]', '[3:0]'],
    ['[0:0_10:0)', '[10:0]', '()'],
    ['[0:0_10:0)', '[0:0]', '[0:0]'],
    ['[-5:0_5:0)', '[-10:0_0:0)', '[-5:0_0:0)'],
    ['[0:0_10:0)', '[20:0_30:0)', '()'],
    ['[0:0_10:0)', '(9:999999999_20:0)', '(9:999999999_10:0)'],
  ])('%s ∩ %s = %s', (a, b, expected) => {
    expect(tr(a).intersect(tr(b)).format()).toBe(expected);
    expect(tr(b).intersect(tr(a)).format()).toBe(expected);
  });
});

describe('envelope (symmetric)', () => {
  it.each<[string, string, string]>([
    ['[0:0_10:0)', '[10:0_20:0)', '[0:0_20:0)'],
    ['[0:0_10:0)', '[20:0_30:0)', '[0:0_30:0)'],
    ['(0:0_10:0)', '[0:0_5:0)', '[0:0_10:0)'],
    ['(0:0_10:0)', '(0:0_10:0]', '(0:0_10:0]'],
    ['(0:0_10:0)', '[2:0_3:0]', '(0:0_10:0)'],
    ['[0:0_10:0)', '()', '[0:0_10:0)'],
    ['()', '()', '()'],
    ['()', '_', '_'],
    ['()', '[0:0]', '[0:0]'],
    ['[5:0]', '[7:0]', '[5:0_7:0]'],
    ['[5:0]', '[5:0]', '[5:0]'],
    ['[5:0]', '(5:0_6:0)', '[5:0_6:0)'],
    ['[6:0]', '(5:0_6:0)', '(5:0_6:0]'],
    ['_5:0)', '[10:0_20:0]', '_20:0]'],
    ['[0:0_', '[-5:0_-4:0)', '[-5:0_'],
    ['_0:0)', '(0:0_', '_'],
    ['[-10:0_-5:0)', '[3:0_4:0)', '[-10:0_4:0)'],
    ['_', '[3:0_4:0)', '_'],
  ])('envelope(%s, %s) = %s', (a, b, expected) => {
    expect(tr(a).envelope(tr(b)).format()).toBe(expected);
    expect(tr(b).envelope(tr(a)).format()).toBe(expected);
  });
});

describe('predicates and duration', () => {
  it.each<[string, boolean, boolean, boolean, boolean, bigint | null]>([
    // range, empty, eternity, instantaneous, bounded, duration
    ['()', true, false, false, true, 0n],
    ['_', false, true, false, false, null],
    ['[5:0]', false, false, true, true, 0n],
    ['[0:0_10:0)', false, false, false, true, 10n * S],
    ['(0:0_10:0]', false, false, false, true, 10n * S],
    ['(0:0_0:1)', false, false, false, true, 1n],
    ['[-1:500000000_1:0)', false, false, false, true, 2_500_000_000n],
    ['(5:0_', false, false, false, false, null],
    ['_5:0)', false, false, false, false, null],
    ['[0:0]', false, false, true, true, 0n],
  ])('%s', (s, empty, eternity, instantaneous, bounded, duration) => {
    const r = tr(s);
    expect(r.isEmpty()).toBe(empty);
    expect(r.isEternity()).toBe(eternity);
    expect(r.isInstantaneous()).toBe(instantaneous);
    expect(r.isBounded()).toBe(bounded);
    expect(r.durationNs()).toBe(duration);
  });
});

describe("shift (a segment on its object's timeline)", () => {
  it.each<[string, string, string]>([
    ['[10:0_20:0)', '-10:0', '[0:0_10:0)'],
    ['(10:0_20:0]', '0:500000000', '(10:500000000_20:500000000]'],
    ['[5:0]', '-5:0', '[0:0]'],
    ['(5:0_', '1:0', '(6:0_'],
    ['_', '1:0', '_'],
    ['()', '1:0', '()'],
  ])('%s moved by %s is %s', (range, by, expected) => {
    expect(tr(range).shift(parseTimestamp(by)).format()).toBe(expected);
  });
});

describe('construction and normalisation', () => {
  it('defaults to inclusive bounds, as an unmarked string does', () => {
    expect(TimeRange.from(0n, 10n * S).format()).toBe('[0:0_10:0]');
    expect(TimeRange.from(0n, 10n * S, { endInclusive: false }).format()).toBe('[0:0_10:0)');
    expect(TimeRange.from(0n, 10n * S, { startInclusive: false }).format()).toBe('(0:0_10:0]');
  });

  it('drops inclusivity on unbounded sides', () => {
    const r = TimeRange.from(null, 10n * S, { startInclusive: true, endInclusive: false });
    expect(r.startInclusive).toBe(false);
    expect(r.format()).toBe('_10:0)');
    const l = TimeRange.fromBounds(5n, null, true, true);
    expect(l.endInclusive).toBe(false);
    expect(l.startInclusive).toBe(true);
    expect(l.equals(TimeRange.fromBounds(5n, null, true, false))).toBe(true);
  });

  it('collapses every empty range onto EMPTY and both-unbounded onto ETERNITY', () => {
    expect(TimeRange.from(5n, 3n)).toBe(TimeRange.EMPTY);
    expect(TimeRange.from(5n, 5n, { endInclusive: false })).toBe(TimeRange.EMPTY);
    expect(TimeRange.fromBounds(5n, 5n, false, true)).toBe(TimeRange.EMPTY);
    expect(TimeRange.from(-1n, -2n).equals(tr('()'))).toBe(true);
    expect(TimeRange.from(null, null, { startInclusive: true })).toBe(TimeRange.ETERNITY);
    expect(TimeRange.EMPTY.isEmpty()).toBe(true);
    expect(TimeRange.ETERNITY.isEternity()).toBe(true);
  });

  it('stores EMPTY as (0:0_0:0) so the same column values read back as empty', () => {
    const e = TimeRange.EMPTY;
    expect([e.start, e.end, e.startInclusive, e.endInclusive]).toEqual([0n, 0n, false, false]);
    expect(TimeRange.fromBounds(e.start, e.end, e.startInclusive, e.endInclusive)).toBe(TimeRange.EMPTY);
  });

  it('builds instants', () => {
    const i = TimeRange.instant(-5n);
    expect(i.isInstantaneous()).toBe(true);
    expect(i.format()).toBe('[-0:5]');
    expect(i.equals(TimeRange.from(-5n, -5n))).toBe(true);
    expect(i.containsTimestamp(-5n)).toBe(true);
    expect(i.containsTimestamp(-4n)).toBe(false);
  });

  it.each<[string, string, boolean]>([
    ['[0:0_10:0)', '[0:0_10:0)', true],
    ['[0:0_10:0)', '[0:0_10:0]', false],
    ['[0:0_10:0)', '(0:0_10:0)', false],
    ['[0:0_10:0)', '[0:0_10:1)', false],
    ['[0:0_10:0)', '[0:1_10:0)', false],
    ['[5:0]', '[5:0_5:0]', true],
    ['[5:0]', '5:0', true],
    ['_', '[_]', true],
    ['(5:0_', '(5:0_]', true],
    ['(5:0_', '[5:0_', false],
    ['_5:0)', '[_5:0)', true],
    ['()', '(5:0)', true],
    ['()', '[5:0_3:0]', true],
    ['()', '[0:0]', false],
    ['()', '_', false],
  ])('%s equals %s is %s', (a, b, expected) => {
    expect(tr(a).equals(tr(b))).toBe(expected);
    expect(tr(b).equals(tr(a))).toBe(expected);
  });
});
