import type {
  ExrCompression,
  ExrDeepImageState,
  ExrEnvmap,
  ExrLevelMode,
  ExrLineOrder,
  ExrPartType,
  ExrPixelType,
  ExrRoundingMode,
} from './exr.types.ts';

/** Names by stored number; a number past the end is kept as the number. */
export const COMPRESSIONS = [
  'NONE',
  'RLE',
  'ZIPS',
  'ZIP',
  'PIZ',
  'PXR24',
  'B44',
  'B44A',
  'DWAA',
  'DWAB',
  'HTJ2K256',
  'HTJ2K32',
  'LJ2K',
  'ZSTD',
] as const satisfies readonly ExrCompression[];
export const LINE_ORDERS = [
  'INCREASING_Y',
  'DECREASING_Y',
  'RANDOM_Y',
] as const satisfies readonly ExrLineOrder[];
export const ENVMAPS = ['LATLONG', 'CUBE'] as const satisfies readonly ExrEnvmap[];
export const DEEP_IMAGE_STATES = [
  'MESSY',
  'SORTED',
  'NON_OVERLAPPING',
  'TIDY',
] as const satisfies readonly ExrDeepImageState[];
export const PIXEL_TYPES = ['UINT', 'HALF', 'FLOAT'] as const satisfies readonly ExrPixelType[];
export const LEVEL_MODES = [
  'ONE_LEVEL',
  'MIPMAP_LEVELS',
  'RIPMAP_LEVELS',
] as const satisfies readonly ExrLevelMode[];
export const ROUNDING_MODES = ['ROUND_DOWN', 'ROUND_UP'] as const satisfies readonly ExrRoundingMode[];
export const PART_TYPES = [
  'scanlineimage',
  'tiledimage',
  'deepscanline',
  'deeptile',
] as const satisfies readonly ExrPartType[];

/**
 * Scanlines per chunk of each compression (the library's table; HTJ2K as in OpenEXR 3.4, ZSTD as
 * the 3.5 library writes it). LJ2K has none here: no file of it was seen, so its count is unknown.
 */
export const LINES_PER_CHUNK: Readonly<Record<string, number>> = {
  NONE: 1,
  RLE: 1,
  ZIPS: 1,
  ZIP: 16,
  PXR24: 16,
  PIZ: 32,
  B44: 32,
  B44A: 32,
  DWAA: 32,
  DWAB: 256,
  HTJ2K256: 256,
  HTJ2K32: 32,
  ZSTD: 1,
};

export function named<T extends string>(names: readonly T[], n: number): T | number {
  return names[n] ?? n;
}

export function isPartType(value: string): value is ExrPartType {
  return (PART_TYPES as readonly string[]).includes(value);
}
