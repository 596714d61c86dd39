/**
 * OpenEXR header parsing without the OpenEXR library: magic and version flags, every part's
 * attributes decoded, chunk counts, offset tables checked, and a summary per part. Any input ends
 * in a header or an ExrParseError, within the bounds of ExrParseOptions (src/exr/README.md).
 */
import { describeHeader, finishHeader } from './exr.assemble.ts';
import { ExrParseError } from './exr.errors.ts';
import { fetchHeader, fetchTables } from './exr.fetch.ts';
import { type RawHeader, readHeader } from './exr.header.ts';
import { resolveLimits } from './exr.limits.ts';
import { NeedMoreBytes } from './exr.reader.ts';
import type { ExrByteSource, ExrHeader, ExrParseOptions } from './exr.types.ts';

export { ExrParseError } from './exr.errors.ts';
export { attributeValue } from './exr.lookup.ts';
export type * from './exr.types.ts';
export { decodeVersionField } from './exr.version.ts';

/**
 * Parses the header at the start of `bytes`. `fileSize`: the whole file's size when `bytes` is
 * only its beginning (then a header that does not fit fails with INCOMPLETE, and offsets past
 * `bytes` are not read); without it `bytes` is the whole file.
 */
export function parseExrBytes(bytes: Uint8Array, fileSize?: number, options?: ExrParseOptions): ExrHeader {
  const limits = resolveLimits(options);
  if (fileSize !== undefined && (!Number.isSafeInteger(fileSize) || fileSize < 0)) {
    throw new RangeError(`fileSize must be a non-negative integer, not ${fileSize}`);
  }
  const size = fileSize ?? bytes.length;
  const given = bytes.length > size ? bytes.subarray(0, size) : bytes;
  let raw: RawHeader;
  try {
    raw = readHeader(given, size, limits);
  } catch (error) {
    if (!(error instanceof NeedMoreBytes)) throw error;
    throw new ExrParseError(
      'INCOMPLETE',
      given.length,
      `the header continues past the ${given.length} bytes given (the file has ${size})`,
    );
  }
  const described = describeHeader(raw, limits.maxOffsetEntries, size);
  return finishHeader(described, (t) => given.subarray(t.start, t.start + 8 * t.read), size);
}

/**
 * Parses the header of a file read through `source`: the first 256 KiB (firstReadBytes), more
 * only when the header is longer, then the offset-table entries not already read.
 */
export async function parseExrHeader(source: ExrByteSource, options?: ExrParseOptions): Promise<ExrHeader> {
  const limits = resolveLimits(options);
  if (source.size !== undefined && (!Number.isSafeInteger(source.size) || source.size < 0)) {
    throw new RangeError(`the source's size must be a non-negative integer, not ${source.size}`);
  }
  const { fetched, raw } = await fetchHeader(source, limits);
  const described = describeHeader(raw, limits.maxOffsetEntries, fetched.size);
  const { entries, size } = await fetchTables(source, fetched, described);
  return finishHeader(described, entries, size);
}

/** A byte source over bytes in memory (tests, and callers that hold a whole file). */
export function bytesSource(bytes: Uint8Array): ExrByteSource {
  return {
    size: bytes.length,
    read: async (offset, length) => bytes.subarray(offset, offset + length),
  };
}
