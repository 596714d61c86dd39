import { createHmac, createSecretKey, type KeyObject, timingSafeEqual } from 'node:crypto';
import { GetTagger, readUuid, TAG_BYTES, TAG_CHARS, UUID_CHARS } from './fs.cmac.ts';

/**
 * Query parameter names of a presigned fs URL. `sig` is one of the names the request logger
 * redacts (src/http/logging.ts); `expires` is not secret.
 */
export const EXPIRES_PARAM = 'expires';
export const SIGNATURE_PARAM = 'sig';
/** The object a PUT URL was issued for (signed): the media routes look its allocation up by it. */
export const OBJECT_PARAM = 'object';

export type SignedMethod = 'GET' | 'PUT';

export type Verdict = 'valid' | 'invalid' | 'expired';

const SIGNATURE_BYTES = 32;
const EXPIRES_RE = /^\d{1,12}$/;
const SLASH = 47;

/**
 * HMAC-SHA256 signatures of fs media URLs. A signature binds the method (HEAD shares GET's), the
 * storage path, the expiry (unix seconds) and, for PUT, the exact Content-Type the client must
 * send, and the id of the object it uploads when the URL names one. Fields are joined with `\n`:
 * paths and content types cannot contain one and the object id comes last, after a fourth `\n`
 * that URLs without one lack, so no two inputs share a string to sign. The host is deliberately
 * not signed, so URLs survive proxies that rewrite it.
 *
 * GET URLs of paths `<dir>/<uuid>` (every path this store allocates) are signed with a CMAC tag
 * instead (fs.cmac.ts), which binds the same things and is made a page at a time; the signature's
 * length tells the two apart.
 */
export class UrlSigner {
  readonly #key: KeyObject;
  readonly #tagger: GetTagger;

  constructor(secret: Buffer) {
    // Below 128 bits an offline search for the key becomes thinkable.
    if (secret.length < 16) throw new Error('the media URL secret must be at least 16 bytes');
    this.#key = createSecretKey(secret);
    this.#tagger = new GetTagger(this.#key);
  }

  /** Signatures of GET URLs for `paths`, in order, valid until `expires`. */
  signGets(paths: readonly string[], expires: number): string[] {
    const sigs: string[] = new Array(paths.length);
    const text = String(expires);
    // Each UUID-named path's 16 bytes, read as it is checked, at the slot of its place in `paths`.
    const raw = Buffer.allocUnsafe(TAG_BYTES * paths.length);
    // Paths of one directory (a Flow's objects) are tagged together, in one AES call.
    const groups = new Map<string, number[]>();
    let lastDir: string | undefined;
    let last: number[] | undefined;
    for (let i = 0; i < paths.length; i++) {
      const path = paths[i] as string;
      const slash = path.length - UUID_CHARS - 1;
      if (slash < 0 || path.charCodeAt(slash) !== SLASH || !readUuid(path, slash + 1, raw, TAG_BYTES * i)) {
        sigs[i] = this.sign('GET', path, expires);
        continue;
      }
      // A page's paths are almost always all in one directory: compare before slicing.
      let group =
        lastDir !== undefined && slash === lastDir.length && path.startsWith(lastDir) ? last : undefined;
      if (group === undefined) {
        const dir = path.slice(0, slash);
        group = groups.get(dir);
        if (group === undefined) {
          group = [];
          groups.set(dir, group);
        }
        lastDir = dir;
        last = group;
      }
      group.push(i);
    }
    for (const [dir, at] of groups) {
      const tags = this.#tagger.tagsOf(dir, raw, at, text);
      for (let n = 0; n < at.length; n++) sigs[at[n] as number] = tags[n] as string;
    }
    return sigs;
  }

  /**
   * signGets of the paths `<dir>/<uuid>` of the first `count` UUIDs in `ids` (16 bytes each), as
   * their signatures' text one after the other (TAG_CHARS each).
   */
  signUuidGets(dir: string, ids: Uint8Array, count: number, expires: number): Buffer {
    return this.#tagger.tagText(dir, ids, count, String(expires));
  }

  sign(method: SignedMethod, path: string, expires: number, contentType = '', objectId?: string): string {
    return this.#hmac(method, path, String(expires), contentType, objectId).digest('base64url');
  }

  #hmac(method: SignedMethod, path: string, expires: string, contentType: string, objectId?: string) {
    const object = objectId === undefined ? '' : `\n${objectId}`;
    return createHmac('sha256', this.#key).update(`${method}\n${path}\n${expires}\n${contentType}${object}`);
  }

  verify(
    method: SignedMethod,
    path: string,
    expires: unknown,
    signature: unknown,
    contentType: string,
    nowSeconds: number,
    objectId?: unknown,
  ): Verdict {
    if (typeof expires !== 'string' || typeof signature !== 'string' || !EXPIRES_RE.test(expires)) {
      return 'invalid';
    }
    if (objectId !== undefined && (typeof objectId !== 'string' || method !== 'PUT')) return 'invalid';
    const given = Buffer.from(signature, 'base64url');
    if (given.toString('base64url') !== signature) return 'invalid';
    let expected: Buffer;
    if (signature.length === TAG_CHARS && given.length === TAG_BYTES) {
      const slash = taggedSlash(path);
      if (method !== 'GET' || slash < 0) return 'invalid';
      expected = this.#tagger.tag(path.slice(0, slash), path.slice(slash + 1), expires);
    } else if (given.length === SIGNATURE_BYTES) {
      expected = this.#hmac(method, path, expires, contentType, objectId as string | undefined).digest();
    } else {
      return 'invalid';
    }
    if (!timingSafeEqual(given, expected)) return 'invalid';
    // Checked after the signature so an unsigned caller learns nothing about expiry.
    return Number(expires) < nowSeconds ? 'expired' : 'valid';
  }
}

/** Where `<dir>/<name>` splits when its GET URLs are signed with a tag, or -1 (HMAC). */
function taggedSlash(path: string): number {
  const slash = path.lastIndexOf('/');
  return slash >= 0 && GetTagger.signs(path.slice(slash + 1)) ? slash : -1;
}
