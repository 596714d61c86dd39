/**
 * What the catalogue does with values past its columns and with headers that parse but are
 * invalid (issue 45, items 1, 3 and 16): a valid EXR whose sizes pass 32 bits is recorded with
 * an issue naming what its columns could not hold, never a 500; reversed windows, 0x0 tiles,
 * sampling below 1 and unknown enums are flagged; float attributes of ±Infinity and NaN come
 * back as strings, not null; POST and GET list a file's sets alike; numeric queries past what
 * the columns hold answer 400 with the TAMS error body.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  attr,
  byte,
  chlist,
  concat,
  f32,
  i32,
  partAttributes,
  singlePartFile,
  u32,
} from '../../tools/exr-files/exr.build.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { expectError } from '../http/fixtures.ts';
import { exrEnv, type FileDetail, postBytes } from './exr.fixtures.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startServer({ env: exrEnv() });
});
afterAll(async () => {
  await server?.close();
});

/** The 8 required attributes, any of them replaced by `with` (name to its whole attribute). */
function header(replace: Record<string, Uint8Array> = {}, extra: Uint8Array[] = []): Uint8Array {
  const standard: [string, Uint8Array][] = [
    ['channels', attr('channels', 'chlist', chlist({ name: 'Y' }))],
    ['compression', attr('compression', 'compression', byte(0))],
    ['dataWindow', attr('dataWindow', 'box2i', i32(0, 0, 7, 7))],
    ['displayWindow', attr('displayWindow', 'box2i', i32(0, 0, 7, 7))],
    ['lineOrder', attr('lineOrder', 'lineOrder', byte(0))],
    ['pixelAspectRatio', attr('pixelAspectRatio', 'float', f32(1))],
    ['screenWindowCenter', attr('screenWindowCenter', 'v2f', f32(0, 0))],
    ['screenWindowWidth', attr('screenWindowWidth', 'float', f32(1))],
  ];
  return concat(...standard.map(([name, bytes]) => replace[name] ?? bytes), ...extra);
}

async function inspected(bytes: Uint8Array, path: string): Promise<FileDetail> {
  const res = await postBytes(server, bytes, { query: { path } });
  expect(res.status, res.text).toBe(200);
  const doc = res.body as FileDetail;
  // What GET gives of the recorded file is what the POST answered.
  const got = await server.get<FileDetail>(`/exr/files/${doc.id}`);
  expect(got.status, got.text).toBe(200);
  expect(got.body).toEqual(doc);
  return doc;
}

const issueCodes = (doc: FileDetail) => (doc.issues as { code: string }[]).map((i) => i.code);
const attribute = (doc: FileDetail, name: string) =>
  doc.parts[0]?.attributes?.find((a) => a.name === name)?.value;

describe('EXR values past the catalogue columns', () => {
  it('records a tiled file whose tiles are 0xFFFFFFFF with the issue, not a 500', async () => {
    const tiled = singlePartFile(partAttributes({ tiles: [0xffffffff, 0xffffffff, 0] }), 1, 0x202);
    const doc = await inspected(tiled, 'values/tiles-max.exr');
    expect(doc.status).toBe('inspected');
    expect(issueCodes(doc)).toEqual(['INVALID_TILE_SIZE', 'VALUE_OUT_OF_RANGE', 'VALUE_OUT_OF_RANGE']);
    expect(JSON.stringify(doc.issues)).toContain('tile_width 4294967295');
    // The exact value stays in the file's attributes.
    expect(attribute(doc, 'tiles')).toMatchObject({ xSize: 0xffffffff, ySize: 0xffffffff });
  });

  it('records a file whose data window is 2^32 pixels wide with the issue, not a 500', async () => {
    const wide = singlePartFile(
      header({ dataWindow: attr('dataWindow', 'box2i', i32(-(2 ** 31), 0, 2 ** 31 - 1, 0)) }),
      1,
    );
    const doc = await inspected(wide, 'values/wide.exr');
    expect(doc.status).toBe('inspected');
    expect(doc.width).toBeUndefined();
    expect(doc.height).toBe(1);
    expect(doc.resolutions).toEqual(['4294967296x1']);
    expect(issueCodes(doc)).toEqual(['VALUE_OUT_OF_RANGE', 'VALUE_OUT_OF_RANGE']);
    expect(attribute(doc, 'dataWindow')).toEqual({ xMin: -(2 ** 31), yMin: 0, xMax: 2 ** 31 - 1, yMax: 0 });
  });

  it('answers 400 with the TAMS error body for sizes past what the columns hold', async () => {
    const queries: Record<string, string>[] = [
      { max_size: '1e40' },
      { min_size: '1e40' },
      { max_size: '9007199254740993' },
    ];
    for (const query of queries) {
      const res = await server.get('/exr/files', { query });
      expectError(res, 400);
    }
    const posted = await postBytes(server, singlePartFile(header(), 8), { query: { size: '1e40' } });
    expectError(posted, 400);
  });
});

describe('EXR headers that parse but are invalid', () => {
  const cases: [string, Uint8Array, string][] = [
    [
      'a reversed data window',
      singlePartFile(header({ dataWindow: attr('dataWindow', 'box2i', i32(7, 0, 0, 7)) }), 8),
      'INVALID_WINDOW',
    ],
    [
      'a reversed display window',
      singlePartFile(header({ displayWindow: attr('displayWindow', 'box2i', i32(0, 9, 7, 0)) }), 8),
      'INVALID_WINDOW',
    ],
    ['0x0 tiles', singlePartFile(partAttributes({ tiles: [0, 0, 0] }), 0, 0x202), 'INVALID_TILE_SIZE'],
    [
      'a sampling of 0',
      singlePartFile(header({ channels: attr('channels', 'chlist', chlist({ name: 'Y', x: 0 })) }), 8),
      'INVALID_SAMPLING',
    ],
    [
      'a sampling of -1',
      singlePartFile(header({ channels: attr('channels', 'chlist', chlist({ name: 'Y', y: -1 })) }), 8),
      'INVALID_SAMPLING',
    ],
    [
      'an unknown pixel type',
      singlePartFile(
        header({ channels: attr('channels', 'chlist', chlist({ name: 'Y', pixelType: 7 })) }),
        8,
      ),
      'UNKNOWN_VALUE',
    ],
    [
      'an unknown line order',
      singlePartFile(header({ lineOrder: attr('lineOrder', 'lineOrder', byte(9)) }), 8),
      'UNKNOWN_VALUE',
    ],
    [
      'an unknown compression',
      singlePartFile(header({ compression: attr('compression', 'compression', byte(99)) }), 8),
      'UNKNOWN_VALUE',
    ],
  ];
  for (const [what, bytes, code] of cases) {
    it(`flags ${what} (${code})`, async () => {
      const doc = await inspected(bytes, `invalid/${what.replaceAll(' ', '-')}.exr`);
      expect(doc.status).toBe('inspected');
      expect(issueCodes(doc)).toContain(code);
    });
  }
});

describe('EXR values as the API gives them', () => {
  it('keeps float attributes of +Infinity, -Infinity and NaN as strings', async () => {
    const bytes = singlePartFile(
      header({}, [
        attr('peak', 'float', f32(Number.POSITIVE_INFINITY)),
        attr('floor', 'double', concat(u32(0, 0xfff00000))),
        attr('noise', 'v2f', f32(Number.NaN, 0.5)),
      ]),
      8,
    );
    const doc = await inspected(bytes, 'values/infinite.exr');
    expect(attribute(doc, 'peak')).toBe('Infinity');
    expect(attribute(doc, 'floor')).toBe('-Infinity');
    expect(attribute(doc, 'noise')).toEqual(['NaN', 0.5]);
  });

  it('lists pixel types and channel names the same way in POST and GET', async () => {
    const bytes = singlePartFile(
      header({
        channels: attr(
          'channels',
          'chlist',
          chlist({ name: 'R' }, { name: 'G' }, { name: 'B' }, { name: 'A', pixelType: 2 }),
        ),
      }),
      8,
    );
    const doc = await inspected(bytes, 'values/rgba.exr');
    expect(doc.pixel_types).toEqual(['FLOAT', 'HALF']);
    expect(doc.channel_names).toEqual(['A', 'B', 'G', 'R']);
    const listed = await server.get<FileDetail[]>('/exr/files', { query: { path_prefix: 'values/rgba' } });
    expect(listed.body.map((f) => [f.pixel_types, f.channel_names])).toEqual([
      [doc.pixel_types, doc.channel_names],
    ]);
  });
});
