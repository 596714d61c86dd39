/**
 * The credentials the UI signs in with: an API token (or a JWT, pasted or from the identity
 * provider's sign-in) kept in sessionStorage, so that it lives as long as the tab and never
 * reaches another tab, a cookie or a URL; with it, when known, the time it expires.
 */
const KEY = 'tams.token';
const EXPIRES = 'tams.token.expires';

let memory: string | undefined;
let memoryExpires: number | undefined;

export function storedToken(): string | undefined {
  try {
    return sessionStorage.getItem(KEY) ?? undefined;
  } catch {
    // Storage refused (private modes, sandboxed frames): the session lasts as long as the page.
    return memory;
  }
}

/** When the stored token stops being accepted (epoch ms), if known. */
export function storedExpiry(): number | undefined {
  try {
    const text = sessionStorage.getItem(EXPIRES);
    return text === null ? undefined : Number(text);
  } catch {
    return memoryExpires;
  }
}

export function storeToken(token: string | undefined, expires?: number): void {
  memory = token;
  memoryExpires = token === undefined ? undefined : expires;
  try {
    if (token === undefined) sessionStorage.removeItem(KEY);
    else sessionStorage.setItem(KEY, token);
    if (memoryExpires === undefined) sessionStorage.removeItem(EXPIRES);
    else sessionStorage.setItem(EXPIRES, String(memoryExpires));
  } catch {
    // Kept in memory only (see storedToken).
  }
}
