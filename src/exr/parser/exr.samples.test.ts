/**
 * Every fixture of ../shared/exr-samples against json/, the output of an independent dumper
 * written from the File Layout document: each attribute's type, size, offset and value in file
 * order, the version field, header end, chunk counts and offset tables, missing attributes.
 */
import { describe, expect, it } from 'vitest';
import {
  type DumpAttribute,
  sampleBytes,
  sampleDump,
  sampleNames,
  samplesGate,
} from '../../../tools/exr-files/exr.samples.ts';
import { bytesSource, parseExrBytes, parseExrHeader } from './exr.parse.ts';
import type { ExrAttribute, ExrTimecode } from './exr.types.ts';

const gate = samplesGate();

/** The dumper prints float32 values with 9 significant digits (enough to tell any two apart). */
const FLOAT32_TYPES = new Set([
  'box2f',
  'chromaticities',
  'float',
  'floatvector',
  'm33f',
  'm44f',
  'v2f',
  'v3f',
]);

function g9(value: unknown): unknown {
  if (typeof value === 'number') return Number(value.toPrecision(9));
  if (Array.isArray(value)) return value.map(g9);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, g9(v)]));
  }
  return value;
}

/** Our value in the dumper's shape: its timecode field names, no preview pixels, opaque as a length. */
function asDumped(attribute: ExrAttribute): unknown {
  const { type, value } = attribute;
  if (FLOAT32_TYPES.has(type)) return g9(value);
  if (type === 'timecode') {
    const t = value as ExrTimecode;
    return {
      timeAndFlags: t.timeAndFlags,
      userData: t.userData,
      hh: t.hours,
      mm: t.minutes,
      ss: t.seconds,
      ff: t.frame,
      dropFrame: t.dropFrame ? 1 : 0,
    };
  }
  if (type === 'preview' && typeof value === 'object' && value !== null && 'rgba' in value) {
    const { rgba: _pixels, ...rest } = value;
    return rest;
  }
  if (typeof value === 'object' && value !== null && 'bytes' in value && !Array.isArray(value)) {
    return { opaqueBytes: value.bytes };
  }
  return value;
}

describe.skipIf(gate.skip)(`OpenEXR samples against the reference dumps${gate.note}`, () => {
  const names = gate.skip ? [] : sampleNames(gate.dir);

  it('finds the fixtures', () => {
    expect(names.length).toBeGreaterThanOrEqual(30);
  });

  describe.each(names)('%s', (name) => {
    const bytes = sampleBytes(gate.dir, name);
    const dump = sampleDump(gate.dir, name);
    const header = parseExrBytes(bytes);

    it('has the version field, flags and header end', () => {
      expect(header.version.field).toBe(Number.parseInt(dump.versionField, 16));
      expect(header.version.number).toBe(dump.version);
      const { singlePartTiled, longNames, nonImage, multipart, unknownBits } = header.version;
      expect({
        singlePartTiled,
        longNames,
        nonImage,
        multipart,
        unknownBits: `0x${unknownBits.toString(16)}`,
      }).toEqual(dump.flags);
      expect(header.fileSize).toBe(dump.size);
      expect(header.headerEnd).toBe(dump.headerEnd);
      expect(header.offsetTablesEnd).toBe(dump.firstChunkOffset);
      expect(header.parts).toHaveLength(dump.parts.length);
    });

    it('has every attribute in file order with its type, size, offset and value', () => {
      for (const [i, expected] of dump.parts.entries()) {
        const part = header.parts[i];
        expect(part?.headerStart).toBe(expected.headerStart);
        expect(part?.attributes.map((a) => a.name)).toEqual(expected.attributeOrder);
        for (const attribute of part?.attributes ?? []) {
          const { type, size, offset } = attribute;
          const got: DumpAttribute = { type, size, offset, value: asDumped(attribute) };
          expect(got, `${name} part ${i} ${attribute.name}`).toEqual(expected.attributes[attribute.name]);
        }
      }
    });

    it('has the part types, chunk counts, offset tables and missing attributes', () => {
      for (const [i, expected] of dump.parts.entries()) {
        const part = header.parts[i];
        expect(part?.summary.type).toBe(expected.partType);
        expect(part?.chunks.count).toBe(expected.chunkCount);
        expect(part?.chunks.source).toBe(expected.chunkCountSource);
        // The samples' writers all declare the count the header implies.
        expect(part?.chunks.computed).toBe(expected.chunkCount);
        if (expected.chunkCountSource === 'attribute')
          expect(part?.chunks.declared).toBe(expected.chunkCount);
        const table = part?.chunks.offsetTable;
        expect(table?.start).toBe(expected.offsetTable.start);
        expect(table?.first).toEqual(expected.offsetTable.first);
        expect(table?.lastRead).toBe(expected.offsetTable.last ?? undefined);
        expect(table?.monotonic).toBe(expected.offsetTable.monotonic);
        expect(table?.complete).toBe(true);
        expect(table?.outOfRange).toBe(0);
        expect(table?.insideFile).toBe(true);
        expect(part?.missingRequired).toEqual(expected.missingRequired);
      }
    });

    it('summarizes each part from the dumped attributes', () => {
      for (const [i, expected] of dump.parts.entries()) {
        const value = (name: string) => expected.attributes[name]?.value;
        const dw = value('dataWindow') as { xMin: number; yMin: number; xMax: number; yMax: number };
        const summary = header.parts[i]?.summary;
        expect(summary).toMatchObject({
          type: expected.partType,
          deep: expected.partType.startsWith('deep'),
          tiled: expected.partType.endsWith('tile') || expected.partType === 'tiledimage',
          width: dw.xMax - dw.xMin + 1,
          height: dw.yMax - dw.yMin + 1,
          dataWindow: dw,
          displayWindow: value('displayWindow'),
          compression: value('compression'),
          lineOrder: value('lineOrder'),
          channels: value('channels'),
          chunkCount: expected.chunkCount,
        });
        expect(summary?.name).toBe(value('name'));
        expect(summary?.view).toBe(value('view'));
        expect(summary?.multiView).toEqual(value('multiView'));
        expect(summary?.tiles).toEqual(value('tiles'));
      }
    });

    it('reports only the missing attributes the reference reports', () => {
      const expected = dump.parts.flatMap((p, i) => (p.missingRequired.length > 0 ? [i] : []));
      expect(header.issues.map((issue) => [issue.code, issue.part])).toEqual(
        expected.map((i) => ['MISSING_REQUIRED', i]),
      );
    });

    it('parses the same through a byte source read in small pieces', async () => {
      const source = bytesSource(bytes);
      await expect(parseExrHeader(source, { firstReadBytes: 64 })).resolves.toEqual(header);
      await expect(parseExrHeader({ read: source.read })).resolves.toEqual(header);
    });
  });
});
