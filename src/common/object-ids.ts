import { getRandomValues } from 'node:crypto';
import { BadRequestError } from './errors.ts';
import { unpackUuid } from './uuid-bytes.ts';

/** The id being made: its 16 bytes, random ones overwritten with the time, version and variant. */
const bytes = new Uint8Array(16);

/**
 * A new media object id: a time-ordered UUID, version 8 (RFC 9562's layout for custom ids), with
 * the Unix time in whole seconds in its first 32 bits, the fraction of the second in 1/65,536ths
 * in the next 16, and 74 random bits after. The spec types object ids as plain strings (ADR 0011
 * asks only that each allocation gets new ones, unrelated to timeranges).
 *
 * Why time-ordered: objects, their reference counts and their segments are appended in about the
 * order their objects were allocated, and DuckDB keeps each row group's smallest and largest value
 * per column, so lookups by object id (registering a segment that reuses an object, deleting
 * segments) read only the row groups whose range can hold the ids. DuckDB keeps those bounds for
 * the first 8 characters of a string: whole seconds there tell row groups apart down to one
 * second of allocations, where UUIDv7's milliseconds would put the same 8 characters on 65 s.
 * On 10M objects, a POST of 30 segments reusing registered objects took 33-38 ms, against
 * 193-262 ms with UUIDv7 ids and ~650 ms with random ones (docs/benchmarks-history.md, "Object reuse").
 * The 32-bit seconds wrap in 2106; ids stay unique then, only their order restarts.
 */
export function newObjectId(now: number = Date.now()): string {
  getRandomValues(bytes);
  const seconds = Math.floor(now / 1000);
  const fraction = Math.floor(((now - seconds * 1000) * 65536) / 1000);
  bytes[0] = seconds >>> 24;
  bytes[1] = seconds >>> 16;
  bytes[2] = seconds >>> 8;
  bytes[3] = seconds;
  bytes[4] = fraction >>> 8;
  bytes[5] = fraction;
  bytes[6] = 0x80 | ((bytes[6] as number) & 0x0f);
  bytes[8] = 0x80 | ((bytes[8] as number) & 0x3f);
  return unpackUuid(bytes, 0);
}

/**
 * The key of an object's bytes when the store made both: the object id under the Flow it was
 * allocated for (storage allocation names them so). Segments and events leave such a key out of
 * what they store and make it again from the ids: ~75 bytes less per segment in each.
 */
export function defaultObjectPath(flowId: string, objectId: string): string {
  return `${flowId}/${objectId}`;
}

/**
 * Why a client's object id cannot be taken, or undefined. `.` and `..` cannot be addressed in a
 * URL: every URL parser resolves them (and `%2E`, `%2E%2E`) as a path's dot segments, so
 * `/objects/..` is `/`, and neither the object nor its instances could ever be named. Ids that
 * merely contain dots or slashes (`a/../b`, percent-encoded in paths) are addressed like any other.
 */
export function objectIdProblem(id: string, name: string): string | undefined {
  if (id !== '.' && id !== '..') return undefined;
  return `${name} ${JSON.stringify(id)} is refused: object ids "." and ".." cannot be addressed in a URL (/objects/{objectId}), where they are the path's dot segments`;
}

/** Throws the 400 of objectIdProblem. */
export function checkObjectId(id: string, name: string): void {
  const problem = objectIdProblem(id, name);
  if (problem !== undefined) throw new BadRequestError(problem);
}
