import type { Described } from './exr.assemble.ts';
import { ExrParseError } from './exr.errors.ts';
import { type RawHeader, readHeader } from './exr.header.ts';
import type { ExrLimits } from './exr.limits.ts';
import { tableRanges } from './exr.offsets.ts';
import { NeedMoreBytes } from './exr.reader.ts';
import type { ExrByteSource } from './exr.types.ts';

/** The bytes read so far from the start of a source, and its size once known. */
export interface Fetched {
  bytes: Uint8Array;
  size: number | undefined;
}

/** `length` bytes at `offset`, fewer at the end of the file; a failing source is READ_FAILED. */
export async function readRange(source: ExrByteSource, offset: number, length: number): Promise<Uint8Array> {
  let got: Uint8Array;
  try {
    got = await source.read(offset, length);
  } catch (cause) {
    throw new ExrParseError('READ_FAILED', offset, `reading ${length} bytes failed`, { cause });
  }
  if (!(got instanceof Uint8Array)) {
    throw new ExrParseError('READ_FAILED', offset, 'the byte source returned something other than bytes');
  }
  return got.length > length ? got.subarray(0, length) : got;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

/**
 * Extends `fetched` to at least `end` bytes (when the file has them), reading at least as much
 * again as there is, so a long header costs a few reads rather than one per attribute; `cap`
 * bounds what one extension reads. A short read tells the file's size.
 */
async function extend(source: ExrByteSource, fetched: Fetched, end: number, cap: number): Promise<Fetched> {
  const have = fetched.bytes.length;
  let target = Math.min(Math.max(end, 2 * have), Math.max(end, cap));
  if (fetched.size !== undefined) target = Math.min(target, fetched.size);
  if (target <= have) return { bytes: fetched.bytes, size: fetched.size ?? have };
  const more = await readRange(source, have, target - have);
  const bytes = concat(fetched.bytes, more);
  const size = more.length < target - have ? bytes.length : fetched.size;
  return { bytes, size };
}

/** Reads the header until it parses, fetching more than the first read only when it is longer. */
export async function fetchHeader(
  source: ExrByteSource,
  limits: ExrLimits,
): Promise<{ fetched: Fetched; raw: RawHeader }> {
  const size = source.size;
  const first = Math.min(limits.firstReadBytes, size ?? Number.POSITIVE_INFINITY);
  const bytes = await readRange(source, 0, first);
  let fetched: Fetched = { bytes, size: bytes.length < first ? bytes.length : size };
  for (;;) {
    try {
      return { fetched, raw: readHeader(fetched.bytes, fetched.size, limits) };
    } catch (error) {
      if (!(error instanceof NeedMoreBytes)) throw error;
      fetched = await extend(source, fetched, error.end, limits.maxHeaderBytes);
    }
  }
}

/** The planned offset-table entries: from the bytes already there, the rest read from the source. */
export async function fetchTables(source: ExrByteSource, fetched: Fetched, described: Described) {
  const chunks: { start: number; bytes: Uint8Array }[] = [];
  let size = fetched.size;
  const have = fetched.bytes.length;
  for (const [start, end] of tableRanges(described.plan)) {
    if (end <= have) {
      chunks.push({ start, bytes: fetched.bytes.subarray(start, end) });
      continue;
    }
    const from = Math.max(start, have);
    const more = await readRange(source, from, end - from);
    if (more.length < end - from) size = from + more.length;
    const head = start < have ? fetched.bytes.subarray(start, have) : new Uint8Array(0);
    const bytes = new Uint8Array(head.length + more.length);
    bytes.set(head, 0);
    bytes.set(more, head.length);
    chunks.push({ start, bytes });
  }
  const entries = (t: { start: number; read: number }) => {
    const chunk = chunks.find((c) => c.start <= t.start && t.start < c.start + c.bytes.length);
    return chunk === undefined ? new Uint8Array(0) : chunk.bytes.subarray(t.start - chunk.start);
  };
  return { entries, size };
}
