import { type Cipher, createCipheriv, createHmac, type KeyObject } from 'node:crypto';

/** Bytes of a tag: one AES block. */
export const TAG_BYTES = 16;

/** A tag in a URL: base64url of TAG_BYTES, unpadded. Tells these signatures from HMAC ones (43). */
export const TAG_CHARS = 22;

/**
 * Derived keys kept: one per directory (a Flow's objects), so a busy store's working set. Cleared
 * when full rather than tracked by age: deriving one again costs ~5 µs.
 */
const KEY_CACHE_SIZE = 4096;

/** The longest expiry text signed (unix seconds, as fs.signer.ts accepts them). */
const EXPIRES_MAX_CHARS = TAG_BYTES - 1;

/** Values of lowercase hex digits; -1 for every other ASCII character. */
const HEX = new Int8Array(128).fill(-1);
for (let i = 0; i < 10; i++) HEX[48 + i] = i;
for (let i = 0; i < 6; i++) HEX[97 + i] = 10 + i;

export interface CmacKey {
  /** AES-ECB without padding: each 16-byte block is enciphered on its own, so it serves every call. */
  cipher: Cipher;
  /** CMAC subkey K1 (SP 800-38B §6.1): a complete final block is XORed with it. */
  k1: Buffer;
  /** The last expiry tagged under this key and its firstBlockMask: pages of a Flow within a second share it. */
  expires?: string;
  mask?: Buffer;
}

/**
 * Signatures of GET URLs whose object name is a UUID (the fs store's own paths), made a page at a
 * time. An HMAC per URL costs ~2 µs, most of it creating the HMAC object, and a segments page has
 * 100 URLs; here a page costs one AES call over all its names (~0.2 µs a URL).
 *
 * The tag is AES-256-CMAC (NIST SP 800-38B) of two blocks, the expiry then the 16 bytes of the
 * UUID, under a key derived with HMAC-SHA256 from the media secret for (GET, directory): it binds
 * the method, the whole path and the expiry, as the HMAC signature does, with 128 bits. With two
 * complete blocks CMAC is AES_K(AES_K(E) xor M xor K1); AES_K(E) is the same for a whole page, so
 * ECB computes every tag of the page in one call. The derivation input starts with a label no
 * URL string-to-sign starts with (those start with the method), so a derived key is never a URL
 * signature.
 */
export class GetTagger {
  readonly #secret: KeyObject;
  readonly #keys = new Map<string, CmacKey>();

  constructor(secret: KeyObject) {
    this.#secret = secret;
  }

  /** Whether `name` is a name this scheme signs: a UUID in its canonical, lowercase text form. */
  static signs(name: string): boolean {
    return name.length === UUID_CHARS && readUuid(name, 0, SCRATCH, 0);
  }

  /** Tags (base64url) of `names`, all in `dir` and all `signs()`-able, valid until `expires`. */
  tags(dir: string, names: readonly string[], expires: string): string[] {
    const raw = Buffer.allocUnsafe(TAG_BYTES * names.length);
    const at: number[] = [];
    names.forEach((name, n) => {
      if (!readUuid(name, 0, raw, n * TAG_BYTES)) throw new Error(`${name} is not a name tags sign`);
      at.push(n);
    });
    return this.tagsOf(dir, raw, at, expires);
  }

  /**
   * Tags (base64url) of the UUIDs whose bytes are in `raw` at the slots `at` (slot n at byte 16n,
   * as `readUuid` wrote them), all in `dir`, valid until `expires`; in the order of `at`.
   */
  tagsOf(dir: string, raw: Uint8Array, at: readonly number[], expires: string): string[] {
    const all = this.#tagText(dir, raw, at, expires).toString('latin1');
    const tags: string[] = new Array(at.length);
    for (let n = 0; n < at.length; n++) tags[n] = all.slice(n * TAG_CHARS, (n + 1) * TAG_CHARS);
    return tags;
  }

  /**
   * The tags of the first `count` UUIDs in `ids` (16 bytes each), all in `dir`: their base64url
   * text one after the other, TAG_CHARS bytes each (ASCII), for a page renderer to copy.
   */
  tagText(dir: string, ids: Uint8Array, count: number, expires: string): Buffer {
    const at: number[] = new Array(count);
    for (let n = 0; n < count; n++) at[n] = n;
    return this.#tagText(dir, ids, at, expires);
  }

  #tagText(dir: string, raw: Uint8Array, at: readonly number[], expires: string): Buffer {
    const key = this.#derived(dir);
    const mask = maskOf(key, expires);
    const blocks = Buffer.allocUnsafe(TAG_BYTES * at.length);
    for (let n = 0; n < at.length; n++) {
      const from = TAG_BYTES * (at[n] as number);
      const to = TAG_BYTES * n;
      for (let j = 0; j < TAG_BYTES; j++) blocks[to + j] = (raw[from + j] as number) ^ (mask[j] as number);
    }
    return base64urlBlocks(key.cipher.update(blocks), at.length);
  }

  /** The tag of one name, as raw bytes (for a constant-time comparison). */
  tag(dir: string, name: string, expires: string): Buffer {
    const key = this.#derived(dir);
    const mask = maskOf(key, expires);
    const block = Buffer.allocUnsafe(TAG_BYTES);
    if (!readUuid(name, 0, block, 0)) throw new Error(`${name} is not a name tags sign`);
    for (let j = 0; j < TAG_BYTES; j++) block[j] = (block[j] as number) ^ (mask[j] as number);
    return key.cipher.update(block);
  }

  #derived(dir: string): CmacKey {
    let key = this.#keys.get(dir);
    if (key === undefined) {
      key = cmacKey(createHmac('sha256', this.#secret).update(`tams-fs-get-cmac\nGET\n${dir}`).digest());
      if (this.#keys.size >= KEY_CACHE_SIZE) this.#keys.clear();
      this.#keys.set(dir, key);
    }
    return key;
  }
}

/** Characters of a UUID's canonical text. */
export const UUID_CHARS = 36;

const SCRATCH = Buffer.alloc(TAG_BYTES);

/**
 * Reads the canonical lowercase UUID at `text[from, from + 36)` into 16 bytes of `out` at
 * `offset`; false (the bytes then unspecified) when those characters are anything else. One pass
 * that checks and converts, as it runs for every URL of every page.
 */
export function readUuid(text: string, from: number, out: Uint8Array, offset: number): boolean {
  if (text.length < from + UUID_CHARS) return false;
  let j = offset;
  for (let i = from; i < from + UUID_CHARS; i++) {
    const d = i - from;
    if (d === 8 || d === 13 || d === 18 || d === 23) {
      if (text.charCodeAt(i) !== 45) return false; // '-'
      continue;
    }
    const hi = text.charCodeAt(i);
    const lo = text.charCodeAt(++i);
    if (hi >= 128 || lo >= 128) return false;
    const h = HEX[hi] as number;
    const l = HEX[lo] as number;
    if ((h | l) < 0) return false;
    out[j++] = (h << 4) | l;
  }
  return true;
}

const BASE64URL = Buffer.from('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_', 'latin1');

/**
 * The unpadded base64url of each 16-byte block of `bytes`, one after the other (TAG_CHARS each)
 * in one buffer: a page's 100 tags made without 100 native calls.
 */
function base64urlBlocks(bytes: Buffer, count: number): Buffer {
  const text = Buffer.allocUnsafe(TAG_CHARS * count);
  let c = 0;
  for (let t = 0; t < TAG_BYTES * count; t += TAG_BYTES) {
    for (let q = t; q < t + 15; q += 3) {
      const v = ((bytes[q] as number) << 16) | ((bytes[q + 1] as number) << 8) | (bytes[q + 2] as number);
      text[c++] = BASE64URL[v >> 18] as number;
      text[c++] = BASE64URL[(v >> 12) & 63] as number;
      text[c++] = BASE64URL[(v >> 6) & 63] as number;
      text[c++] = BASE64URL[v & 63] as number;
    }
    const last = bytes[t + 15] as number;
    text[c++] = BASE64URL[last >> 2] as number;
    text[c++] = BASE64URL[(last & 3) << 4] as number;
  }
  return text;
}

/** firstBlockMask of the key for `expires`, from the key's last one when the expiry is the same. */
function maskOf(key: CmacKey, expires: string): Buffer {
  if (key.expires !== expires || key.mask === undefined) {
    key.mask = firstBlockMask(key, expires);
    key.expires = expires;
  }
  return key.mask;
}

/**
 * AES_K(E) xor K1: what the second block (the UUID) is XORed with. E is the expiry's text, its
 * length first, zero-padded to a block: distinct texts give distinct blocks.
 */
function firstBlockMask(key: CmacKey, expires: string): Buffer {
  if (expires.length > EXPIRES_MAX_CHARS) throw new Error(`expiry ${expires} too long to sign`);
  const block = Buffer.alloc(TAG_BYTES);
  block[0] = expires.length;
  block.write(expires, 1, 'latin1');
  const mask = key.cipher.update(block);
  for (let i = 0; i < TAG_BYTES; i++) mask[i] = (mask[i] as number) ^ (key.k1[i] as number);
  return mask;
}

/** An AES-256 key (32 bytes) ready for CMAC of messages of complete blocks. */
export function cmacKey(raw: Buffer): CmacKey {
  const cipher = createCipheriv('aes-256-ecb', raw, null).setAutoPadding(false);
  return { cipher, k1: subkey(cipher.update(Buffer.alloc(TAG_BYTES))) };
}

/** K1 = L doubled in GF(2^128), with L = AES_K(0^128) (SP 800-38B §6.1). */
export function subkey(l: Buffer): Buffer {
  const k1 = Buffer.alloc(TAG_BYTES);
  let carry = 0;
  for (let i = TAG_BYTES - 1; i >= 0; i--) {
    const b = l[i] as number;
    k1[i] = ((b << 1) | carry) & 0xff;
    carry = b >> 7;
  }
  if (((l[0] as number) & 0x80) !== 0) k1[TAG_BYTES - 1] = (k1[TAG_BYTES - 1] as number) ^ 0x87;
  return k1;
}
