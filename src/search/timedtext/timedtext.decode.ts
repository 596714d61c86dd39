/** Charsets a `charset=` parameter may select (WHATWG labels; Latin-1 is decoded as windows-1252). */
const CHARSETS = new Map([
  ['utf-8', 'utf-8'],
  ['utf8', 'utf-8'],
  ['utf-16le', 'utf-16le'],
  ['utf-16', 'utf-16le'],
  ['utf-16be', 'utf-16be'],
  ['iso-8859-1', 'windows-1252'],
  ['latin1', 'windows-1252'],
  ['us-ascii', 'windows-1252'],
  ['windows-1252', 'windows-1252'],
]);

/**
 * Bytes to text. A byte order mark decides (UTF-8, UTF-16 LE or BE) and is kept as U+FEFF, so
 * offsets into the text still count it; the parsers skip it. Without one, a known `charset`
 * decides; otherwise UTF-8, and when the bytes are not valid UTF-8, windows-1252: legacy SRT files
 * are commonly Latin-1 and would otherwise lose every accented letter. Never throws.
 */
export function decodeText(bytes: Uint8Array, charset?: string): string {
  const bom = bomEncoding(bytes);
  if (bom !== undefined) return new TextDecoder(bom, { ignoreBOM: true }).decode(bytes);
  const named = charset === undefined ? undefined : CHARSETS.get(charset.trim().toLowerCase());
  if (named === 'windows-1252') return decodeWindows1252(bytes);
  if (named !== undefined) return new TextDecoder(named).decode(bytes);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return decodeWindows1252(bytes);
  }
}

/** What bytes 0x80-0x9F stand for in windows-1252 (WHATWG Encoding); the rest are Latin-1. */
const HIGH = [
  0x20ac, 0x81, 0x201a, 0x192, 0x201e, 0x2026, 0x2020, 0x2021, 0x2c6, 0x2030, 0x160, 0x2039, 0x152, 0x8d,
  0x17d, 0x8f, 0x90, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x2dc, 0x2122, 0x161, 0x203a,
  0x153, 0x9d, 0x17e, 0x178,
];

// Node's own 'windows-1252' decoder reads 0x80-0x9F as C1 controls (Latin-1), losing curly quotes.
function decodeWindows1252(bytes: Uint8Array): string {
  // UTF-16LE bytes written one by one, so the host's byte order does not matter.
  const units = new Uint8Array(bytes.length * 2);
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] as number;
    const code = b >= 0x80 && b < 0xa0 ? (HIGH[b - 0x80] as number) : b;
    units[2 * i] = code & 0xff;
    units[2 * i + 1] = code >> 8;
  }
  return new TextDecoder('utf-16le').decode(units);
}

function bomEncoding(bytes: Uint8Array): string | undefined {
  const [a, b, c] = bytes;
  if (a === 0xef && b === 0xbb && c === 0xbf) return 'utf-8';
  if (a === 0xff && b === 0xfe) return 'utf-16le';
  if (a === 0xfe && b === 0xff) return 'utf-16be';
  return undefined;
}
