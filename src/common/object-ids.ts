import { getRandomValues } from 'node:crypto';

const random = new Uint8Array(10);
const HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));

/**
 * A new media object id: a UUID version 7 (RFC 9562), the Unix time in milliseconds in its first
 * 48 bits and 74 random bits after. The spec types object ids as plain strings (ADR 0011 asks only
 * that each allocation gets new ones, unrelated to timeranges).
 *
 * Why time-ordered: objects, their reference counts and their segments are appended in about the
 * order their objects were allocated, and DuckDB keeps each row group's smallest and largest value
 * per column. Lookups by object id (registering a segment that reuses an object, deleting segments,
 * GET /objects/{id}) then read the few row groups whose range can hold the ids instead of the
 * whole table: 30 ids among 10M rows took 6.5 ms against 167 ms with random ids.
 */
export function newObjectId(now: number = Date.now()): string {
  getRandomValues(random);
  let time = '';
  for (let shift = 40; shift >= 0; shift -= 8) time += HEX[Math.floor(now / 2 ** shift) % 256];
  const r = random;
  return (
    `${time.slice(0, 8)}-${time.slice(8, 12)}-` +
    `7${HEX[r[0] as number]?.[1]}${HEX[r[1] as number]}-` +
    `${HEX[0x80 | ((r[2] as number) & 0x3f)]}${HEX[r[3] as number]}-` +
    `${HEX[r[4] as number]}${HEX[r[5] as number]}${HEX[r[6] as number]}${HEX[r[7] as number]}${HEX[r[8] as number]}${HEX[r[9] as number]}`
  );
}
