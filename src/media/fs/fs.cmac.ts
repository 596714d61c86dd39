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
    if (name.length !== 36) return false;
    // A character loop: the equivalent regular expression was 5% of a segments page's CPU.
    for (let i = 0; i < 36; i++) {
      const c = name.charCodeAt(i);
      if (i === 8 || i === 13 || i === 18 || i === 23) {
        if (c !== 45) return false;
      } else if (c >= 128 || HEX[c] === -1) {
        return false;
      }
    }
    return true;
  }

  /** Tags (base64url) of `names`, all in `dir` and all `signs()`-able, valid until `expires`. */
  tags(dir: string, names: readonly string[], expires: string): string[] {
    const key = this.#derived(dir);
    const mask = firstBlockMask(key, expires);
    const blocks = Buffer.allocUnsafe(TAG_BYTES * names.length);
    for (let n = 0; n < names.length; n++) writeMessage(blocks, n * TAG_BYTES, names[n] as string, mask);
    const out = key.cipher.update(blocks);
    const tags: string[] = new Array(names.length);
    for (let n = 0; n < names.length; n++)
      tags[n] = out.toString('base64url', n * TAG_BYTES, (n + 1) * TAG_BYTES);
    return tags;
  }

  /** The tag of one name, as raw bytes (for a constant-time comparison). */
  tag(dir: string, name: string, expires: string): Buffer {
    const key = this.#derived(dir);
    const block = Buffer.allocUnsafe(TAG_BYTES);
    writeMessage(block, 0, name, firstBlockMask(key, expires));
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

/** Writes the UUID's 16 bytes XOR `mask` at `offset` (the name has passed `GetTagger.signs`). */
function writeMessage(out: Buffer, offset: number, uuid: string, mask: Buffer): void {
  let j = 0;
  for (let i = 0; i < 36; i++) {
    const hi = uuid.charCodeAt(i);
    if (hi === 45) continue; // '-'
    const byte = ((HEX[hi] as number) << 4) | (HEX[uuid.charCodeAt(++i)] as number);
    out[offset + j] = byte ^ (mask[j] as number);
    j++;
  }
}
