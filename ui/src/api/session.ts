/**
 * The credentials the UI signs in with: an API token (or a JWT) kept in sessionStorage, so that
 * it lives as long as the tab and never reaches another tab, a cookie or a URL.
 */
const KEY = 'tams.token';

export function storedToken(): string | undefined {
  try {
    return sessionStorage.getItem(KEY) ?? undefined;
  } catch {
    // Storage refused (private modes, sandboxed frames): the session lasts as long as the page.
    return memory;
  }
}

let memory: string | undefined;

export function storeToken(token: string | undefined): void {
  memory = token;
  try {
    if (token === undefined) sessionStorage.removeItem(KEY);
    else sessionStorage.setItem(KEY, token);
  } catch {
    // Kept in memory only (see storedToken).
  }
}
