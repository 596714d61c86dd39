/** Input the parser must refuse, each with its code and the offset where it gave up. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  attr,
  byte,
  chlist,
  concat,
  f32,
  i32,
  multiPart,
  partAttributes,
  singlePart,
  text,
  u32,
} from '../../../tools/exr-files/exr.build.ts';
import { samplesGate } from '../../../tools/exr-files/exr.samples.ts';
import { ExrParseError, parseExrBytes } from './exr.parse.ts';
import type { ExrErrorCode, ExrParseOptions } from './exr.types.ts';

const gate = samplesGate();

function failure(bytes: Uint8Array, options?: ExrParseOptions, fileSize?: number): ExrParseError {
  try {
    parseExrBytes(bytes, fileSize, options);
  } catch (error) {
    expect(error).toBeInstanceOf(ExrParseError);
    return error as ExrParseError;
  }
  throw new Error('parsed');
}

function expectFailure(bytes: Uint8Array, code: ExrErrorCode, offset: number, options?: ExrParseOptions) {
  const error = failure(bytes, options);
  expect({ code: error.code, offset: error.offset }, error.message).toEqual({ code, offset });
  return error;
}

describe.skipIf(gate.skip)(`the invalid samples${gate.note}`, () => {
  const invalid = (name: string) => new Uint8Array(readFileSync(join(gate.dir, 'invalid', name)));

  it('refuses a bad magic number at byte 0', () => {
    expectFailure(invalid('invalid_bad_magic.exr'), 'BAD_MAGIC', 0);
  });

  it('refuses version 3 at the version field, as the library does', () => {
    const error = expectFailure(invalid('invalid_version3.exr'), 'UNSUPPORTED_VERSION', 4);
    expect(error.message).toContain('cannot read version 3 image files');
  });

  it('refuses the tiled bit with the multipart bit, with the library message', () => {
    const error = expectFailure(invalid('invalid_flags_tiled_plus_multipart.exr'), 'BAD_FLAGS', 4);
    expect(error.message).toContain('Multipart files cannot have the tiled bit set');
  });

  it('refuses a header cut mid-attribute where the cut attribute starts', () => {
    const error = expectFailure(invalid('invalid_truncated_header.exr'), 'TRUNCATED', 196);
    expect(error.message).toContain('ends at byte 200');
  });
});

describe('refusing malformed headers', () => {
  const part = partAttributes();

  it('refuses files shorter than the magic and version field', () => {
    expectFailure(byte(0x76, 0x2f), 'TRUNCATED', 0);
    expectFailure(u32(20000630), 'TRUNCATED', 4);
    expectFailure(new Uint8Array(0), 'TRUNCATED', 0);
  });

  it('refuses unknown flag bits and tiled deep single parts', () => {
    expectFailure(singlePart(part, 0x102), 'UNSUPPORTED_FLAGS', 4);
    expectFailure(singlePart(part, 0x2002), 'UNSUPPORTED_FLAGS', 4);
    expectFailure(singlePart(part, 0xa02), 'BAD_FLAGS', 4);
  });

  it('refuses names over 31 bytes without the long-names bit, and over 255 with it', () => {
    const name32 = 'n'.repeat(32);
    const file = singlePart(concat(part, attr(name32, 'int', i32(1))));
    const error = expectFailure(file, 'NAME_TOO_LONG', part.length + 8);
    expect(error.message).toContain('31 bytes');
    expect(
      parseExrBytes(singlePart(concat(part, attr(name32, 'int', i32(1))), 0x402)).parts[0]?.attributes.at(-1)
        ?.name,
    ).toBe(name32);
    expectFailure(
      singlePart(concat(part, attr('n'.repeat(256), 'int', i32(1))), 0x402),
      'NAME_TOO_LONG',
      part.length + 8,
    );
    expectFailure(
      singlePart(concat(part, attr('x', 't'.repeat(32), i32(1)))),
      'NAME_TOO_LONG',
      part.length + 10,
    );
    const longChannel = attr('channels', 'chlist', chlist({ name: 'c'.repeat(32) }));
    expectFailure(singlePart(longChannel), 'NAME_TOO_LONG', 8 + 9 + 7 + 4);
  });

  it('refuses an empty type name and negative sizes', () => {
    expectFailure(singlePart(concat(text('a'), byte(0, 0), i32(0))), 'EMPTY_NAME', 10);
    expectFailure(singlePart(attr('a', 'int', i32(1), -1)), 'BAD_SIZE', 8 + 6);
    expectFailure(singlePart(attr('a', 'int', i32(1), -2147483648)), 'BAD_SIZE', 8 + 6);
  });

  it('refuses sizes that do not fit the type', () => {
    expectFailure(singlePart(attr('a', 'box2i', i32(1, 2, 3))), 'BAD_SIZE', 8 + 12);
    expectFailure(singlePart(attr('a', 'floatvector', byte(1, 2, 3))), 'BAD_SIZE', 8 + 18);
    expectFailure(singlePart(attr('a', 'preview', concat(u32(2, 2), byte(1)))), 'BAD_SIZE', 8 + 14);
    // chlist without its terminator, and a channel cut short.
    expectFailure(
      singlePart(attr('channels', 'chlist', concat(text('R'), byte(0), i32(1)))),
      'BAD_SIZE',
      8 + 20 + 6,
    );
    expectFailure(
      singlePart(attr('channels', 'chlist', chlist({ name: 'R' }).subarray(0, 18))),
      'BAD_SIZE',
      8 + 20 + 18,
    );
    const badVector = attr('sv', 'stringvector', concat(i32(5), text('abc')));
    expectFailure(singlePart(badVector), 'BAD_SIZE', 8 + 20 + 4);
  });

  it('refuses values their type does not allow', () => {
    expectFailure(singlePart(attr('sv', 'stringvector', i32(-1))), 'BAD_VALUE', 8 + 20);
    expectFailure(
      singlePart(attr('tiles', 'tiledesc', concat(u32(16, 16), byte(3)))),
      'BAD_VALUE',
      8 + 19 + 8,
    );
    expectFailure(
      singlePart(attr('tiles', 'tiledesc', concat(u32(16, 16), byte(0x20)))),
      'BAD_VALUE',
      8 + 19 + 8,
    );
  });

  it('refuses standard attributes of another type, or given twice', () => {
    const error = expectFailure(singlePart(attr('dataWindow', 'box2f', f32(0, 0, 1, 1))), 'BAD_TYPE', 8);
    expect(error.attribute).toBe('dataWindow');
    expectFailure(singlePart(attr('chunkCount', 'float', f32(1))), 'BAD_TYPE', 8);
    const twice = attr('compression', 'compression', byte(0));
    expectFailure(singlePart(concat(twice, twice)), 'DUPLICATE_ATTRIBUTE', 8 + twice.length);
  });

  it('refuses a multipart file without parts', () => {
    expectFailure(multiPart([]), 'NO_PARTS', 8);
  });

  it('says where a truncated header stops, whatever the cut', () => {
    const file = multiPart([part, part]);
    for (let cut = 8; cut < file.length; cut++) {
      const error = failure(file.subarray(0, cut));
      expect(error.code).toBe('TRUNCATED');
      expect(error.offset).toBeLessThanOrEqual(cut);
      expect(error.offset).toBeGreaterThanOrEqual(8);
    }
  });

  it('says INCOMPLETE when the bytes given are the start of a longer file', () => {
    const file = singlePart(part);
    const error = failure(file.subarray(0, 40), undefined, 1000);
    expect({ code: error.code, offset: error.offset }).toEqual({ code: 'INCOMPLETE', offset: 40 });
  });

  it('refuses a header longer than maxHeaderBytes, and more parts, attributes, channels or elements than allowed', () => {
    expectFailure(singlePart(attr('s', 'string', new Uint8Array(100))), 'HEADER_TOO_LARGE', 21, {
      maxHeaderBytes: 64,
    });
    expectFailure(singlePart(attr('s', 'string', byte(), 0x7fffffff)), 'TRUNCATED', 21);
    expectFailure(multiPart([part, part, part]), 'LIMIT_EXCEEDED', 8 + 2 * (part.length + 1), {
      maxParts: 2,
    });
    expectFailure(singlePart(part), 'LIMIT_EXCEEDED', 8 + part.length - 32, { maxAttributes: 7 });
    const many = attr('channels', 'chlist', chlist({ name: 'A' }, { name: 'B' }, { name: 'C' }));
    expectFailure(singlePart(many), 'LIMIT_EXCEEDED', 8 + 20 + 36, { maxChannels: 2 });
    expectFailure(singlePart(attr('v', 'floatvector', f32(1, 2, 3))), 'LIMIT_EXCEEDED', 8 + 18, {
      maxVectorItems: 2,
    });
    const strings = attr('sv', 'stringvector', concat(i32(0), i32(0), i32(0)));
    expectFailure(singlePart(strings), 'LIMIT_EXCEEDED', 8 + 20 + 8, { maxVectorItems: 2 });
  });
});
