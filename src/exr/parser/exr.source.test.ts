/** parseExrHeader over a byte source: what it reads, and that it reads no more than it may. */
import { describe, expect, it } from 'vitest';
import {
  attr,
  concat,
  i32,
  partAttributes,
  singlePart,
  singlePartFile,
  text,
} from '../../../tools/exr-files/exr.build.ts';
import { bytesSource, ExrParseError, parseExrBytes, parseExrHeader } from './exr.parse.ts';
import type { ExrByteSource } from './exr.types.ts';

/** A source over `bytes` that records its reads, and tells its size unless `untold`. */
function recording(bytes: Uint8Array, untold?: 'untold') {
  const reads: [number, number][] = [];
  const source: ExrByteSource = {
    ...(untold ? {} : { size: bytes.length }),
    read: async (offset, length) => {
      reads.push([offset, length]);
      return bytes.subarray(offset, offset + length);
    },
  };
  return { source, reads };
}

const KiB = 1024;

describe('parseExrHeader', () => {
  it('reads the first 256 KiB once when header and tables are in it', async () => {
    const file = concat(singlePartFile(partAttributes(), 8), new Uint8Array(1024 * KiB));
    const { source, reads } = recording(file);
    const header = await parseExrHeader(source);
    expect(reads).toEqual([[0, 256 * KiB]]);
    expect(header).toEqual(parseExrBytes(file));
  });

  it('reads a small file whole, learning its size from a short read when not told', async () => {
    const file = singlePartFile(partAttributes(), 8);
    const { source, reads } = recording(file, 'untold');
    const header = await parseExrHeader(source);
    expect(reads).toEqual([[0, 256 * KiB]]);
    expect(header.fileSize).toBe(file.length);
    expect(header).toEqual(parseExrBytes(file));
  });

  it('reads more only when the header is longer, then the offsets past what it has', async () => {
    const long = attr('comments', 'string', new Uint8Array(300 * KiB).fill(0x61));
    const head = singlePartFile(partAttributes({ extra: [long] }), 8);
    const file = concat(head, new Uint8Array(1024 * KiB));
    const { source, reads } = recording(file);
    const header = await parseExrHeader(source);
    expect(reads).toEqual([
      [0, 256 * KiB],
      [256 * KiB, 256 * KiB],
    ]);
    expect(header).toEqual(parseExrBytes(file));

    const { source: small, reads: smallReads } = recording(file);
    await parseExrHeader(small, { firstReadBytes: 64 });
    expect(smallReads.length).toBeLessThan(20);
    expect(smallReads.at(-1)?.[0]).toBeLessThan(header.headerEnd);
  });

  it('reads the offsets past what it has in one more read', async () => {
    const file = singlePartFile(partAttributes({ height: 100 }), 100);
    const { source, reads } = recording(file);
    const header = await parseExrHeader(source, { firstReadBytes: 300 });
    expect(reads).toHaveLength(2);
    expect(reads.at(-1)).toEqual([300, header.headerEnd + 800 - 300]);
    expect(header).toEqual(parseExrBytes(file));
  });

  it('does not fetch what a hostile size claims', async () => {
    const hostile = singlePart(attr('s', 'string', new Uint8Array(8), 0x7fffffff));
    const { source, reads } = recording(concat(hostile, new Uint8Array(1024)), 'untold');
    await expect(parseExrHeader(source)).rejects.toMatchObject({ code: 'TRUNCATED', offset: 21 });
    expect(reads).toHaveLength(1);
    const endless: ExrByteSource = {
      read: async (offset, length) => (offset === 0 ? hostile.subarray(0, 21) : new Uint8Array(length)),
    };
    await expect(parseExrHeader(endless, { firstReadBytes: 21 })).rejects.toMatchObject({
      code: 'HEADER_TOO_LARGE',
      offset: 21,
    });
  });

  it('stops an endless header at maxHeaderBytes, having read no more', async () => {
    let read = 0;
    const magic = concat(new Uint8Array([0x76, 0x2f, 0x31, 0x01]), i32(2));
    const endless: ExrByteSource = {
      read: async (offset, length) => {
        read += length;
        // An attribute `s` (string) of 1000 'a's, again and again, never a terminator.
        const one = attr('s', 'string', new Uint8Array(1000).fill(0x61));
        const out = new Uint8Array(length);
        for (let i = 0; i < length; i++) {
          const at = offset + i;
          out[i] = at < 8 ? (magic[at] ?? 0) : (one[(at - 8) % one.length] ?? 0);
        }
        return out;
      },
    };
    const error = await parseExrHeader(endless, { maxHeaderBytes: 1024 * KiB }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExrParseError);
    expect((error as ExrParseError).code).toBe('HEADER_TOO_LARGE');
    expect(read).toBeLessThanOrEqual(1024 * KiB);
  });

  it('turns a failing source into READ_FAILED with the offset it was reading', async () => {
    const cause = new Error('connection reset');
    const failing: ExrByteSource = {
      size: 10_000,
      read: async (offset) => {
        if (offset > 0) throw cause;
        return singlePart(partAttributes({ extra: [attr('c', 'string', text('x'.repeat(500)))] })).subarray(
          0,
          100,
        );
      },
    };
    const error = await parseExrHeader(failing, { firstReadBytes: 100 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'READ_FAILED', offset: 100, cause });
    const notBytes = { read: async () => 'nope' as unknown as Uint8Array };
    await expect(parseExrHeader(notBytes)).rejects.toMatchObject({ code: 'READ_FAILED', offset: 0 });
  });

  it('reads a source over bytes in memory as parseExrBytes reads them', async () => {
    const file = singlePartFile(partAttributes({ extra: [attr('n', 'int', i32(3))] }), 8);
    await expect(parseExrHeader(bytesSource(file))).resolves.toEqual(parseExrBytes(file));
  });
});
