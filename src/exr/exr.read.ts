import { MAX_READ_BYTES } from '../media/media.read.ts';
import type { MediaStore } from '../media/media.types.ts';
import { headerHash } from './exr.identity.ts';
import { ExrParseError, parseExrBytes, parseExrHeader } from './parser/exr.parse.ts';
import type { ExrByteSource, ExrHeader, ExrParseOptions } from './parser/exr.types.ts';

/**
 * What inspection reads of a file: the header and its hash, or why there is none. Failures that
 * are the file's (missing, not OpenEXR, refused by the parser) are outcomes; a backend that
 * fails to answer is thrown, so the caller tries again later instead of recording a failure.
 */
export type ReadOutcome =
  | { ok: true; header: ExrHeader; headerHash: string; size: number; mtime?: string }
  | { ok: false; code: string; message: string; size?: number; mtime?: string };

/**
 * The catalogue needs the header only: offset tables are not read (their entries say where
 * chunks are, nothing a catalogue keeps), and the first read is small since real headers are a
 * few kilobytes; a longer one is read on.
 */
export const CATALOGUE_PARSE: ExrParseOptions = { maxOffsetEntries: 0, firstReadBytes: 64 * 1024 };

/** Reads and parses the header of the object at `path` with ranged reads. */
export async function readObjectHeader(backend: MediaStore, path: string): Promise<ReadOutcome> {
  const [first, info] = await Promise.all([
    backend.read(path, { offset: 0, length: CATALOGUE_PARSE.firstReadBytes ?? 65_536 }),
    backend.head(path).catch(() => null),
  ]);
  const mtime = info?.lastModified.toISOString();
  if (first === null) {
    return { ok: false, code: 'MISSING', message: `no object at ${path} in its storage backend` };
  }
  const source = new PrefixSource(backend, path, first.bytes, first.size);
  const when = { size: first.size, ...(mtime !== undefined && { mtime }) };
  let header: ExrHeader;
  try {
    header = await parseExrHeader(source, CATALOGUE_PARSE);
  } catch (error) {
    if (!(error instanceof ExrParseError)) throw error;
    // The backend failed under the parser: not the file's fault.
    if (error.code === 'READ_FAILED') throw error.cause ?? error;
    return { ok: false, code: error.code, message: error.message, ...when };
  }
  const hash = headerHash(await source.prefixOf(header.headerEnd));
  return { ok: true, header, headerHash: hash, ...when };
}

/** Parses posted bytes: a whole file, or its start when `size` says how long the file is. */
export function parseUpload(bytes: Uint8Array, size?: number): ReadOutcome {
  const total = size ?? bytes.length;
  try {
    const header = parseExrBytes(bytes, total, CATALOGUE_PARSE);
    return { ok: true, header, headerHash: headerHash(bytes.subarray(0, header.headerEnd)), size: total };
  } catch (error) {
    if (error instanceof ExrParseError) return { ok: false, code: error.code, message: error.message };
    // The parser answers every input with a header or an ExrParseError; anything else is a bug
    // of its, and still not a reason to fail the request with a 500.
    return { ok: false, code: 'UNPARSEABLE', message: `the header could not be parsed: ${String(error)}` };
  }
}

/**
 * A byte source over an object that keeps the bytes read from its start, so that the header's
 * hash needs no second read; reads elsewhere go to the backend as they are.
 */
class PrefixSource implements ExrByteSource {
  constructor(
    private readonly backend: MediaStore,
    private readonly path: string,
    private prefix: Uint8Array,
    readonly size: number,
  ) {}

  async read(offset: number, length: number): Promise<Uint8Array> {
    const end = Math.min(offset + length, this.size);
    if (end <= this.prefix.length) return this.prefix.subarray(offset, end);
    if (offset > this.prefix.length) return this.fetch(offset, end - offset);
    await this.grow(end);
    return this.prefix.subarray(offset, end);
  }

  /** The first `end` bytes. */
  async prefixOf(end: number): Promise<Uint8Array> {
    if (end > this.prefix.length) await this.grow(end);
    return this.prefix.subarray(0, end);
  }

  private async grow(end: number): Promise<void> {
    const more = await this.fetch(this.prefix.length, end - this.prefix.length);
    const grown = new Uint8Array(this.prefix.length + more.length);
    grown.set(this.prefix, 0);
    grown.set(more, this.prefix.length);
    this.prefix = grown;
  }

  private async fetch(offset: number, length: number): Promise<Uint8Array> {
    const read = await this.backend.read(this.path, { offset, length: Math.min(length, MAX_READ_BYTES) });
    if (read === null) throw new Error(`the object at ${this.path} went away while it was read`);
    return read.bytes;
  }
}
