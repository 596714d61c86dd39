import { createHmac, createSecretKey, type KeyObject, timingSafeEqual } from 'node:crypto';

/**
 * Query parameter names of a presigned fs URL. `sig` is one of the names the request logger
 * redacts (src/http/logging.ts); `expires` is not secret.
 */
export const EXPIRES_PARAM = 'expires';
export const SIGNATURE_PARAM = 'sig';

export type SignedMethod = 'GET' | 'PUT';

export type Verdict = 'valid' | 'invalid' | 'expired';

const SIGNATURE_BYTES = 32;
const EXPIRES_RE = /^\d{1,12}$/;

/**
 * HMAC-SHA256 signatures of fs media URLs. A signature binds the method (HEAD shares GET's), the
 * storage path, the expiry (unix seconds) and, for PUT, the exact Content-Type the client must
 * send. Fields are joined with `\n`: paths cannot contain one and the content type comes last, so
 * no two inputs share a string to sign. The host is deliberately not signed, so URLs survive
 * proxies that rewrite it.
 */
export class UrlSigner {
  readonly #key: KeyObject;

  constructor(secret: Buffer) {
    // Below 128 bits an offline search for the key becomes thinkable.
    if (secret.length < 16) throw new Error('the media URL secret must be at least 16 bytes');
    this.#key = createSecretKey(secret);
  }

  sign(method: SignedMethod, path: string, expires: number, contentType = ''): string {
    return createHmac('sha256', this.#key)
      .update(`${method}\n${path}\n${expires}\n${contentType}`)
      .digest('base64url');
  }

  verify(
    method: SignedMethod,
    path: string,
    expires: unknown,
    signature: unknown,
    contentType: string,
    nowSeconds: number,
  ): Verdict {
    if (typeof expires !== 'string' || typeof signature !== 'string' || !EXPIRES_RE.test(expires)) {
      return 'invalid';
    }
    const given = Buffer.from(signature, 'base64url');
    if (given.length !== SIGNATURE_BYTES || given.toString('base64url') !== signature) return 'invalid';
    const expected = createHmac('sha256', this.#key)
      .update(`${method}\n${path}\n${expires}\n${contentType}`)
      .digest();
    if (!timingSafeEqual(given, expected)) return 'invalid';
    // Checked after the signature so an unsigned caller learns nothing about expiry.
    return Number(expires) < nowSeconds ? 'expired' : 'valid';
  }
}
