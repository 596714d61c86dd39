import { type TSchema, Type } from 'typebox';
import { annotate, ErrorBody } from './common.schemas.ts';

/**
 * Response schemas for routes. Error responses carry the spec's description of that status for
 * the route: OpenAPI shows it, and the error handler returns it as the body's `message`.
 */
export function errors(descriptions: Partial<Record<400 | 403 | 404 | 431 | 503, string>>) {
  const result: Record<number, ReturnType<typeof errorResponse>> = {};
  for (const [status, description] of Object.entries(descriptions)) {
    result[Number(status)] = errorResponse(description);
  }
  return result;
}

function errorResponse(description: string) {
  return Type.Unsafe<unknown>({ ...ErrorBody, description });
}

/** A response without a body (`type: 'null'` is how @fastify/swagger renders one without content). */
export function noContent(description: string) {
  return Type.Unsafe<void>({ type: 'null', description });
}

export function ok<T extends TSchema>(schema: T, description = ''): T {
  return annotate(schema, { description });
}
