/** Behaviour no fixture shows: what is kept of odd attributes, issues, offset tables, limits. */
import { describe, expect, it } from 'vitest';
import {
  attr,
  byte,
  concat,
  i32,
  multiPart,
  partAttributes,
  singlePart,
  singlePartFile,
  text,
  u32,
  u64,
} from '../../../tools/exr-files/exr.build.ts';
import { attributeValue, parseExrBytes } from './exr.parse.ts';
import type { ExrHeader } from './exr.types.ts';

const codes = (header: ExrHeader) => header.issues.map((i) => i.code);

describe('attribute values', () => {
  it('keeps attributes of unknown types as their bytes, up to 64 KiB', () => {
    const small = attr('mine', 'myType', byte(1, 2, 3));
    const large = attr('big', 'blob', new Uint8Array(65_537));
    const [part] = parseExrBytes(singlePart(concat(partAttributes(), small, large))).parts;
    expect(part?.attributes.at(-2)).toMatchObject({
      name: 'mine',
      type: 'myType',
      size: 3,
      value: { bytes: 3, base64: 'AQID' },
    });
    expect(part?.attributes.at(-1)?.value).toEqual({ bytes: 65_537 });
  });

  it('keeps preview pixels up to 64x64, only their size past that', () => {
    const preview = (w: number, h: number) =>
      attr('preview', 'preview', concat(u32(w, h), new Uint8Array(w * h * 4).fill(7)));
    const small = parseExrBytes(singlePart(concat(partAttributes(), preview(64, 64)))).parts[0];
    expect(attributeValue(small ?? { attributes: [] }, 'preview', 'preview')).toMatchObject({
      width: 64,
      rgbaBytes: 16384,
    });
    expect(attributeValue(small ?? { attributes: [] }, 'preview', 'preview')?.rgba).toHaveLength(21848);
    const large = parseExrBytes(singlePart(concat(partAttributes(), preview(65, 64)))).parts[0];
    expect(attributeValue(large ?? { attributes: [] }, 'preview', 'preview')).toEqual({
      width: 65,
      height: 64,
      rgbaBytes: 16640,
    });
  });

  it('reads strings as their bytes in UTF-8, string vectors as length-prefixed strings', () => {
    const name = text('Kamera é 📷');
    const [part] = parseExrBytes(
      singlePart(
        concat(
          partAttributes(),
          attr('owner', 'string', name),
          attr('sv', 'stringvector', concat(i32(2), text('ab'), i32(0))),
        ),
      ),
    ).parts;
    expect(attributeValue(part ?? { attributes: [] }, 'owner', 'string')).toBe('Kamera é 📷');
    expect(attributeValue(part ?? { attributes: [] }, 'sv', 'stringvector')).toEqual(['ab', '']);
  });

  it('keeps unknown enum numbers and decodes time codes', () => {
    const tc = attr('timeCode', 'timecode', u32(0x8063_5999, 0x8765_4321));
    const [part] = parseExrBytes(
      singlePart(concat(partAttributes({ compression: 42 }), attr('e', 'envmap', byte(9)), tc)),
    ).parts;
    expect(part?.summary.compression).toBe(42);
    expect(attributeValue(part ?? { attributes: [] }, 'e', 'envmap')).toBe(9);
    expect(attributeValue(part ?? { attributes: [] }, 'timeCode', 'timecode')).toEqual({
      timeAndFlags: 0x8063_5999,
      userData: 0x8765_4321,
      hours: 0,
      minutes: 63,
      seconds: 59,
      frame: 19,
      dropFrame: false,
      colorFrame: true,
      fieldPhase: false,
      bgf0: false,
      bgf1: false,
      bgf2: true,
      binaryGroups: [1, 2, 3, 4, 5, 6, 7, 8],
    });
  });

  it('gives the last copy of an attribute given twice, and says so', () => {
    const header = parseExrBytes(
      singlePartFile(concat(partAttributes(), attr('a', 'int', i32(1)), attr('a', 'int', i32(2))), 8),
    );
    expect(attributeValue(header.parts[0] ?? { attributes: [] }, 'a', 'int')).toBe(2);
    expect(attributeValue(header.parts[0] ?? { attributes: [] }, 'a', 'float')).toBeUndefined();
    expect(codes(header)).toEqual(['DUPLICATE_ATTRIBUTE']);
  });

  it('is plain JSON data', () => {
    const header = parseExrBytes(
      singlePart(partAttributes({ extra: [attr('x', 'weird', byte(1))] }), 2, u64(...Array(8).fill(100))),
    );
    expect(JSON.parse(JSON.stringify(header))).toEqual(header);
  });
});

describe('parts, their types and summaries', () => {
  it('reports missing required attributes rather than failing', () => {
    const header = parseExrBytes(singlePart(attr('comments', 'string', text('hi'))));
    expect(header.parts[0]?.missingRequired).toEqual([
      'channels',
      'compression',
      'dataWindow',
      'displayWindow',
      'lineOrder',
      'pixelAspectRatio',
      'screenWindowCenter',
      'screenWindowWidth',
    ]);
    expect(codes(header)).toEqual(['MISSING_REQUIRED', 'CHUNK_COUNT_UNKNOWN']);
    expect(header.offsetTablesEnd).toBeUndefined();
  });

  it('summarizes a multipart file part by part', () => {
    const named = (name: string, view: string, count: number) =>
      partAttributes({
        extra: [
          attr('name', 'string', text(name)),
          attr('type', 'string', text('scanlineimage')),
          attr('chunkCount', 'int', i32(count)),
          attr('view', 'string', text(view)),
        ],
      });
    const tables = u64(...Array.from({ length: 16 }, (_, i) => 1000 + i));
    const header = parseExrBytes(
      multiPart([named('left', 'left', 8), named('right', 'right', 8)], 0x1002, tables),
      2000,
    );
    expect(
      header.parts.map((p) => [
        p.summary.name,
        p.summary.view,
        p.summary.width,
        p.chunks.offsetTable?.first[0],
      ]),
    ).toEqual([
      ['left', 'left', 8, 1000],
      ['right', 'right', 8, 1008],
    ]);
    expect(header.parts[1]?.chunks.offsetTable?.start).toBe(header.headerEnd + 64);
    expect(header.offsetTablesEnd).toBe(header.headerEnd + 128);
    expect(header.issues).toEqual([]);
  });

  it('says when the type attribute disagrees with the flags or is unknown', () => {
    const typed = (type: string, field = 2) =>
      parseExrBytes(
        singlePart(partAttributes({ tiles: [8, 8, 0], extra: [attr('type', 'string', text(type))] }), field),
      );
    expect(codes(typed('tiledimage'))).toContain('PART_TYPE');
    expect(codes(typed('scanlineimage', 0x202))).toContain('PART_TYPE');
    expect(codes(typed('tiledimage', 0x202))).not.toContain('PART_TYPE');
    const unknown = typed('volume');
    expect(unknown.parts[0]?.summary.type).toBe('unknown');
    expect(codes(unknown)).toEqual(['PART_TYPE', 'CHUNK_COUNT_UNKNOWN']);
  });

  it('invents the type as the library does when there is none', () => {
    const tiledFile = parseExrBytes(singlePart(partAttributes({ tiles: [4, 4, 0] }), 0x202));
    expect(tiledFile.parts[0]?.summary).toMatchObject({ type: 'tiledimage', tiled: true, deep: false });
    expect(tiledFile.parts[0]?.chunks).toMatchObject({
      source: 'computed',
      count: 4,
      levels: { x: 1, y: 1 },
    });
  });

  it('checks a deep part’s version', () => {
    const deep = partAttributes({
      extra: [
        attr('type', 'string', text('deepscanline')),
        attr('version', 'int', i32(2)),
        attr('chunkCount', 'int', i32(8)),
        attr('name', 'string', text('d')),
      ],
    });
    const header = parseExrBytes(singlePart(deep, 0x802));
    expect(header.parts[0]?.summary).toMatchObject({ type: 'deepscanline', deep: true, name: 'd' });
    expect(codes(header)).toEqual(['DEEP_VERSION', 'OFFSET_TABLE_PARTIAL', 'OFFSET_TABLE_OUTSIDE_FILE']);
  });
});

describe('chunk counts and offset tables', () => {
  const withCount = (n: number, compression = 0) =>
    partAttributes({ compression, extra: [attr('chunkCount', 'int', i32(n))] });

  it('lays the table out with the declared count, and says when it differs from the computed one', () => {
    const header = parseExrBytes(singlePart(withCount(4), 2, u64(1, 2, 3, 4)));
    expect(header.parts[0]?.chunks).toMatchObject({
      declared: 4,
      computed: 8,
      count: 4,
      source: 'attribute',
    });
    expect(codes(header)).toContain('CHUNK_COUNT_MISMATCH');
    expect(header.offsetTablesEnd).toBe(header.headerEnd + 32);
  });

  it('falls back on the computed count when chunkCount is negative', () => {
    const header = parseExrBytes(singlePart(withCount(-5), 2, u64(...Array(8).fill(0))));
    expect(header.parts[0]?.chunks).toMatchObject({
      declared: -5,
      computed: 8,
      count: 8,
      source: 'computed',
    });
    expect(codes(header)).toEqual(['BAD_CHUNK_COUNT', 'OFFSETS_OUT_OF_RANGE']);
  });

  it('cannot locate the tables after a part of unknown count', () => {
    const unknown = partAttributes({
      compression: 77,
      extra: [attr('name', 'string', text('a')), attr('type', 'string', text('scanlineimage'))],
    });
    const known = partAttributes({
      extra: [attr('name', 'string', text('b')), attr('type', 'string', text('scanlineimage'))],
    });
    const header = parseExrBytes(multiPart([unknown, known]));
    expect(header.parts.map((p) => p.chunks.offsetTable)).toEqual([undefined, undefined]);
    expect(header.issues.map((i) => [i.code, i.part])).toEqual([
      ['MISSING_REQUIRED', 0],
      ['UNKNOWN_VALUE', 0],
      ['CHUNK_COUNT_UNKNOWN', 0],
      ['MISSING_REQUIRED', 1],
      ['OFFSET_TABLE_UNKNOWN', 1],
    ]);
  });

  it('tells descending tables (DECREASING_Y) from unordered ones and counts offsets that cannot start a chunk', () => {
    const file = (entries: number[]) =>
      singlePart(partAttributes({ height: 4 }), 2, concat(u64(...entries), new Uint8Array(200)));
    const head = parseExrBytes(file([0, 0, 0, 0])).offsetTablesEnd ?? 0;
    const at = (...d: number[]) => d.map((x) => head + x);
    const table = (entries: number[]) => parseExrBytes(file(entries)).parts[0]?.chunks.offsetTable;
    expect(table(at(0, 50, 100, 150))).toMatchObject({ order: 'ascending', monotonic: true, outOfRange: 0 });
    expect(table(at(150, 100, 50, 0))).toMatchObject({
      order: 'descending',
      monotonic: false,
      outOfRange: 0,
    });
    expect(table(at(50, 0, 100, 150))).toMatchObject({ order: 'unordered', monotonic: false });
    expect(table([0, ...at(0, 200), 2 ** 60])).toMatchObject({
      outOfRange: 3,
      first: [0, head, head + 200, 2 ** 60],
    });
  });

  it('reads entries up to maxOffsetEntries and up to the bytes given', () => {
    const entries = u64(...Array.from({ length: 8 }, (_, i) => 500 + i));
    const file = singlePart(partAttributes(), 2, concat(entries, new Uint8Array(400)));
    const bounded = parseExrBytes(file, undefined, { maxOffsetEntries: 3 });
    expect(bounded.parts[0]?.chunks.offsetTable).toMatchObject({
      entriesRead: 3,
      complete: false,
      lastRead: 502,
      insideFile: true,
    });
    expect(codes(bounded)).toEqual(['OFFSET_TABLE_PARTIAL']);
    const none = parseExrBytes(file, undefined, { maxOffsetEntries: 0 });
    expect(none.parts[0]?.chunks.offsetTable).toMatchObject({ entriesRead: 0, first: [], insideFile: true });
    expect(none.issues).toEqual([]);
    const head = bounded.headerEnd;
    const prefix = parseExrBytes(file.subarray(0, head + 20), file.length);
    expect(prefix.parts[0]?.chunks.offsetTable).toMatchObject({ entriesRead: 2, insideFile: true });
    expect(prefix.fileSize).toBe(file.length);
    const cut = parseExrBytes(file.subarray(0, head + 20));
    expect(cut.parts[0]?.chunks.offsetTable).toMatchObject({ entriesRead: 2, insideFile: false });
    expect(codes(cut)).toEqual(['OFFSET_TABLE_PARTIAL', 'OFFSET_TABLE_OUTSIDE_FILE', 'OFFSETS_OUT_OF_RANGE']);
  });

  it('reads a count of 2^31-1 without reading 16 GiB', () => {
    const header = parseExrBytes(singlePart(withCount(0x7fffffff), 2, new Uint8Array(100)));
    expect(header.parts[0]?.chunks.offsetTable).toMatchObject({
      entriesRead: 12,
      complete: false,
      insideFile: false,
    });
    expect(header.offsetTablesEnd).toBe(header.headerEnd + 8 * 0x7fffffff);
  });
});
