import { describe, expect, it } from 'vitest';
import { PTS_MODULO } from './recorder.timeline.ts';
import { earliestPts, pesTimestamps } from './recorder.ts-packets.ts';

/** A 188-byte packet of `pid` starting a PES with `pts`, optionally behind an adaptation field. */
function pesPacket(pid: number, pts: bigint, adaptation = 0): Uint8Array {
  const p = new Uint8Array(188).fill(0xff);
  p[0] = 0x47;
  p[1] = 0x40 | (pid >> 8);
  p[2] = pid & 0xff;
  p[3] = adaptation > 0 ? 0x30 : 0x10;
  let at = 4;
  if (adaptation > 0) {
    p[4] = adaptation - 1;
    p[5] = 0;
    at += adaptation;
  }
  p.set([0, 0, 1, 0xe0, 0, 0, 0x80, 0x80, 5], at);
  const n = Number(pts);
  p[at + 9] = 0x21 | (Math.floor(n / 2 ** 30) << 1);
  p[at + 10] = (Math.floor(n / 2 ** 22) & 0xff) >>> 0;
  p[at + 11] = ((((n >>> 15) & 0x7f) << 1) | 1) >>> 0;
  p[at + 12] = (n >>> 7) & 0xff;
  p[at + 13] = (((n & 0x7f) << 1) | 1) >>> 0;
  return p;
}

/** A PAT: a section, not a PES. */
function pat(): Uint8Array {
  const p = new Uint8Array(188).fill(0xff);
  p.set([0x47, 0x40, 0x00, 0x10, 0x00, 0x00, 0xb0, 0x0d]);
  return p;
}

function file(...packets: Uint8Array[]): Uint8Array {
  return Buffer.concat(packets);
}

describe('pesTimestamps', () => {
  it('reads every PES PTS of the first stream, exactly, to 33 bits', () => {
    const big = PTS_MODULO - 1n;
    const bytes = file(pat(), pesPacket(0x100, 127_920n), pesPacket(0x101, 5n), pesPacket(0x100, big, 8));
    expect(pesTimestamps(bytes)).toEqual([127_920n, big]);
  });
});

describe('earliestPts', () => {
  it('is the first presented with B-frames, not the first in decoding order', () => {
    expect(earliestPts([10_800n, 3600n, 0n, 7200n])).toBe(0n);
  });

  it('sees through a wrap inside the file', () => {
    expect(earliestPts([PTS_MODULO - 3600n, 3600n, PTS_MODULO - 7200n, 0n])).toBe(PTS_MODULO - 7200n);
  });

  it('is nothing for a file without timestamps', () => {
    expect(earliestPts([])).toBeNull();
  });
});
