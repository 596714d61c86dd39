import { describe, expect, it } from 'vitest';
import { prng, randomBigInt } from '../../test/support/time/time.testkit.ts';
import { TimeFormatError } from './time.errors.ts';
import {
  fitsInt64,
  formatTimestamp,
  INT64_MAX,
  INT64_MIN,
  isTimestampString,
  NS_PER_SECOND,
  parseTimestamp,
} from './timestamp.ts';

/** Copied verbatim from api/schemas/timestamp.json (7.0) so the tests pin the published grammar. */
const SPEC_TIMESTAMP = /^-?(0|[1-9][0-9]*):(0|[1-9][0-9]{0,8})$/;

describe('parseTimestamp: valid strings', () => {
  it.each<[string, bigint]>([
    ['0:0', 0n],
    ['-0:0', 0n],
    ['0:1', 1n],
    ['-0:1', -1n],
    ['1:0', 1_000_000_000n],
    ['-1:0', -1_000_000_000n],
    // The nanosecond part is a count, not a decimal fraction.
    ['1:5', 1_000_000_005n],
    ['1:50', 1_000_000_050n],
    ['1:500000000', 1_500_000_000n],
    ['1:100000000', 1_100_000_000n],
    ['10:10', 10_000_000_010n],
    // The sign covers the whole value.
    ['-1:500000000', -1_500_000_000n],
    ['-0:500000000', -500_000_000n],
    ['-2:1', -2_000_000_001n],
    ['0:999999999', 999_999_999n],
    ['-0:999999999', -999_999_999n],
    ['1:999999999', 1_999_999_999n],
    ['1694429247:40000000', 1_694_429_247_040_000_000n],
    ['9223372036:854775807', INT64_MAX],
    ['-9223372036:854775808', INT64_MIN],
    ['9223372036:854775808', INT64_MAX + 1n],
    ['-9223372036:854775809', INT64_MIN - 1n],
    ['281474976710655:999999999', 281_474_976_710_655_999_999_999n],
    ['123456789012345678901234567890:0', 123456789012345678901234567890n * NS_PER_SECOND],
  ])('%s -> %s ns', (s, ns) => {
    expect(parseTimestamp(s)).toBe(ns);
    expect(isTimestampString(s)).toBe(true);
  });
});

const INVALID_TIMESTAMPS = [
  '',
  ':',
  '0',
  '1',
  '-',
  '-0',
  '0:',
  ':0',
  '-:0',
  '1:',
  '00:0',
  '01:0',
  '-01:0',
  '0:00',
  '0:01',
  '1:0000000000',
  '1:1000000000',
  '0:9999999999',
  '+1:0',
  '--1:0',
  '- 1:0',
  '-+1:0',
  '1:-5',
  '-1:-5',
  ' 1:0',
  '1:0 ',
  '\t1:0',
  '1:0\n',
  '\n1:0',
  '1 : 0',
  '1.5',
  '1.5:0',
  '1:0.5',
  '1:5:0',
  '1::0',
  'a:0',
  '1:a',
  '0x1:0',
  '1e3:0',
  '1_000:0',
  '１:0',
  '٣:0',
  '1:0\u0000',
  '1:0_',
  '[1:0]',
  '_1:0',
  'NaN',
  'Infinity:0',
];

describe('parseTimestamp: invalid strings', () => {
  it.each(INVALID_TIMESTAMPS)('rejects %j', (s) => {
    expect(SPEC_TIMESTAMP.test(s)).toBe(false);
    expect(isTimestampString(s)).toBe(false);
    expect(() => parseTimestamp(s)).toThrow(TimeFormatError);
  });
});

describe('TimeFormatError', () => {
  it('names the bad input and the expected shape', () => {
    let caught: unknown;
    try {
      parseTimestamp('01:5');
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(TimeFormatError);
    expect(caught).toBeInstanceOf(Error);
    const err = caught as TimeFormatError;
    expect(err.name).toBe('TimeFormatError');
    expect(err.input).toBe('01:5');
    expect(err.message).toContain('"01:5"');
    expect(err.message).toContain('timestamp');
  });

  it('truncates very long input in the message but keeps it whole on the error', () => {
    const long = `1:${'9'.repeat(500)}`;
    try {
      parseTimestamp(long);
      expect.unreachable();
    } catch (e) {
      const err = e as TimeFormatError;
      expect(err.input).toBe(long);
      expect(err.message.length).toBeLessThan(250);
      expect(err.message).toContain('...');
    }
  });
});

describe('formatTimestamp', () => {
  it.each<[bigint, string]>([
    [0n, '0:0'],
    [-0n, '0:0'],
    [1n, '0:1'],
    [-1n, '-0:1'],
    [5n, '0:5'],
    [999_999_999n, '0:999999999'],
    [-999_999_999n, '-0:999999999'],
    [1_000_000_000n, '1:0'],
    [-1_000_000_000n, '-1:0'],
    [1_000_000_005n, '1:5'],
    [1_500_000_000n, '1:500000000'],
    [-1_500_000_000n, '-1:500000000'],
    [-500_000_000n, '-0:500000000'],
    [-2_000_000_001n, '-2:1'],
    [1_694_429_247_040_000_000n, '1694429247:40000000'],
    [INT64_MAX, '9223372036:854775807'],
    [INT64_MIN, '-9223372036:854775808'],
    [10n ** 30n, '1000000000000000000000:0'],
  ])('%s ns -> %s', (ns, s) => {
    expect(formatTimestamp(ns)).toBe(s);
    expect(SPEC_TIMESTAMP.test(s)).toBe(true);
  });
});

describe('round trips', () => {
  it('format(parse(s)) is s for every canonical string, and -0:0 canonicalises to 0:0', () => {
    const canonical = [
      '0:0',
      '0:1',
      '-0:1',
      '1:5',
      '-1:500000000',
      '1694429247:40000000',
      '-9223372036:854775808',
    ];
    for (const s of canonical) expect(formatTimestamp(parseTimestamp(s))).toBe(s);
    expect(formatTimestamp(parseTimestamp('-0:0'))).toBe('0:0');
  });

  it('parse(format(ns)) is ns for 5000 seeded random values across the int64 range and beyond', () => {
    const rand = prng(0x7a45);
    for (let i = 0; i < 5000; i++) {
      const bits = [8, 30, 34, 53, 63, 64, 90][i % 7] ?? 63;
      const magnitude = randomBigInt(rand, bits);
      const ns = rand() < 0.5 ? -magnitude : magnitude;
      const s = formatTimestamp(ns);
      expect(SPEC_TIMESTAMP.test(s)).toBe(true);
      expect(s).not.toBe('-0:0');
      expect(parseTimestamp(s)).toBe(ns);
    }
  });

  it('agrees with the spec pattern on 20000 seeded random strings over the grammar alphabet', () => {
    const rand = prng(0x5eed);
    const alphabet = ['0', '1', '5', '9', ':', '-', '0', '1'];
    let accepted = 0;
    for (let i = 0; i < 20000; i++) {
      let s = '';
      const len = Math.floor(rand() * 8);
      for (let j = 0; j < len; j++) s += alphabet[Math.floor(rand() * alphabet.length)];
      const valid = SPEC_TIMESTAMP.test(s);
      expect(isTimestampString(s)).toBe(valid);
      if (valid) {
        accepted++;
        expect(parseTimestamp(s)).toBeTypeOf('bigint');
      } else {
        expect(() => parseTimestamp(s)).toThrow(TimeFormatError);
      }
    }
    // Guards against a generator that never produces valid strings and so proves nothing.
    expect(accepted).toBeGreaterThan(200);
  });
});

describe('int64 limits', () => {
  it('has the signed 64-bit bounds', () => {
    expect(INT64_MAX).toBe(9_223_372_036_854_775_807n);
    expect(INT64_MIN).toBe(-9_223_372_036_854_775_808n);
    expect(BigInt.asIntN(64, INT64_MAX + 1n)).toBe(INT64_MIN);
  });

  it.each<[bigint | null, boolean]>([
    [null, true],
    [0n, true],
    [INT64_MAX, true],
    [INT64_MIN, true],
    [INT64_MAX + 1n, false],
    [INT64_MIN - 1n, false],
    [10n ** 30n, false],
    [-(10n ** 30n), false],
  ])('fitsInt64(%s) is %s', (ns, fits) => {
    expect(fitsInt64(ns)).toBe(fits);
  });
});
