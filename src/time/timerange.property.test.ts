/**
 * Seeded property tests: every operation is checked against an independent oracle that treats a
 * range as a real interval and samples it at a finite set of points (all endpoints, the midpoints
 * between neighbouring endpoints, and one point beyond each extreme). With endpoints drawn from a
 * small pool those points decide every set relation exactly, so the oracle is not an approximation.
 */
import { describe, expect, it } from 'vitest';
import { pick, prng, randomBigInt } from '../../test/support/time/time.testkit.ts';
import { containsBounds, overlapsBounds } from './timerange.bounds.ts';
import { compareByEnd, compareByStart } from './timerange.order.ts';
import { parseTimeRange } from './timerange.parse.ts';
import { TimeRange } from './timerange.ts';
import { formatTimestamp } from './timestamp.ts';

const SPEC_TIMERANGE =
  /^(\[|\()?(-?(0|[1-9][0-9]*):(0|[1-9][0-9]{0,8}))?(_(-?(0|[1-9][0-9]*):(0|[1-9][0-9]{0,8}))?)?(\]|\))?$/;

const S = 1_000_000_000n;
const POOL = [-2n * S, -S - 1n, -1n, 0n, 1n, S, 2n * S];

/** A range as generated, before any normalisation; flags next to null bounds are random too. */
interface Raw {
  start: bigint | null;
  end: bigint | null;
  si: boolean;
  ei: boolean;
}

// Sample points in doubled coordinates so midpoints stay integral.
const sortedEnds = [...new Set(POOL)].sort((a, b) => (a < b ? -1 : 1)).map((v) => 2n * v);
const POINTS: bigint[] = [(sortedEnds[0] ?? 0n) - 2n];
for (const [i, p] of sortedEnds.entries()) {
  POINTS.push(p);
  const next = sortedEnds[i + 1];
  POINTS.push(next === undefined ? p + 2n : (p + next) / 2n);
}

function member(r: Raw, p: bigint): boolean {
  const okStart = r.start === null || p > 2n * r.start || (p === 2n * r.start && r.si);
  const okEnd = r.end === null || p < 2n * r.end || (p === 2n * r.end && r.ei);
  return okStart && okEnd;
}

const membership = (r: Raw): boolean[] => POINTS.map((p) => member(r, p));
const rangeMembership = (r: TimeRange): boolean[] =>
  membership({ start: r.start, end: r.end, si: r.startInclusive, ei: r.endInclusive });

function randomRaw(rand: () => number): Raw {
  const start = rand() < 0.2 ? null : pick(rand, POOL);
  // Equal bounds are rare by chance but are where inclusivity matters most.
  const end = rand() < 0.15 ? start : rand() < 0.2 ? null : pick(rand, POOL);
  return { start, end, si: rand() < 0.5, ei: rand() < 0.5 };
}

/** A random but valid spelling of the raw range: optional markers where the grammar allows them. */
function spell(r: Raw, rand: () => number): string {
  const startMark = r.start === null ? pick(rand, ['', '[', '(']) : r.si ? pick(rand, ['', '[']) : '(';
  const endMark = r.end === null ? pick(rand, ['', ']', ')']) : r.ei ? pick(rand, ['', ']']) : ')';
  const ts = (v: bigint | null) => (v === null ? '' : v === 0n && rand() < 0.3 ? '-0:0' : formatTimestamp(v));
  return `${startMark}${ts(r.start)}_${ts(r.end)}${endMark}`;
}

/** Keys for ordering oracles: a start bound just after v sorts after v itself, an end bound just before. */
const FAR = 100n * S;
const startKey = (r: Raw) => (r.start === null ? -FAR : 2n * r.start + (r.si ? 0n : 1n));
const endKey = (r: Raw) => (r.end === null ? FAR : 2n * r.end - (r.ei ? 0n : 1n));
const cmp = (a: bigint, b: bigint) => (a < b ? -1 : a > b ? 1 : 0);

const rand = prng(0x1a2b3c);
const RAWS: Raw[] = Array.from({ length: 160 }, () => randomRaw(rand));
const CASES = RAWS.map((raw) => ({ raw, range: TimeRange.fromBounds(raw.start, raw.end, raw.si, raw.ei) }));

describe('single ranges against the oracle', () => {
  it('classifies emptiness, eternity and instants, and spells and re-parses every range', () => {
    const bad: string[] = [];
    for (const { raw, range } of CASES) {
      const m = membership(raw);
      const count = m.filter(Boolean).length;
      const instant = count === 1 && raw.start !== null && raw.start === raw.end;
      const label = `${spell(raw, rand)} -> ${range.format()}`;
      if (range.isEmpty() !== (count === 0)) bad.push(`isEmpty ${label}`);
      if (range.isEternity() !== (raw.start === null && raw.end === null)) bad.push(`isEternity ${label}`);
      if (range.isInstantaneous() !== instant) bad.push(`isInstantaneous ${label}`);
      if (rangeMembership(range).join() !== m.join()) bad.push(`normalisation ${label}`);
      for (const v of POOL)
        if (range.containsTimestamp(v) !== member(raw, 2n * v)) bad.push(`ts ${v} ${label}`);
      const canonical = range.format();
      if (!SPEC_TIMERANGE.test(canonical)) bad.push(`not spec ${label}`);
      if (!parseTimeRange(canonical).equals(range)) bad.push(`round trip ${label}`);
      if (parseTimeRange(canonical).format() !== canonical) bad.push(`not canonical ${label}`);
      for (let k = 0; k < 4; k++) {
        const spelt = spell(raw, rand);
        if (!parseTimeRange(spelt).equals(range)) bad.push(`spelling ${spelt} of ${label}`);
      }
    }
    expect(bad).toEqual([]);
    // Guard against a generator too narrow to exercise each class.
    expect(CASES.filter((c) => c.range.isEmpty()).length).toBeGreaterThan(10);
    expect(CASES.filter((c) => c.range.isInstantaneous()).length).toBeGreaterThan(3);
    expect(CASES.filter((c) => c.range.start === null || c.range.end === null).length).toBeGreaterThan(20);
  });
});

describe('pairs of ranges against the oracle', () => {
  const pairs = CASES.flatMap((a) => CASES.map((b) => [a, b] as const));

  it(`agrees on overlaps, contains, earlier/later and equality for ${pairs.length} pairs`, () => {
    const bad: string[] = [];
    for (const [a, b] of pairs) {
      const ma = membership(a.raw);
      const mb = membership(b.raw);
      const label = `${a.range.format()} vs ${b.range.format()}`;
      const overlap = ma.some((x, i) => x && mb[i]);
      const covers = mb.every((x, i) => !x || ma[i]);
      let earlier = ma.includes(true) && mb.includes(true);
      for (const [i, x] of ma.entries())
        for (const [j, y] of mb.entries()) if (x && y && i >= j) earlier = false;
      const equal = ma.join() === mb.join();
      if (a.range.overlaps(b.range) !== overlap) bad.push(`overlaps ${label}`);
      if (overlapsBounds(a.range, b.raw.start, b.raw.end, b.raw.si, b.raw.ei) !== overlap)
        bad.push(`raw ov ${label}`);
      if (a.range.contains(b.range) !== covers) bad.push(`contains ${label}`);
      if (containsBounds(a.range, b.raw.start, b.raw.end, b.raw.si, b.raw.ei) !== covers)
        bad.push(`raw ct ${label}`);
      if (a.range.isEarlierThan(b.range) !== earlier) bad.push(`earlier ${label}`);
      if (b.range.isLaterThan(a.range) !== earlier) bad.push(`later ${label}`);
      if (a.range.equals(b.range) !== equal) bad.push(`equals ${label}`);
    }
    expect(bad).toEqual([]);
    expect(pairs.filter(([a, b]) => a.range.overlaps(b.range)).length).toBeGreaterThan(1000);
    expect(pairs.filter(([a, b]) => a.range.isEarlierThan(b.range)).length).toBeGreaterThan(1000);
  });

  it(`computes exact intersections and envelopes for ${pairs.length} pairs`, () => {
    const bad: string[] = [];
    for (const [a, b] of pairs) {
      const ma = membership(a.raw);
      const mb = membership(b.raw);
      const label = `${a.range.format()} vs ${b.range.format()}`;
      const both = ma.map((x, i) => x && mb[i] === true);
      if (rangeMembership(a.range.intersect(b.range)).join() !== both.join()) bad.push(`intersect ${label}`);
      const either = ma.map((x, i) => x || mb[i] === true);
      const first = either.indexOf(true);
      const last = either.lastIndexOf(true);
      const hull = either.map((_, i) => first !== -1 && i >= first && i <= last);
      const env = a.range.envelope(b.range);
      if (rangeMembership(env).join() !== hull.join()) bad.push(`envelope ${label} = ${env.format()}`);
      if (!env.contains(a.range) || !env.contains(b.range)) bad.push(`envelope cover ${label}`);
    }
    expect(bad).toEqual([]);
  });

  it(`orders ${pairs.length} pairs consistently with independent bound keys`, () => {
    const bad: string[] = [];
    for (const [a, b] of pairs) {
      const ea = a.range.isEmpty();
      const eb = b.range.isEmpty();
      const label = `${a.range.format()} vs ${b.range.format()}`;
      let byStart: number;
      let byEnd: number;
      if (ea || eb) {
        byStart = byEnd = ea && eb ? 0 : ea ? -1 : 1;
      } else {
        const s = cmp(startKey(a.raw), startKey(b.raw));
        const e = cmp(endKey(a.raw), endKey(b.raw));
        byStart = s || e;
        byEnd = e || s;
      }
      if (Math.sign(compareByStart(a.range, b.range)) !== byStart) bad.push(`byStart ${label}`);
      if (Math.sign(compareByEnd(a.range, b.range)) !== byEnd) bad.push(`byEnd ${label}`);
      if ((compareByStart(a.range, b.range) === 0) !== a.range.equals(b.range)) bad.push(`zero ${label}`);
    }
    expect(bad).toEqual([]);
  });
});

describe('round trips over wide values', () => {
  it('parse(format(r)) equals r for 3000 seeded ranges with values across and beyond int64', () => {
    const r = prng(0xbeef);
    const bad: string[] = [];
    const value = () => {
      const v = randomBigInt(r, pick(r, [4, 31, 40, 63, 64, 80]));
      return r() < 0.5 ? -v : v;
    };
    for (let i = 0; i < 3000; i++) {
      const start = r() < 0.1 ? null : value();
      const end = r() < 0.1 ? null : r() < 0.1 ? start : value();
      const range = TimeRange.fromBounds(start, end, r() < 0.5, r() < 0.5);
      const s = range.format();
      if (!SPEC_TIMERANGE.test(s) || !parseTimeRange(s).equals(range) || parseTimeRange(s).format() !== s) {
        bad.push(s);
      }
    }
    expect(bad).toEqual([]);
  });
});
