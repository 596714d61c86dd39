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

/**
 * Run for every request that carries a token: the one-shot hash is a quarter of a Hash object's
 * cost, and the hashes of the tokens in use are remembered (a client sends the same token with
 * every request; ~3 us a request under load otherwise). The map holds tokens already in this
 * process's memory with each request, and is emptied when it fills, so a flood of made-up tokens
 * cannot grow it.
 */
export function tokenHash(token: string): string {
  let hashed = recentHashes.get(token);
  if (hashed === undefined) {
    hashed = hash('sha256', token, 'hex');
    if (recentHashes.size >= RECENT_HASHES) recentHashes.clear();
    recentHashes.set(token, hashed);
  }
  return hashed;
}

const RECENT_HASHES = 1024;
const recentHashes = new Map<string, string>();

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
