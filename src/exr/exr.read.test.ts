import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { attr, concat, partAttributes, singlePartFile, text } from '../../tools/exr-files/exr.build.ts';
import type { ByteRange, MediaStore, ReadResult } from '../media/media.types.ts';
import { readObjectHeader } from './exr.read.ts';

/** A media store holding one object, recording the ranges read (the only calls inspection makes). */
function store(bytes: Uint8Array | null, failing = false) {
  const reads: ByteRange[] = [];
  const media = {
    async read(_path: string, range: ByteRange): Promise<ReadResult | null> {
      if (failing) throw new Error('backend down');
      reads.push(range);
      if (bytes === null) return null;
      return { bytes: bytes.subarray(range.offset, range.offset + range.length), size: bytes.length };
    },
    async head() {
      return bytes === null ? null : { path: 'p', size: bytes.length, lastModified: new Date(0) };
    },
  } as unknown as MediaStore;
  return { media, reads };
}

describe("an object's header through ranged reads", () => {
  it('reads the first 64 KiB of a large file, not the pixels, and hashes the header', async () => {
    const file = concat(singlePartFile(partAttributes(), 8), new Uint8Array(4 * 1024 * 1024));
    const { media, reads } = store(file);
    const outcome = await readObjectHeader(media, 'p');
    expect(reads).toEqual([{ offset: 0, length: 65_536 }]);
    if (!outcome.ok) throw new Error(outcome.message);
    expect(outcome.size).toBe(file.length);
    expect(outcome.mtime).toBe('1970-01-01T00:00:00.000Z');
    const end = outcome.header.headerEnd;
    expect(outcome.headerHash).toBe(createHash('sha256').update(file.subarray(0, end)).digest('hex'));
  });

  it('reads on when the header is longer than the first read', async () => {
    const long = attr('comments', 'string', text('x'.repeat(200_000)));
    const file = singlePartFile(partAttributes({ extra: [long] }), 8);
    const { media, reads } = store(file);
    const outcome = await readObjectHeader(media, 'p');
    expect(outcome.ok).toBe(true);
    expect(reads[0]).toEqual({ offset: 0, length: 65_536 });
    expect(reads.length).toBeGreaterThan(1);
    expect(reads.every((r) => r.offset + r.length <= file.length + 65_536)).toBe(true);
  });

  it('is an outcome when the object is missing or not OpenEXR, and throws when the backend fails', async () => {
    expect(await readObjectHeader(store(null).media, 'p')).toMatchObject({ ok: false, code: 'MISSING' });
    expect(await readObjectHeader(store(new Uint8Array(100)).media, 'p')).toMatchObject({
      ok: false,
      code: 'BAD_MAGIC',
      size: 100,
    });
    await expect(readObjectHeader(store(new Uint8Array(10), true).media, 'p')).rejects.toThrow(
      'backend down',
    );
  });
});
