import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { leapSecondTable, taiToUtcIso, taiToUtcMillis, utcMillisToTai } from './tai.ts';

const S = 1_000_000_000n;
/** Seconds from the NTP epoch (1900) to the Unix epoch (1970), the offset of leap-seconds.list. */
const NTP_TO_UNIX = 2_208_988_800;
const LEAP_LIST = '/usr/share/zoneinfo/leap-seconds.list';

describe('TAI to UTC', () => {
  it('takes the offset in force: 37 s since 2017, 10 s at the start of 1972', () => {
    // 2020-01-01T00:00:00Z is 1577836800 Unix seconds, so 1577836837 s TAI.
    expect(taiToUtcIso(1_577_836_837n * S)).toBe('2020-01-01T00:00:00.000Z');
    expect(taiToUtcIso(63_072_010n * S)).toBe('1972-01-01T00:00:00.000Z');
    // Before 1972: the 1972 offset (documented approximation).
    expect(taiToUtcIso(10n * S)).toBe('1970-01-01T00:00:00.000Z');
  });

  it('keeps milliseconds, flooring below them, and negative instants', () => {
    expect(taiToUtcIso(1_577_836_837n * S + 123_999_999n)).toBe('2020-01-01T00:00:00.123Z');
    expect(taiToUtcMillis(9n * S + 999_999_999n)).toBe(-1);
  });

  it('maps the leap second 2016-12-31T23:59:60 to 23:59:59.999, never going backwards', () => {
    // 23:59:59 UTC of 2016-12-31 is TAI 1483228799 + 36; the leap second is the next TAI second.
    const before = (1_483_228_799n + 36n) * S;
    expect(taiToUtcIso(before)).toBe('2016-12-31T23:59:59.000Z');
    expect(taiToUtcIso(before + S)).toBe('2016-12-31T23:59:59.999Z');
    expect(taiToUtcIso(before + S + 500_000_000n)).toBe('2016-12-31T23:59:59.999Z');
    expect(taiToUtcIso(before + 2n * S)).toBe('2017-01-01T00:00:00.000Z');
    let last = Number.NEGATIVE_INFINITY;
    for (let t = before - S; t < before + 4n * S; t += 250_000_000n) {
      const ms = taiToUtcMillis(t);
      expect(ms).toBeGreaterThanOrEqual(last);
      last = ms;
    }
  });

  it('maps UTC back to TAI with the offset in force, the inverse of taiToUtcMillis outside leap seconds', () => {
    expect(utcMillisToTai(Date.parse('2020-01-01T00:00:00.123Z'))).toBe(1_577_836_837n * S + 123_000_000n);
    expect(utcMillisToTai(Date.parse('2016-12-31T23:59:59Z'))).toBe((1_483_228_799n + 36n) * S);
    expect(utcMillisToTai(Date.parse('2017-01-01T00:00:00Z'))).toBe((1_483_228_800n + 37n) * S);
    expect(utcMillisToTai(0)).toBe(10n * S);
    for (const iso of ['1999-06-30T12:00:00.500Z', '2012-07-01T00:00:00Z', '2026-11-24T19:00:00Z']) {
      const ms = Date.parse(iso);
      expect(taiToUtcMillis(utcMillisToTai(ms))).toBe(ms);
    }
  });

  // tzdata's list of leap seconds (Debian's tzdata package) is the reference the table was
  // written from; where it is installed, the two must agree row for row.
  it.skipIf(!existsSync(LEAP_LIST))(`agrees with ${LEAP_LIST}`, () => {
    const rows = readFileSync(LEAP_LIST, 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '' && !line.startsWith('#'))
      .map((line) => line.trim().split(/\s+/))
      .map(([ntp, offset]) => [Number(ntp) - NTP_TO_UNIX, Number(offset)]);
    expect(rows.length).toBeGreaterThanOrEqual(28);
    expect(leapSecondTable()).toEqual(rows);
  });
});
