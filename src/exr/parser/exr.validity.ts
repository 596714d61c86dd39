import { attributeValue } from './exr.lookup.ts';
import type { ExrAttribute, ExrBox2, ExrIssueCode } from './exr.types.ts';

/** The largest tile side the libraries accept (they keep it in an int). */
const MAX_TILE = 0x7fff_ffff;

/**
 * Values of standard attributes that decode but that the OpenEXR libraries refuse when they open
 * the file: an empty or reversed window, a tile side of 0 or past an int, a sampling below 1,
 * an unknown compression, line order or pixel type. The parser keeps them (a catalogue is better
 * off seeing them, src/exr/README.md) and reports each here, so that a file recorded with one is
 * flagged rather than taken as sound.
 */
export function invalidValues(part: {
  attributes: readonly ExrAttribute[];
}): { code: ExrIssueCode; message: string }[] {
  const found: { code: ExrIssueCode; message: string }[] = [];
  const add = (code: ExrIssueCode, message: string) => found.push({ code, message });
  for (const name of ['dataWindow', 'displayWindow']) {
    const box = attributeValue(part, name, 'box2i');
    if (box !== undefined && isReversed(box)) {
      add(
        'INVALID_WINDOW',
        `${name} (${box.xMin},${box.yMin})-(${box.xMax},${box.yMax}) is empty: a max is below its min`,
      );
    }
  }
  const tiles = attributeValue(part, 'tiles', 'tiledesc');
  if (
    tiles !== undefined &&
    !([tiles.xSize, tiles.ySize] as number[]).every((s) => s >= 1 && s <= MAX_TILE)
  ) {
    add('INVALID_TILE_SIZE', `tiles ${tiles.xSize}x${tiles.ySize}: each side must be 1 to ${MAX_TILE}`);
  }
  const compression = attributeValue(part, 'compression', 'compression');
  if (typeof compression === 'number') add('UNKNOWN_VALUE', `compression ${compression} is not a known one`);
  const lineOrder = attributeValue(part, 'lineOrder', 'lineOrder');
  if (typeof lineOrder === 'number') add('UNKNOWN_VALUE', `lineOrder ${lineOrder} is not a known one`);
  for (const c of attributeValue(part, 'channels', 'chlist') ?? []) {
    if (typeof c.pixelType === 'number') {
      add('UNKNOWN_VALUE', `channel '${c.name}' has pixel type ${c.pixelType}, not UINT, HALF or FLOAT`);
    }
    if (c.xSampling < 1 || c.ySampling < 1) {
      add(
        'INVALID_SAMPLING',
        `channel '${c.name}' has sampling ${c.xSampling}x${c.ySampling}: each must be 1 or more`,
      );
    }
  }
  return found;
}

const isReversed = (box: ExrBox2) => box.xMax < box.xMin || box.yMax < box.yMin;
