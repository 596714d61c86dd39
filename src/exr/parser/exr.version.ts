import { ExrParseError } from './exr.errors.ts';
import type { ExrVersion } from './exr.types.ts';

export const EXR_MAGIC = 20000630;

const TILED = 0x200;
const LONG_NAMES = 0x400;
const NON_IMAGE = 0x800;
const MULTIPART = 0x1000;
const KNOWN_BITS = 0xff | TILED | LONG_NAMES | NON_IMAGE | MULTIPART;

/** The version field's parts, whether or not the library would open such a file. */
export function decodeVersionField(field: number): ExrVersion {
  const f = field >>> 0;
  return {
    field: f,
    number: f & 0xff,
    singlePartTiled: (f & TILED) !== 0,
    longNames: (f & LONG_NAMES) !== 0,
    nonImage: (f & NON_IMAGE) !== 0,
    multipart: (f & MULTIPART) !== 0,
    unknownBits: (f & ~KNOWN_BITS) >>> 0,
  };
}

const hex = (n: number) => `0x${n.toString(16).padStart(8, '0')}`;

export function checkMagic(magic: number): void {
  if (magic !== EXR_MAGIC) {
    throw new ExrParseError('BAD_MAGIC', 0, `not an OpenEXR file: magic ${magic}, expected ${EXR_MAGIC}`);
  }
}

/**
 * Refuses what both OpenEXR libraries refuse, in their order: a version other than 2, flag bits
 * they do not know, and the tiled bit beside the multipart or non-image bit (the C++ library's
 * message for the first; the C core's strict mode refuses both).
 */
export function checkVersion(version: ExrVersion): void {
  if (version.number !== 2) {
    throw new ExrParseError(
      'UNSUPPORTED_VERSION',
      4,
      `cannot read version ${version.number} image files (version field ${hex(version.field)}); the format version is 2`,
    );
  }
  if (version.unknownBits !== 0) {
    throw new ExrParseError(
      'UNSUPPORTED_FLAGS',
      4,
      `the version field ${hex(version.field)} has unknown flag bits ${hex(version.unknownBits)}`,
    );
  }
  if (version.singlePartTiled && version.multipart) {
    throw new ExrParseError('BAD_FLAGS', 4, 'Multipart files cannot have the tiled bit set');
  }
  if (version.singlePartTiled && version.nonImage) {
    throw new ExrParseError(
      'BAD_FLAGS',
      4,
      'single-part tiled files cannot have the non-image (deep) bit set: deep tiled files are marked by their type',
    );
  }
}
