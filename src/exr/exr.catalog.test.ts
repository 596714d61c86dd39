import { describe, expect, it } from 'vitest';
import { attr, concat, partAttributes, singlePart, u32 } from '../../tools/exr-files/exr.build.ts';
import { sampleBytes, sampleDump, samplesGate } from '../../tools/exr-files/exr.samples.ts';
import { CELL_MAX_BYTES } from '../common/cells.ts';
import { catalogue, failureRecord, splitChannel } from './exr.catalog.ts';
import { fileId, headerHash, normalizePath } from './exr.identity.ts';
import { parseExrBytes } from './parser/exr.parse.ts';

const gate = samplesGate();
const NOW = '2026-11-24T12:00:00.000Z';

describe.skipIf(gate.skip)(`a header as catalogue rows${gate.note}`, () => {
  it('makes a file, its parts, channels and attributes in the columns exr-inspector names', () => {
    const bytes = sampleBytes(gate.dir, 'stdattrs_scanline_zip');
    const header = parseExrBytes(bytes);
    const hash = headerHash(bytes.subarray(0, header.headerEnd));
    const identity = { kind: 'object' as const, objectId: 'obj-1', storageId: 's', path: 'Flow/Obj-1' };
    const rows = catalogue(header, { identity, headerHash: hash, size: bytes.length, now: NOW });
    expect(rows.file).toMatchObject({
      file_id: fileId(identity, hash),
      file_path: 'Flow/Obj-1',
      file_path_normalized: 'flow/obj-1',
      object_id: 'obj-1',
      status: 'inspected',
      multipart_count: 1,
      inspection_count: 1,
      inspection_timestamp: NOW,
      last_inspected: NOW,
      compressions: ['ZIP'],
      vector_layout: 'tams-exr-v1',
    });
    expect(rows.file.file_id).toMatch(/^[0-9a-f]{32}$/);
    const dump = sampleDump(gate.dir, 'stdattrs_scanline_zip');
    expect(rows.attributes.map((a) => a.attr_name)).toEqual(dump.parts[0]?.attributeOrder);
    const owner = rows.attributes.find((a) => a.attr_name === 'owner');
    expect(owner).toMatchObject({ attr_type: 'string', value_text: dump.parts[0]?.attributes.owner?.value });
    const iso = rows.attributes.find((a) => a.attr_type === 'float');
    expect(iso?.value_float).toBeTypeOf('number');
    expect(rows.channels.map((c) => [c.channel_name, c.layer_name, c.component_name])).toEqual(
      rows.channels.map((c) => [c.channel_name, '', c.channel_name]),
    );
    expect(rows.parts[0]).toMatchObject({ part_index: 0, part_type: 'scanlineimage', compression: 'ZIP' });
  });

  it('records a failure under the identity without a header, and splits layer names at the last dot', () => {
    const identity = { kind: 'path' as const, path: 'a/./b//C.exr' };
    const failed = failureRecord({ identity, now: NOW }, { code: 'BAD_MAGIC', message: 'no' });
    expect(failed).toMatchObject({
      status: 'failed',
      error_code: 'BAD_MAGIC',
      file_path_normalized: 'a/b/c.exr',
    });
    expect(failed.file_id).toBe(fileId(identity, undefined));
    expect(fileId(identity, undefined)).toBe(fileId({ kind: 'path', path: 'A/b/c.exr' }, undefined));
    expect(normalizePath('\\\\share\\Renders\\x.exr')).toBe('/share/renders/x.exr');
    expect(splitChannel('a.b.R')).toEqual({ layer_name: 'a.b', component_name: 'R' });
    expect(splitChannel('Z')).toEqual({ layer_name: '', component_name: 'Z' });
    expect(splitChannel('.hidden')).toEqual({ layer_name: '', component_name: '.hidden' });
  });
});

describe('an attribute value larger than one cell', () => {
  it('is kept as a note of its length, text and JSON alike, never cut short', () => {
    // 65,000 two-byte characters: within the note's 65,536 characters, 130,000 bytes.
    const long = 'é'.repeat(65_000);
    const short = 'é'.repeat(1000);
    const string = (s: string) => concat(u32(Buffer.byteLength(s)), Buffer.from(s, 'utf8'));
    const bytes = singlePart(
      partAttributes({
        extra: [
          attr('comments', 'string', Buffer.from(long, 'utf8')),
          attr('owner', 'string', Buffer.from(short, 'utf8')),
          attr('notes', 'stringvector', concat(string(long), string('x'))),
        ],
      }),
    );
    const header = parseExrBytes(bytes);
    const identity = { kind: 'path' as const, path: 'long.exr' };
    const rows = catalogue(header, { identity, headerHash: headerHash(bytes), now: NOW });
    const byName = new Map(rows.attributes.map((a) => [a.attr_name, a]));
    for (const name of ['comments', 'notes']) {
      const a = byName.get(name);
      expect(a?.value_text).toBeUndefined();
      expect(JSON.parse(a?.value_json ?? '')).toMatchObject({ truncated: true });
    }
    expect(byName.get('owner')).toMatchObject({ value_text: short, value_json: JSON.stringify(short) });
    for (const a of rows.attributes) {
      for (const v of [a.value_text, a.value_json]) {
        if (v !== undefined) expect(Buffer.byteLength(v)).toBeLessThanOrEqual(CELL_MAX_BYTES);
      }
    }
  });
});
