/**
 * The parser against OpenImageIO (scripts/exr-oracle/report_oiio.py), the second reference and
 * the only one for the deepImageState type. OIIO reports less than OpenEXR (no sampling, no
 * pLinear, no preview/envmap/tiledesc values) and under its own names: an attribute it renamed
 * carries its file name in `exrName`, one it made up is marked `invented`. Every attribute OIIO
 * reports is looked up in the parser's header by its file name and compared as a flat list of
 * numbers or strings, in the order both keep (a box as xMin, yMin, xMax, yMax; a timecode as
 * timeAndFlags, userData; ...).
 */
import type { ExrAttribute, ExrHeader, ExrOpaqueValue, ExrPart } from '../../src/exr/parser/exr.parse.ts';
import {
  type CaseDoc,
  Differences,
  hexOfBase64,
  type OiioAttribute,
  type OiioPart,
  type Reference,
  versionInvented,
} from './exr.oracle.testkit.ts';

/** OIIO's TypeDesc names -> the EXR types it makes them from (OIIO 3.2 exrinput.cpp). */
const OIIO_TYPES: Record<string, string[]> = {
  int: ['int'],
  float: ['float'],
  double: ['double'],
  string: ['string'],
  float2: ['v2f'],
  vector2i: ['v2i'],
  vector2d: ['v2d'],
  vector: ['v3f'],
  vectori: ['v3i'],
  vectord: ['v3d'],
  matrix33: ['m33f'],
  matrix33d: ['m33d'],
  matrix: ['m44f'],
  matrixd: ['m44d'],
  'float2[2]': ['box2f'],
  'vector2i[2]': ['box2i'],
  rational: ['rational'],
  keycode: ['keycode'],
  timecode: ['timecode'],
};

function exrTypesOf(oiioType: string): string[] | 'opaque' {
  const known = OIIO_TYPES[oiioType];
  if (known !== undefined) return known;
  if (/^string\[\d+\]$/.test(oiioType)) return ['stringvector'];
  if (oiioType === 'float[8]') return ['chromaticities', 'floatvector'];
  if (/^float\[\d+\]$/.test(oiioType)) return ['floatvector'];
  if (/^uint8\[\d+\]$/.test(oiioType)) return 'opaque';
  return [];
}

/** OIIO's enumerations spelt its way -> the parser's names. */
const LINE_ORDERS: Record<string, string> = {
  increasingY: 'INCREASING_Y',
  decreasingY: 'DECREASING_Y',
  randomY: 'RANDOM_Y',
};
const upper = (s: string) => s.toUpperCase();

/** A parser value as the flat list OIIO keeps of it. */
function flat(attr: ExrAttribute): unknown[] {
  const v = attr.value as unknown;
  if (Array.isArray(v)) return v;
  if (v === null || typeof v !== 'object') return [v];
  const o = v as Record<string, unknown>;
  switch (attr.type) {
    case 'box2i':
    case 'box2f':
      return [o.xMin, o.yMin, o.xMax, o.yMax];
    case 'rational':
      return [o.numerator, o.denominator];
    case 'timecode':
      return [o.timeAndFlags, o.userData];
    case 'bytes': {
      // OpenEXR 3.4's bytes type (opaque to the parser): OIIO keeps the data, not the hint.
      const raw = Buffer.from((v as ExrOpaqueValue).base64 ?? '', 'base64');
      return [raw.subarray(4 + raw.readUInt32LE(0)).toString('hex')];
    }
  }
  if ('bytes' in o && !('width' in o)) return [hexOfBase64((v as ExrOpaqueValue).base64)];
  return Object.values(o); // chromaticities, keycode: in the order of the file and of OIIO
}

function lastOfType(part: ExrPart, type: string): ExrAttribute | undefined {
  return part.attributes.filter((a) => a.type === type).at(-1);
}

function compareAttribute(d: Differences, at: string, part: ExrPart, name: string, a: OiioAttribute): void {
  const where = `${at} attribute '${name}'`;
  // OIIO reports any lineOrder- or deepImageState-typed attribute under one name, whatever the
  // file calls it: when a part has several, the last one read (file order) is the one it keeps.
  if (name === 'openexr:lineOrder' || name === 'openexr:deepImageState') {
    const type = name === 'openexr:lineOrder' ? 'lineOrder' : 'deepImageState';
    const ours = lastOfType(part, type);
    const theirs = type === 'lineOrder' ? LINE_ORDERS[a.value] : upper(a.value);
    d.check(`${where} (the last ${type} attribute)`, ours?.value, theirs);
    return;
  }
  const exrName = a.exrName ?? name;
  const attr = part.attributes.filter((x) => x.name === exrName).at(-1);
  if (attr === undefined) {
    if (!versionInvented(name, a, part)) d.add(where, `no attribute '${exrName}' in the parser's header`);
    return;
  }
  const types = exrTypesOf(a.type);
  const fits = types === 'opaque' ? 'bytes' in (attr.value as object) : types.includes(attr.type);
  if (!fits) d.add(`${where} type`, `parser ${attr.type}, OpenImageIO ${a.type}`);
  d.check(where, flat(attr), Array.isArray(a.value) ? a.value : [a.value]);
}

function comparePart(d: Differences, part: ExrPart, ref: OiioPart): void {
  const s = part.summary;
  const at = `part ${part.index} (${ref.name ?? 'unnamed'})`;
  d.check(`${at} name`, s.name ?? null, ref.name);
  d.check(`${at} deep`, s.deep, ref.deep);
  d.check(`${at} dataWindow`, s.dataWindow, ref.dataWindow);
  d.check(`${at} displayWindow`, s.displayWindow, ref.displayWindow);
  const byName = (a: { name: string }, b: { name: string }) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
  d.check(
    `${at} channels`,
    s.channels.map((c) => ({ name: c.name, pixelType: c.pixelType })).sort(byName),
    [...ref.channels].sort(byName),
  );
  d.check(`${at} tile size`, s.tiles ? [s.tiles.xSize, s.tiles.ySize] : null, ref.tileSize);
  for (const [name, a] of Object.entries(ref.attributes)) {
    if (name === 'compression') {
      // "zip", "dwaa:45" (OIIO appends the DWA level): the name before any colon.
      d.check(`${at} compression`, String(s.compression).toLowerCase(), String(a.value).split(':')[0]);
    } else if (name === 'openexr:roundingmode') {
      d.check(`${at} roundingMode`, s.tiles?.roundingMode, ['ROUND_DOWN', 'ROUND_UP'][a.value]);
    } else if (name === 'oiio:RowsPerChunk') {
      d.check(`${at} lines per chunk`, part.chunks.linesPerChunk, a.value);
    } else if (name === 'oiio:miplevels') {
      d.check(`${at} MIP levels`, part.chunks.levels?.x, a.value);
    } else if (!a.invented) {
      compareAttribute(d, at, part, name, a);
    }
  }
}

export function compareWithOiio(file: string, header: ExrHeader, doc: CaseDoc): string[] {
  const ref = doc.oiio as Reference<OiioPart>;
  const d = new Differences(file, ref.library);
  d.check('parts', header.parts.length, ref.parts.length);
  for (const [i, part] of header.parts.entries()) {
    const refPart = ref.parts[i];
    if (refPart !== undefined) comparePart(d, part, refPart);
  }
  return d.list;
}
