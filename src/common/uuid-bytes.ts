/**
 * Object ids and storage keys are nearly always canonical lowercase UUIDs: kept as 16 bytes they
 * cost a fifth of the string. Only the canonical spelling is packed, so formatting the bytes gives
 * back exactly the string that was stored; any other spelling stays a string.
 */

/** Text of one byte per character, as Latin-1 spells it. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: every code unit up to 0xff is allowed, controls included.
const LATIN1 = /^[\u0000-\u00ff]*$/;

const DASHES = [8, 13, 18, 23];

function nibble(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 97 && code <= 102) return code - 87;
  return -1;
}

/**
 * Writes the 16 bytes of a canonical lowercase UUID at `offset`. Returns false for any other
 * string, leaving those 16 bytes unspecified (one pass, as this runs for every segment loaded).
 */
export function packUuid(id: string, bytes: Uint8Array, offset: number): boolean {
  if (id.length !== 36) return false;
  for (const d of DASHES) if (id.charCodeAt(d) !== 45) return false;
  for (let i = 0, c = 0; i < 16; i++, c += 2) {
    if (c === 8 || c === 13 || c === 18 || c === 23) c++;
    const hi = nibble(id.charCodeAt(c));
    const lo = nibble(id.charCodeAt(c + 1));
    if (hi < 0 || lo < 0) return false;
    bytes[offset + i] = (hi << 4) | lo;
  }
  return true;
}

const SCRATCH = new Uint8Array(16);

export function isCanonicalUuid(id: string): boolean {
  return packUuid(id, SCRATCH, 0);
}

/** The ASCII codes of each byte's two lowercase hex digits. */
const HEX_CODES = new Uint8Array(512);
const DIGITS = '0123456789abcdef';
for (let b = 0; b < 256; b++) {
  HEX_CODES[2 * b] = DIGITS.charCodeAt(b >> 4);
  HEX_CODES[2 * b + 1] = DIGITS.charCodeAt(b & 15);
}
/** Where unpackUuid spells a UUID before making it a string. */
const SPELLED = Buffer.alloc(36);

/**
 * Writes the canonical text of the 16 bytes at `bytes[offset]` (36 ASCII codes, dashes included)
 * into `out` at `at`; returns where it ends.
 */
export function spellUuid(out: Uint8Array, at: number, bytes: Uint8Array, offset: number): number {
  let c = at;
  for (let i = 0; i < 16; i++) {
    if (i === 4 || i === 6 || i === 8 || i === 10) out[c++] = 45; // '-'
    const code = 2 * (bytes[offset + i] as number);
    out[c++] = HEX_CODES[code] as number;
    out[c++] = HEX_CODES[code + 1] as number;
  }
  return c;
}

/**
 * The canonical string of the 16 bytes at `offset`, made as one flat string from ASCII codes: a
 * page decodes one per segment, and building it by concatenation left ~20 intermediate strings
 * (~610 bytes of garbage per id, against ~90) and took 2-4x as long.
 */
export function unpackUuid(bytes: Uint8Array, offset: number): string {
  return SPELLED.toString('latin1', 0, spellUuid(SPELLED, 0, bytes, offset));
}

/**
 * Spells `<prefix><uuid>` as one flat string (a storage key `<flow>/<object>`), the UUID from its
 * 16 bytes: the text a page's URL signing reads character by character. A concatenation of the
 * prefix and unpackUuid's string would be a rope that every such read first copies flat.
 */
export class UuidSpeller {
  private readonly text: Buffer;
  private readonly at: number;

  /** A speller of `prefix`, or undefined when it is not Latin-1 (the prefix is one byte a character). */
  static for(prefix: string): UuidSpeller | undefined {
    return LATIN1.test(prefix) ? new UuidSpeller(prefix) : undefined;
  }

  private constructor(prefix: string) {
    this.at = prefix.length;
    this.text = Buffer.alloc(this.at + 36);
    this.text.write(prefix, 0, 'latin1');
  }

  spell(bytes: Uint8Array, offset: number): string {
    return this.text.toString('latin1', 0, spellUuid(this.text, this.at, bytes, offset));
  }
}

export function uuidEquals(a: Uint8Array, aOffset: number, b: Uint8Array, bOffset: number): boolean {
  for (let i = 0; i < 16; i++) if (a[aOffset + i] !== b[bOffset + i]) return false;
  return true;
}
