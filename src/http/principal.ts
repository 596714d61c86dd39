import type { FastifyRequest } from 'fastify';

/**
 * What a caller may do: four scopes. `admin` is separate from the others (an admin token for
 * managing users needs not write media), so tokens meant to do everything are given all four.
 */
export const SCOPES = ['read', 'write', 'delete', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

export function isScope(value: string): value is Scope {
  return (SCOPES as readonly string[]).includes(value);
}

/** The authenticated caller; set by authentication (src/auth) when it is enabled. */
export interface Principal {
  name: string;
  /** What the caller may do: read, write, delete, admin. */
  scopes: ReadonlySet<Scope>;
  /** How the caller authenticated. */
  scheme: 'basic' | 'token' | 'jwt';
  /**
   * Which credential: the API token's id, the Basic user's name, or (JWT) the principal name;
   * what a webhook records so that its deliveries stop with the credential (src/auth/auth.grants.ts).
   */
  credentialId: string;
  /** When the credential stops being accepted (epoch ms), if it expires: JWTs, expiring tokens. */
  expires?: number;
}

/**
 * A credential as recorded by what goes on acting for the caller after the request (a webhook):
 * enough to look it up again, and what it granted then.
 */
export interface RecordedCredential {
  scheme: Principal['scheme'];
  /** As `Principal.credentialId`. */
  id: string;
  scopes: string[];
}

export function recordedCredential(principal: Principal): RecordedCredential {
  return { scheme: principal.scheme, id: principal.credentialId, scopes: [...principal.scopes] };
}

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
}

/** Name recorded in `created_by` / `updated_by`; undefined when the caller is anonymous. */
export function actorOf(request: FastifyRequest): string | undefined {
  return request.principal?.name;
}

/**
 * Whether the caller may see and change everything, such as other callers' webhooks: holders of
 * the `admin` scope, and everyone when authentication is off (TAMS_AUTH=none leaves no principal;
 * with it on, every non-public route has one).
 */
export function isAdmin(request: FastifyRequest): boolean {
  return request.principal === null || request.principal.scopes.has('admin');
}
