/**
 * What authorisation is made of: four scopes, and the scope each HTTP method needs.
 * `admin` is separate from the others (an admin token for managing users needs not write media),
 * so tokens meant to do everything are given all four.
 */
export const SCOPES = ['read', 'write', 'delete', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

export function isScope(value: string): value is Scope {
  return (SCOPES as readonly string[]).includes(value);
}

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
