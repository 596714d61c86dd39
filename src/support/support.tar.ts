import { gzipSync } from 'node:zlib';

/** One file of an archive: its path inside it and its bytes. */
export interface ArchiveFile {
  path: string;
  content: string | Uint8Array;
}

const BLOCK = 512;

/** `value` as a NUL-terminated octal field of `width` bytes (ustar's numbers). */
function octal(value: number, width: number): string {
  return `${value.toString(8).padStart(width - 1, '0')}\0`;
}

/**
 * The 512-byte ustar header of a regular file (POSIX.1-1988, what `tar` reads everywhere). Paths
 * up to 100 bytes in `name`, longer ones split at a slash into `prefix` (155) and `name`.
 */
function header(path: string, size: number, mtime: number): Uint8Array {
  const bytes = Buffer.from(path, 'utf8');
  let name = path;
  let prefix = '';
  if (bytes.length > 100) {
    const cut = path.lastIndexOf('/', 155);
    if (cut <= 0 || Buffer.byteLength(path.slice(cut + 1)) > 100)
      throw new Error(`path too long for ustar: ${path}`);
    prefix = path.slice(0, cut);
    name = path.slice(cut + 1);
  }
  const block = Buffer.alloc(BLOCK, 0);
  const put = (text: string, offset: number) => block.write(text, offset, 'utf8');
  put(name, 0);
  put(octal(0o644, 8), 100);
  put(octal(0, 8), 108);
  put(octal(0, 8), 116);
  put(octal(size, 12), 124);
  put(octal(mtime, 12), 136);
  // The checksum is computed with its own field read as spaces.
  put('        ', 148);
  put('0', 156);
  put('ustar\0', 257);
  put('00', 263);
  put('root', 265);
  put('root', 297);
  put(prefix, 345);
  let sum = 0;
  for (const b of block) sum += b;
  put(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  return block;
}

/** The files as one ustar archive: a header and the content padded to 512 bytes each, then two empty blocks. */
export function tar(files: readonly ArchiveFile[], mtime: Date): Buffer {
  const seconds = Math.floor(mtime.getTime() / 1000);
  const parts: Uint8Array[] = [];
  for (const file of files) {
    const content = typeof file.content === 'string' ? Buffer.from(file.content, 'utf8') : file.content;
    parts.push(header(file.path, content.length, seconds), content);
    const pad = (BLOCK - (content.length % BLOCK)) % BLOCK;
    if (pad > 0) parts.push(Buffer.alloc(pad, 0));
  }
  parts.push(Buffer.alloc(2 * BLOCK, 0));
  return Buffer.concat(parts);
}

/** The files as a .tar.gz. */
export function tarGz(files: readonly ArchiveFile[], mtime: Date): Buffer {
  return gzipSync(tar(files, mtime));
}
