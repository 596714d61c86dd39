import { describe, expect, it } from 'vitest';
import { fragmentTimes, mp4TrackInfo, toNanoseconds, toTicks } from './recorder.mp4-boxes.ts';

function u32(n: number): number[] {
  return [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
}
function u64(n: bigint): number[] {
  return [...u32(Number(n >> 32n)), ...u32(Number(n & 0xffffffffn))];
}
function box(type: string, ...content: number[][]): number[] {
  const body = content.flat();
  return [...u32(8 + body.length), ...[...type].map((c) => c.charCodeAt(0)), ...body];
}
/** The same box written with a 64-bit size. */
function largeBox(type: string, ...content: number[][]): number[] {
  const body = content.flat();
  return [...u32(1), ...[...type].map((c) => c.charCodeAt(0)), ...u64(BigInt(16 + body.length)), ...body];
}
const full = (version: number, flags: number) => u32((version << 24) | flags);

function init(timescale: number, options: { mdhdV1?: boolean; elst?: number[][]; trexDuration?: number }) {
  const mdhd = options.mdhdV1
    ? box('mdhd', full(1, 0), u64(0n), u64(0n), u32(timescale), u64(0n), u32(0))
    : box('mdhd', full(0, 0), u32(0), u32(0), u32(timescale), u32(0), u32(0));
  const edts = options.elst ? box('edts', box('elst', ...options.elst)) : [];
  const trak = box('trak', box('tkhd', full(0, 0), new Array(80).fill(0)), edts, box('mdia', mdhd));
  const trex = box('trex', full(0, 0), u32(1), u32(1), u32(options.trexDuration ?? 0), u32(0), u32(0));
  return new Uint8Array([...box('ftyp', u32(0)), ...box('moov', trak, box('mvex', trex))]);
}

/** A trun with durations and composition offsets per sample (version 1: signed offsets). */
function trun(version: number, samples: [number, number][]): number[] {
  return box(
    'trun',
    full(version, 0x1 | 0x100 | 0x800),
    u32(samples.length),
    u32(0),
    ...samples.map(([d, o]) => [...u32(d), ...u32(o >>> 0)]),
  );
}

describe('mp4TrackInfo', () => {
  it('reads the timescale, the trex default and the first non-empty edit', () => {
    const elst = [
      full(0, 0),
      u32(2),
      u32(500),
      u32(0xffffffff),
      u32(0x10000),
      u32(0),
      u32(7200),
      u32(0x10000),
    ];
    expect(mp4TrackInfo(init(90000, { elst, trexDuration: 3600 }))).toEqual({
      timescale: 90000,
      defaultDuration: 3600,
      editShift: 7200n,
    });
    // Version 1 boxes: 64-bit times in mdhd and elst.
    const elst1 = [full(1, 0), u32(1), u64(0n), u64(1024n), u32(0x10000)];
    expect(mp4TrackInfo(init(48000, { mdhdV1: true, elst: elst1 }))).toEqual({
      timescale: 48000,
      defaultDuration: 0,
      editShift: 1024n,
    });
  });

  it('is null for bytes with no track', () => {
    expect(mp4TrackInfo(new Uint8Array(box('ftyp', u32(0))))).toBeNull();
    expect(mp4TrackInfo(new Uint8Array([0, 0, 0, 40, 0x6d, 0x6f, 0x6f, 0x76]))).toBeNull();
  });
});

describe('fragmentTimes', () => {
  const info = { timescale: 90000, defaultDuration: 3600, editShift: 7200n };

  it('takes the earliest presentation and the latest end over reordered samples', () => {
    // I P B B at 3600 ticks a frame: offsets reorder them, the edit list takes the first off.
    const samples: [number, number][] = [
      [3600, 7200],
      [3600, 14400],
      [3600, 0],
      [3600, 0],
    ];
    const fragment = box(
      'moof',
      box('mfhd', full(0, 0), u32(1)),
      box(
        'traf',
        box('tfhd', full(0, 0x20000), u32(1)),
        box('tfdt', full(1, 0), u64(1_000_000n)),
        trun(0, samples),
      ),
    );
    const bytes = new Uint8Array([...fragment, ...box('mdat', [1, 2, 3])]);
    // Presented: 1,000,000 + 7200 - 7200 first; the last ends at 1,003,600 + 14400 + 3600 - 7200.
    expect(fragmentTimes(bytes, info)).toEqual({ start: 1_000_000n, end: 1_014_400n });
  });

  it('goes on across truns and fragments, with tfhd and trex defaults and signed offsets', () => {
    const noDurations = (count: number) => box('trun', full(0, 0), u32(count));
    const first = box(
      'moof',
      largeBox(
        'traf',
        box('tfhd', full(0, 0x8), u32(1), u32(1000)), // default duration 1000
        box('tfdt', full(0, 0), u32(50_000)),
        noDurations(2),
        trun(1, [[1000, -500]]),
      ),
    );
    const second = box(
      'moof',
      box('traf', box('tfhd', full(0, 0), u32(1)), box('tfdt', full(0, 0), u32(53_000)), noDurations(1)),
    );
    const times = fragmentTimes(new Uint8Array([...first, ...second]), { ...info, editShift: 0n });
    // 50,000 and 51,000 (tfhd's 1000); 52,000 - 500; then 53,000 for the trex's 3600.
    expect(times).toEqual({ start: 50_000n, end: 56_600n });
  });

  it('reads only the first track, and nothing from a damaged run', () => {
    const traf = (id: number, tfdt: number) =>
      box('traf', box('tfhd', full(0, 0), u32(id)), box('tfdt', full(0, 0), u32(tfdt)), trun(0, [[10, 0]]));
    const two = box('moof', traf(1, 100), traf(2, 5));
    expect(fragmentTimes(new Uint8Array(two), { ...info, editShift: 0n })).toEqual({
      start: 100n,
      end: 110n,
    });
    const damaged = box(
      'moof',
      box(
        'traf',
        box('tfhd', full(0, 0), u32(1)),
        box('tfdt', full(0, 0), u32(0)),
        box('trun', full(0, 0x100), u32(9)),
      ),
    );
    expect(fragmentTimes(new Uint8Array(damaged), info)).toBeNull();
    expect(fragmentTimes(new Uint8Array(box('mdat', [0])), info)).toBeNull();
  });
});

describe('toTicks, toNanoseconds', () => {
  it('round to the nearest unit', () => {
    expect(toTicks(48_000n, 48000)).toBe(90_000n);
    expect(toTicks(1024n, 44100)).toBe(2090n); // 2089.795...
    expect(toNanoseconds(1n, 90000)).toBe(11_111n);
    expect(toNanoseconds(1n, 48000)).toBe(20_833n);
  });
});
