import type { FastifyRequest } from 'fastify';

/** The authenticated caller; set by authentication when it is enabled. */
export interface Principal {
  name: string;
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
