import { describe, expect, it } from 'vitest';
import { prng } from '../../test/support/time/time.testkit.ts';
import { TimeFormatError } from './time.errors.ts';
import { isTimeRangeString, parseTimeRange } from './timerange.parse.ts';
import { TimeRange } from './timerange.ts';

/** Copied verbatim from api/schemas/timerange.json (7.0) so the tests pin the published grammar. */
const SPEC_TIMERANGE =
  /^(\[|\()?(-?(0|[1-9][0-9]*):(0|[1-9][0-9]{0,8}))?(_(-?(0|[1-9][0-9]*):(0|[1-9][0-9]{0,8}))?)?(\]|\))?$/;

const S = 1_000_000_000n;

/** Every grammar form the regex admits, with the canonical string the reference library prints. */
const PARSE_CASES: [input: string, canonical: string][] = [
  // No timestamps, no `_`: empty, whatever the markers.
  ['', '()'],
  ['()', '()'],
  ['[]', '()'],
  ['(]', '()'],
  ['[)', '()'],
  ['[', '()'],
  ['(', '()'],
  [']', '()'],
  [')', '()'],
  // No timestamps with `_`: eternity, markers ignored.
  ['_', '_'],
  ['[_', '_'],
  ['(_', '_'],
  ['_]', '_'],
  ['_)', '_'],
  ['[_]', '_'],
  ['(_)', '_'],
  ['[_)', '_'],
  ['(_]', '_'],
  // One timestamp without `_`: an instant, or empty if either marker is exclusive.
  ['5:0', '[5:0]'],
  ['[5:0]', '[5:0]'],
  ['[5:0', '[5:0]'],
  ['5:0]', '[5:0]'],
  ['(5:0]', '()'],
  ['[5:0)', '()'],
  ['(5:0)', '()'],
  ['(5:0', '()'],
  ['5:0)', '()'],
  ['0:0', '[0:0]'],
  ['[0:0]', '[0:0]'],
  ['-0:0', '[0:0]'],
  ['[-0:0]', '[0:0]'],
  ['[-5:0]', '[-5:0]'],
  ['[-0:1]', '[-0:1]'],
  ['[1:5]', '[1:5]'],
  ['[1694429247:0]', '[1694429247:0]'],
  // Two equal timestamps.
  ['[5:0_5:0]', '[5:0]'],
  ['5:0_5:0', '[5:0]'],
  ['[5:0_5:0', '[5:0]'],
  ['5:0_5:0]', '[5:0]'],
  ['[5:0_5:0)', '()'],
  ['(5:0_5:0]', '()'],
  ['(5:0_5:0)', '()'],
  ['5:0_5:0)', '()'],
  ['(5:0_5:0', '()'],
  ['[-0:0_0:0]', '[0:0]'],
  ['[0:0_-0:0)', '()'],
  // Bounded ranges.
  ['[0:0_10:0)', '[0:0_10:0)'],
  ['[0:0_10:0]', '[0:0_10:0]'],
  ['(0:0_10:0)', '(0:0_10:0)'],
  ['(0:0_10:0]', '(0:0_10:0]'],
  ['0:0_10:0', '[0:0_10:0]'],
  ['[0:0_10:0', '[0:0_10:0]'],
  ['(0:0_10:0', '(0:0_10:0]'],
  ['0:0_10:0)', '[0:0_10:0)'],
  ['0:0_10:0]', '[0:0_10:0]'],
  ['[1694429247:0_1694429248:0)', '[1694429247:0_1694429248:0)'],
  ['[-10:0_-5:0)', '[-10:0_-5:0)'],
  ['[-1:500000000_0:500000000)', '[-1:500000000_0:500000000)'],
  ['(-0:1_0:1)', '(-0:1_0:1)'],
  ['[-0:0_0:1)', '[0:0_0:1)'],
  // A range holding no whole nanosecond is still not empty (real-interval semantics).
  ['(0:0_0:1)', '(0:0_0:1)'],
  ['(0:999999999_1:0)', '(0:999999999_1:0)'],
  // Reversed: empty.
  ['[5:0_3:0)', '()'],
  ['[5:0_3:0]', '()'],
  ['(5:0_3:0)', '()'],
  ['5:0_3:0', '()'],
  ['[0:1_0:0]', '()'],
  ['[-1:0_-2:0]', '()'],
  ['[0:0_-0:1]', '()'],
  // Unbounded end: an end marker is accepted and ignored.
  ['[0:0_', '[0:0_'],
  ['(5:0_', '(5:0_'],
  ['0:0_', '[0:0_'],
  ['[0:0_]', '[0:0_'],
  ['[0:0_)', '[0:0_'],
  ['0:0_)', '[0:0_'],
  ['(5:0_)', '(5:0_'],
  ['(5:0_]', '(5:0_'],
  ['[-5:0_', '[-5:0_'],
  ['(-0:0_', '(0:0_'],
  // Unbounded start: a start marker is accepted and ignored.
  ['_10:0)', '_10:0)'],
  ['_10:0]', '_10:0]'],
  ['_10:0', '_10:0]'],
  ['[_10:0)', '_10:0)'],
  ['(_10:0)', '_10:0)'],
  ['(_10:0]', '_10:0]'],
  ['(_10:0', '_10:0]'],
  ['_-10:0)', '_-10:0)'],
  ['_-0:0)', '_0:0)'],
  // Extremes: the parser is not limited to int64 (the service checks that separately).
  ['[9223372036:854775807]', '[9223372036:854775807]'],
  ['[-9223372036:854775808_9223372036:854775807]', '[-9223372036:854775808_9223372036:854775807]'],
  ['[0:0_123456789012345678901234567890:0)', '[0:0_123456789012345678901234567890:0)'],
  ['[0:999999999_1:999999999)', '[0:999999999_1:999999999)'],
];

describe('parseTimeRange: every admitted form', () => {
  it.each(PARSE_CASES)('%j -> %s', (input, canonical) => {
    expect(SPEC_TIMERANGE.test(input)).toBe(true);
    expect(isTimeRangeString(input)).toBe(true);
    const r = parseTimeRange(input);
    expect(r.format()).toBe(canonical);
    expect(String(r)).toBe(canonical);
    expect(JSON.stringify({ r })).toBe(`{"r":"${canonical}"}`);
    // The canonical form is a fixed point.
    expect(parseTimeRange(canonical).equals(r)).toBe(true);
    expect(parseTimeRange(canonical).format()).toBe(canonical);
  });
});

describe('parseTimeRange: normalised fields', () => {
  it.each<[string, bigint | null, bigint | null, boolean, boolean]>([
    ['[0:0_10:0)', 0n, 10n * S, true, false],
    ['(0:0_10:0]', 0n, 10n * S, false, true],
    ['0:0_10:0', 0n, 10n * S, true, true],
    ['(5:0_', 5n * S, null, false, false],
    ['(5:0_]', 5n * S, null, false, false],
    ['[5:0_)', 5n * S, null, true, false],
    ['_10:0]', null, 10n * S, false, true],
    ['[_10:0)', null, 10n * S, false, false],
    ['[_]', null, null, false, false],
    ['5:0', 5n * S, 5n * S, true, true],
    ['[-1:500000000_-0:1)', -1_500_000_000n, -1n, true, false],
    ['[1:5]', 1_000_000_005n, 1_000_000_005n, true, true],
  ])('%s', (input, start, end, startInclusive, endInclusive) => {
    const r = parseTimeRange(input);
    expect(r.start).toBe(start);
    expect(r.end).toBe(end);
    expect(r.startInclusive).toBe(startInclusive);
    expect(r.endInclusive).toBe(endInclusive);
  });

  it('returns the shared singletons for empty and eternity', () => {
    for (const s of ['', '()', '[', '(5:0)', '[5:0_3:0]']) expect(parseTimeRange(s)).toBe(TimeRange.EMPTY);
    for (const s of ['_', '[_]', '(_']) expect(parseTimeRange(s)).toBe(TimeRange.ETERNITY);
  });
});

const INVALID_TIMERANGES = [
  ' ',
  ' [0:0]',
  '[0:0] ',
  '[0:0]\n',
  '\n',
  '[[0:0_1:0]',
  '[0:0_1:0]]',
  '([0:0]',
  '[0:0_1:0)]',
  '__',
  '[0:0__1:0]',
  '[0:0_1:0_2:0]',
  '[_]_',
  '[0:0)_',
  '_[0:0',
  '()()',
  '[][]',
  '{0:0}',
  '<0:0>',
  ']0:0[',
  ')0:0(',
  ']0:0_1:0[',
  '[0:0,1:0]',
  '[0:0-1:0]',
  '[0:0 _1:0]',
  '[0:0_ 1:0]',
  '[00:0]',
  '[0:00]',
  '[01:0_2:0)',
  '[0:0_02:0)',
  '[1:1000000000]',
  '[0:0_1:1000000000)',
  '[+1:0]',
  '[--1:0]',
  '[0:0_--1:0]',
  '[- 1:0]',
  '[1.5]',
  '[1]',
  '[1:]',
  '[:1]',
  '[1:0:0]',
  '0:0_1',
  '1_2',
  '[0:0_1:0}',
  'eternity',
  'never',
  '[a:0]',
  '[0:0_\u00a0]',
  '＿',
];

describe('parseTimeRange: rejected strings', () => {
  it.each(INVALID_TIMERANGES)('rejects %j', (s) => {
    expect(SPEC_TIMERANGE.test(s)).toBe(false);
    expect(isTimeRangeString(s)).toBe(false);
    expect(() => parseTimeRange(s)).toThrow(TimeFormatError);
  });

  it('names the input in the error', () => {
    expect(() => parseTimeRange('[0:0__1:0]')).toThrow(/invalid timerange "\[0:0__1:0\]"/);
  });
});

describe('parseTimeRange: agreement with the spec pattern', () => {
  it('accepts exactly what the 7.0 regex admits on 30000 seeded random strings', () => {
    const rand = prng(0x7e11);
    const alphabet = ['[', ']', '(', ')', '_', '_', '0', '1', '5', ':', ':', '-'];
    const disagreements: string[] = [];
    let accepted = 0;
    for (let i = 0; i < 30000; i++) {
      let s = '';
      const len = Math.floor(rand() * 12);
      for (let j = 0; j < len; j++) s += alphabet[Math.floor(rand() * alphabet.length)];
      const valid = SPEC_TIMERANGE.test(s);
      let parsed: boolean;
      try {
        parseTimeRange(s);
        parsed = true;
      } catch (e) {
        if (!(e instanceof TimeFormatError)) throw e;
        parsed = false;
      }
      if (parsed !== valid || isTimeRangeString(s) !== valid) disagreements.push(s);
      if (valid) accepted++;
    }
    expect(disagreements).toEqual([]);
    expect(accepted).toBeGreaterThan(300);
  });
});
