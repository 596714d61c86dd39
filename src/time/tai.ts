import { NS_PER_SECOND } from './timestamp.ts';

/**
 * TAI-UTC since 1972: the Unix time (UTC, seconds) from which each offset applies, and the offset
 * in seconds (IERS Bulletin C; the same list as tzdata's leap-seconds.list, which tai.test.ts
 * compares it with). A new leap second announced by the IERS is one more row here.
 */
const TAI_MINUS_UTC: readonly (readonly [utcSeconds: number, offset: number])[] = [
  [63072000, 10], // 1972-01-01
  [78796800, 11], // 1972-07-01
  [94694400, 12], // 1973-01-01
  [126230400, 13], // 1974-01-01
  [157766400, 14], // 1975-01-01
  [189302400, 15], // 1976-01-01
  [220924800, 16], // 1977-01-01
  [252460800, 17], // 1978-01-01
  [283996800, 18], // 1979-01-01
  [315532800, 19], // 1980-01-01
  [362793600, 20], // 1981-07-01
  [394329600, 21], // 1982-07-01
  [425865600, 22], // 1983-07-01
  [489024000, 23], // 1985-07-01
  [567993600, 24], // 1988-01-01
  [631152000, 25], // 1990-01-01
  [662688000, 26], // 1991-01-01
  [709948800, 27], // 1992-07-01
  [741484800, 28], // 1993-07-01
  [773020800, 29], // 1994-07-01
  [820454400, 30], // 1996-01-01
  [867715200, 31], // 1997-07-01
  [915148800, 32], // 1999-01-01
  [1136073600, 33], // 2006-01-01
  [1230768000, 34], // 2009-01-01
  [1341100800, 35], // 2012-07-01
  [1435708800, 36], // 2015-07-01
  [1483228800, 37], // 2017-01-01
];

/** The table as TAI instants (ns) from which each offset applies, for the conversion's search. */
const STEPS = TAI_MINUS_UTC.map(([utc, offset]) => ({
  tai: BigInt(utc + offset) * NS_PER_SECOND,
  utc: BigInt(utc) * NS_PER_SECOND,
  offset: BigInt(offset) * NS_PER_SECOND,
}));

/** The leap seconds table, for tests and tools: [Unix time (UTC) from which it applies, TAI-UTC]. */
export function leapSecondTable(): readonly (readonly [number, number])[] {
  return TAI_MINUS_UTC;
}

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
}

/**
 * A TAMS timestamp on the default timeline (nanoseconds since 1970-01-01T00:00:00 TAI, the PTP
 * epoch of AppNote 0008) as Unix time in UTC milliseconds, what `Date` and ISO 8601 strings hold.
 *
 * Before 1972 UTC ran at a different rate from TAI; the 10 s of 1972 is used for those instants
 * (off by up to 2 s in the 1960s, which no TAMS content is from). An instant inside a leap
 * second (UTC 23:59:60, which `Date` cannot express) is given as 23:59:59.999 of that day, so
 * the mapping never goes backwards.
 */
export function taiToUtcMillis(taiNs: bigint): number {
  let lo = 0;
  let hi = STEPS.length - 1;
  // The last step at or before the instant (binary search: the table is in time order).
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if ((STEPS[mid] as (typeof STEPS)[number]).tai <= taiNs) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  const step = STEPS[Math.max(found, 0)] as (typeof STEPS)[number];
  const next = found >= 0 ? STEPS[found + 1] : undefined;
  // The second before the next step's TAI instant is that step's leap second.
  if (next !== undefined && taiNs >= next.tai - NS_PER_SECOND) return Number(next.utc / 1_000_000n) - 1;
  return Number(floorDiv(taiNs - step.offset, 1_000_000n));
}

/** `taiToUtcMillis` as an ISO 8601 date-time with milliseconds and `Z` (EXT-X-PROGRAM-DATE-TIME). */
export function taiToUtcIso(taiNs: bigint): string {
  return new Date(taiToUtcMillis(taiNs)).toISOString();
}

/** Unix time in UTC milliseconds (a `Date`) as a TAMS timestamp on the default timeline (ns, TAI). */
export function utcMillisToTai(utcMs: number): bigint {
  const utcNs = BigInt(Math.floor(utcMs)) * 1_000_000n;
  let offset = (STEPS[0] as (typeof STEPS)[number]).offset;
  for (const step of STEPS) if (step.utc <= utcNs) offset = step.offset;
  return utcNs + offset;
}
