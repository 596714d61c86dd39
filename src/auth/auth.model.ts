/**
 * What authorisation is made of: four scopes (declared with the principal, src/http/principal.ts,
 * which routes read), and the scope each HTTP method needs.
 */
import { isScope, SCOPES, type Scope } from '../http/principal.ts';

export { isScope, SCOPES, type Scope } from '../http/principal.ts';

/** `read,write` (or space-separated) as scopes; throws naming the first unknown one. */
export function parseScopes(list: string | readonly string[]): Scope[] {
  const names = typeof list === 'string' ? list.split(/[\s,]+/).filter((s) => s !== '') : list;
  const scopes: Scope[] = [];
  for (const name of names) {
    if (!isScope(name)) throw new Error(`unknown scope "${name}" (scopes: ${SCOPES.join(', ')})`);
    if (!scopes.includes(name)) scopes.push(name);
  }
  return scopes;
}

/** GET/HEAD read, PUT/POST (and PATCH) write, DELETE delete; anything else needs read. */
export function scopeForMethod(method: string): Scope {
  switch (method) {
    case 'PUT':
    case 'POST':
    case 'PATCH':
      return 'write';
    case 'DELETE':
      return 'delete';
    default:
      return 'read';
  }
}

export const USER_NAME_RULE =
  'must be 1-64 letters, digits or . _ @ - (no colon: HTTP Basic separates on it)';

export function isUserName(name: string): boolean {
  return /^[A-Za-z0-9._@-]{1,64}$/.test(name);
}
