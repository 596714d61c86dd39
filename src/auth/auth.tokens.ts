import { hash, randomBytes } from 'node:crypto';

/**
 * API tokens issued by the server: `tams_` and 32 random bytes (base64url), recognisable in
 * configuration and by secret scanners. The store keeps only their SHA-256: a leaked table
 * gives no usable token, and a token this long needs no slow hash.
 */
export const TOKEN_PREFIX = 'tams_';

export function newToken(): string {
  return `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
}

/** The one-shot hash is a quarter of a Hash object's cost. */
export function tokenHash(token: string): string {
  return hash('sha256', token, 'hex');
}

/** The start of a token, enough for a person to tell tokens apart, far too little to use one. */
export function tokenHint(token: string): string {
  const visible = token.startsWith(TOKEN_PREFIX) ? TOKEN_PREFIX.length + 4 : 4;
  return `${token.slice(0, visible)}…`;
}

/** A public identifier for listing and revoking (not derived from the token). */
export function newTokenId(): string {
  return randomBytes(8).toString('hex');
}

/** Compact JWS serialisation: three base64url parts. Anything else is an opaque token. */
export function looksLikeJwt(token: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(token);
}
