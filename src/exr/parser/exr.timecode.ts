import type { ExrTimecode } from './exr.types.ts';

const bcd = (v: number) => (v >> 4) * 10 + (v & 0xf);
const bit = (v: number, n: number) => ((v >>> n) & 1) === 1;

/**
 * OpenEXR's TimeCode keeps SMPTE 12M in the TV60 packing: frame bits 0-5, drop frame 6, color
 * frame 7, seconds 8-14, field/phase 15, minutes 16-22, bgf0 23, hours 24-29, bgf1 30, bgf2 31,
 * each count as two BCD digits; userData holds eight 4-bit binary groups.
 */
export function decodeTimecode(timeAndFlags: number, userData: number): ExrTimecode {
  const t = timeAndFlags >>> 0;
  const u = userData >>> 0;
  return {
    timeAndFlags: t,
    userData: u,
    hours: bcd((t >>> 24) & 0x3f),
    minutes: bcd((t >>> 16) & 0x7f),
    seconds: bcd((t >>> 8) & 0x7f),
    frame: bcd(t & 0x3f),
    dropFrame: bit(t, 6),
    colorFrame: bit(t, 7),
    fieldPhase: bit(t, 15),
    bgf0: bit(t, 23),
    bgf1: bit(t, 30),
    bgf2: bit(t, 31),
    binaryGroups: Array.from({ length: 8 }, (_, i) => (u >>> (4 * i)) & 0xf),
  };
}
