/**
 * The presentation timestamps an MPEG-TS file carries, read from its PES headers: 188-byte
 * packets, the PTS in 33 bits at the start of each PES. This is what "the PTS as in the file"
 * means for a recorded segment, exactly, with no rounding through seconds.
 */
import { PTS_MODULO, signedDistance, wrap } from './recorder.timeline.ts';

const PACKET = 188;
const SYNC = 0x47;

/** The PTS of every PES of the file's first elementary stream with one, in file order. */
export function pesTimestamps(bytes: Uint8Array): bigint[] {
  const found: bigint[] = [];
  let pid: number | null = null;
  for (let at = 0; at + PACKET <= bytes.length; at += PACKET) {
    if (bytes[at] !== SYNC) continue;
    const b1 = bytes[at + 1] as number;
    if ((b1 & 0x40) === 0) continue; // not the start of a PES or section
    const packetPid = ((b1 & 0x1f) << 8) | (bytes[at + 2] as number);
    if (pid !== null && packetPid !== pid) continue;
    const control = ((bytes[at + 3] as number) >> 4) & 0x3;
    if ((control & 0x1) === 0) continue; // no payload
    let payload = at + 4;
    if (control & 0x2) payload += 1 + (bytes[at + 4] as number);
    const pts = pesPts(bytes, payload, at + PACKET);
    if (pts === null) continue;
    pid = packetPid;
    found.push(pts);
  }
  return found;
}

function pesPts(b: Uint8Array, p: number, end: number): bigint | null {
  if (p + 14 > end || b[p] !== 0 || b[p + 1] !== 0 || b[p + 2] !== 1) return null;
  const flags = (b[p + 7] as number) >> 6;
  if ((flags & 0x2) === 0) return null;
  const at = p + 9;
  const bits =
    (BigInt(((b[at] as number) >> 1) & 0x07) << 30n) |
    (BigInt(b[at + 1] as number) << 22n) |
    (BigInt((b[at + 2] as number) >> 1) << 15n) |
    (BigInt(b[at + 3] as number) << 7n) |
    BigInt((b[at + 4] as number) >> 1);
  return bits % PTS_MODULO;
}

/**
 * The earliest PTS among `timestamps` (wrapped, as in the file): with B-frames the first PES in
 * decoding order is not the first presented, and a wrap inside the file puts small values after
 * large ones, so each is compared by its distance from the first.
 */
export function earliestPts(timestamps: readonly bigint[]): bigint | null {
  const first = timestamps[0];
  if (first === undefined) return null;
  let least = 0n;
  for (const pts of timestamps) {
    const d = signedDistance(pts, first);
    if (d < least) least = d;
  }
  return wrap(first + least);
}
