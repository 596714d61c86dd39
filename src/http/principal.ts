import type { FastifyRequest } from 'fastify';
import type { Scope } from '../auth/auth.model.ts';

/** The authenticated caller; set by authentication (src/auth) when it is enabled. */
export interface Principal {
  name: string;
  /** What the caller may do: read, write, delete, admin. */
  scopes: ReadonlySet<Scope>;
  /** How the caller authenticated. */
  scheme: 'basic' | 'token' | 'jwt';
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
