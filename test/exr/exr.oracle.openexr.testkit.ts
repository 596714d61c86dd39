/**
 * The parser against OpenEXR's own library (scripts/exr-oracle/report_openexr.py): every
 * attribute of every part by name, type and value, the part's summary, its chunk count, and the
 * version field's flags. Values compare exactly: float32 attributes come out of the parser as the
 * float32 itself (DataView.getFloat32) and out of the generator as Python's repr of the same
 * float32 widened to a double, so equal float32s are equal doubles; -0, NaN and the infinities
 * compare by name (canon()).
 */
import type { ExrAttribute, ExrHeader, ExrOpaqueValue, ExrPart } from '../../src/exr/parser/exr.parse.ts';
import {
  type CaseDoc,
  Differences,
  hexOfBase64,
  type OpenexrPart,
  type RefAttribute,
  type RefChannel,
  type Reference,
  versionInvented,
} from './exr.oracle.testkit.ts';

/** The library's enum names -> the parser's (OpenEXR's C++ names carry a suffix or prefix). */
const compressionName = (s: string) => (s === 'NO_COMPRESSION' ? 'NONE' : s.replace(/_COMPRESSION$/, ''));
const envmapName = (s: string) => s.replace(/^ENVMAP_/, '');

const channel = (c: RefChannel) => ({
  name: c.name,
  pixelType: c.pixelType,
  pLinear: c.pLinear ? 1 : 0,
  xSampling: c.xSampling,
  ySampling: c.ySampling,
});

const TIMECODE_FIELDS = [
  'hours',
  'minutes',
  'seconds',
  'frame',
  'dropFrame',
  'colorFrame',
  'fieldPhase',
  'bgf0',
  'bgf1',
  'bgf2',
  'userData',
] as const;

/** The types the bindings decode; any other type name comes back as an opaque attribute. */
const LIBRARY_TYPES = new Set([
  ...['box2i', 'box2f', 'bytes', 'chlist', 'chromaticities', 'compression', 'double', 'envmap'],
  ...['float', 'floatvector', 'int', 'keycode', 'lineOrder', 'm33f', 'm33d', 'm44f', 'm44d'],
  ...['preview', 'rational', 'string', 'stringvector', 'tiledesc', 'timecode'],
  ...['v2i', 'v2f', 'v2d', 'v3i', 'v3f', 'v3d'],
]);

/** OpenEXR 3.4's `bytes` value as stored: uint32 hint length, the hint, the data. */
function bytesLayout(value: { typeHint: string; data: string }): string {
  const hint = Buffer.from(value.typeHint, 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32LE(hint.length);
  return Buffer.concat([length, hint, Buffer.from(value.data, 'hex')]).toString('hex');
}

/** The parser's value and the library's, each as the other spells it, for one attribute. */
function pair(attr: ExrAttribute, ref: RefAttribute): [unknown, unknown] {
  const v = attr.value as unknown;
  switch (ref.type) {
    case 'compression':
      return [v, compressionName(ref.value)];
    case 'envmap':
      return [v, envmapName(ref.value)];
    case 'chlist':
      return [v, (ref.value as RefChannel[]).map(channel)];
    case 'timecode': {
      const tc = v as Record<string, unknown>;
      return [Object.fromEntries(TIMECODE_FIELDS.map((k) => [k, tc[k]])), ref.value];
    }
    case 'preview': {
      const p = v as { width: number; height: number; rgbaBytes: number; rgba?: string };
      const { width, height, rgba } = ref.value as { width: number; height: number; rgba: string };
      return [
        [p.width, p.height, p.rgbaBytes, hexOfBase64(p.rgba)],
        [width, height, width * height * 4, rgba],
      ];
    }
    case 'bytes':
      // OpenEXR 3.4's `bytes` type: the parser keeps it opaque (it is not in the File Layout
      // document's list); its raw bytes must still be the library's hint and data.
      return [hexOfBase64((v as ExrOpaqueValue).base64), bytesLayout(ref.value)];
  }
  if (!LIBRARY_TYPES.has(ref.type)) {
    const o = v as ExrOpaqueValue;
    return [
      [o.bytes, hexOfBase64(o.base64)],
      [ref.value.opaque.length / 2, ref.value.opaque],
    ];
  }
  return [v, ref.value];
}

/** The attributes a part must have (File Layout, "Header Attributes"), absent from the reference. */
function expectedMissing(ref: OpenexrPart, parts: number): string[] {
  const required = ['channels', 'compression', 'dataWindow', 'displayWindow', 'lineOrder'];
  required.push('pixelAspectRatio', 'screenWindowCenter', 'screenWindowWidth');
  const deep = ref.type.startsWith('deep');
  if (ref.type.endsWith('tile') || ref.type === 'tiledimage') required.push('tiles');
  if (parts > 1 || deep) required.push('name', 'type', 'chunkCount');
  if (deep) required.push('version');
  return required.filter((n) => !(n in ref.attributes));
}

/** The bindings report a `type` for single-part files whatever the header holds: unknowable there. */
const knowable = (names: string[], parts: number) => names.filter((n) => parts > 1 || n !== 'type').sort();

function comparePart(d: Differences, part: ExrPart, ref: OpenexrPart, parts: number): void {
  const at = `part ${part.index} (${ref.name ?? 'unnamed'})`;
  const byName = new Map(part.attributes.map((a) => [a.name, a]));
  for (const [name, refAttr] of Object.entries(ref.attributes)) {
    const attr = byName.get(name);
    const where = `${at} attribute '${name}'`;
    if (attr === undefined) {
      // The bindings invent a `type` for single-part files without one (as exrheader prints
      // one): the parser must have come to the same type from the version flags.
      if (name === 'type' && parts === 1) d.check(`${where} (invented)`, part.summary.type, refAttr.value);
      else if (versionInvented(name, refAttr, part)) continue;
      else d.add(where, `absent from the parser's header, ${show(refAttr)} in the library's`);
      continue;
    }
    d.check(`${where} type`, attr.type, refAttr.type);
    d.check(where, ...pair(attr, refAttr));
  }
  for (const name of byName.keys()) {
    if (!(name in ref.attributes)) d.add(`${at} attribute '${name}'`, 'in the parser only');
  }

  const s = part.summary;
  d.check(`${at} name`, s.name ?? null, ref.name);
  d.check(`${at} type`, s.type, ref.type);
  d.check(`${at} dataWindow`, s.dataWindow, ref.dataWindow);
  d.check(`${at} displayWindow`, s.displayWindow, ref.displayWindow);
  d.check(`${at} channels`, s.channels, ref.channels.map(channel));
  d.check(`${at} compression`, s.compression, compressionName(ref.compression));
  d.check(`${at} lineOrder`, s.lineOrder, ref.lineOrder);
  d.check(`${at} tiles`, s.tiles ?? null, ref.tiles);
  d.check(`${at} pixelAspectRatio`, s.pixelAspectRatio, ref.pixelAspectRatio);

  const { value, source } = ref.chunkCount;
  const c = part.chunks;
  const ours = source === 'attribute' ? c.declared : c.computed;
  d.check(`${at} chunkCount (${source})`, [ours, c.count, s.chunkCount], [value, value, value]);

  d.check(
    `${at} missingRequired`,
    knowable(part.missingRequired, parts),
    knowable(expectedMissing(ref, parts), parts),
  );
}

function show(x: unknown): string {
  return JSON.stringify(x);
}

/** Issues a file the library wrote and reads may raise: none, but for what `incomplete` says. */
export function unexpectedIssues(header: ExrHeader, incomplete: boolean): string[] {
  const allowed = new Set(['MISSING_REQUIRED', ...(incomplete ? ['OFFSETS_OUT_OF_RANGE'] : [])]);
  return header.issues.filter((i) => !allowed.has(i.code)).map((i) => `${i.code}: ${i.message}`);
}

/** The version field against the flags a writer must set for what the libraries report. */
export function compareVersion(file: string, header: ExrHeader, doc: CaseDoc): string[] {
  const d = new Differences(file, 'expected');
  const v = header.version;
  d.check('version number', [v.number, v.unknownBits], [2, 0]);
  const flags = {
    singlePartTiled: v.singlePartTiled,
    longNames: v.longNames,
    nonImage: v.nonImage,
    multipart: v.multipart,
  };
  d.check('version flags', flags, doc.expectedFlags);
  return d.list;
}

export function compareWithOpenexr(file: string, header: ExrHeader, doc: CaseDoc): string[] {
  const ref = doc.openexr as Reference<OpenexrPart>;
  const d = new Differences(file, ref.library);
  d.check('parts', header.parts.length, ref.parts.length);
  for (const [i, part] of header.parts.entries()) {
    const refPart = ref.parts[i];
    if (refPart !== undefined) comparePart(d, part, refPart, ref.parts.length);
  }
  return d.list;
}
