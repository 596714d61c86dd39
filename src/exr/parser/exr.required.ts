import { ExrParseError } from './exr.errors.ts';
import type { ExrPartType, ExrVersion } from './exr.types.ts';

/**
 * The attributes the libraries read into their own fields, with the one type each may have.
 * Both refuse another type; the C core also refuses a second copy in one part.
 */
const STANDARD_TYPES: Readonly<Record<string, string>> = {
  channels: 'chlist',
  compression: 'compression',
  dataWindow: 'box2i',
  displayWindow: 'box2i',
  lineOrder: 'lineOrder',
  pixelAspectRatio: 'float',
  screenWindowCenter: 'v2f',
  screenWindowWidth: 'float',
  tiles: 'tiledesc',
  name: 'string',
  type: 'string',
  version: 'int',
  chunkCount: 'int',
};

const EVERY_PART = [
  'channels',
  'compression',
  'dataWindow',
  'displayWindow',
  'lineOrder',
  'pixelAspectRatio',
  'screenWindowCenter',
  'screenWindowWidth',
];

/** Before the value is read: a standard attribute's type, and no second copy of one. */
export function checkStandard(
  name: string,
  type: string,
  offset: number,
  seen: Set<string>,
  part: number,
): void {
  const expected = STANDARD_TYPES[name];
  if (expected === undefined) return;
  if (type !== expected) {
    throw new ExrParseError(
      'BAD_TYPE',
      offset,
      `attribute '${name}' has type ${type}, expected ${expected}`,
      {
        part,
        attribute: name,
      },
    );
  }
  if (seen.has(name)) {
    throw new ExrParseError('DUPLICATE_ATTRIBUTE', offset, `attribute '${name}' given twice`, {
      part,
      attribute: name,
    });
  }
  seen.add(name);
}

/**
 * The required attributes a part lacks, in the File Layout document's order. Multipart and deep
 * files also need name, type and chunkCount, deep parts a version, tiled parts tiles.
 */
export function missingRequired(
  present: ReadonlySet<string>,
  type: ExrPartType | 'unknown',
  version: ExrVersion,
) {
  const required = [...EVERY_PART];
  if (type === 'tiledimage' || type === 'deeptile') required.push('tiles');
  if (version.multipart || version.nonImage) required.push('name', 'type', 'chunkCount');
  if (type === 'deepscanline' || type === 'deeptile') required.push('version');
  return required.filter((name) => !present.has(name));
}
