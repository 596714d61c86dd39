import type { ByteRange } from './media.types.ts';

/** The most one `read` returns: readers take headers and subtitle files, never whole media. */
export const MAX_READ_BYTES = 64 * 1024 * 1024;

/** Refuses a range no backend should be asked for (a caller's bug, not a client's input). */
export function assertByteRange(range: ByteRange): void {
  const { offset, length } = range;
  if (!Number.isSafeInteger(offset) || offset < 0) throw new RangeError(`invalid read offset ${offset}`);
  if (!Number.isSafeInteger(length) || length < 0 || length > MAX_READ_BYTES) {
    throw new RangeError(`invalid read length ${length} (at most ${MAX_READ_BYTES})`);
  }
}
