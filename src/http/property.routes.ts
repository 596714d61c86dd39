import type { FastifyReply, FastifyRequest } from 'fastify';
import type { TSchema } from 'typebox';
import { sendJsonValue } from './json.ts';
import { actorOf } from './principal.ts';
import { errors, noContent, ok } from './responses.ts';
import type { App } from './types.ts';

type Params = Record<string, string>;

interface Operation {
  summary: string;
  description: string;
  /** The spec's descriptions of the operation's responses. */
  responses: Partial<Record<200 | 204 | 400 | 403 | 404, string>>;
}

/**
 * A single-value resource (`/flows/{id}/label`, `/sources/{id}/tags/{name}`, ...): GET/HEAD return
 * the bare JSON value, PUT takes one, DELETE removes it. The spec has two dozen of these.
 */
export interface PropertyRoutes {
  url: string;
  /** Operation id stem as the spec names it, e.g. `flows-flowId-label`. */
  operation: string;
  tag: string;
  params: TSchema;
  value: TSchema;
  get?: Operation & { handler: (params: Params) => Promise<unknown> };
  put?: Operation & { handler: (params: Params, value: unknown, actor: string | undefined) => Promise<void> };
  delete?: Operation & { handler: (params: Params, actor: string | undefined) => Promise<void> };
}

function responses(op: Operation, success: TSchema | undefined) {
  const { 200: okText, 204: noContentText, ...failures } = op.responses;
  return {
    ...(okText !== undefined && success ? { 200: ok(success, okText) } : {}),
    ...(noContentText !== undefined ? { 204: noContent(noContentText) } : {}),
    ...errors(failures),
  };
}

export function propertyRoutes(app: App, spec: PropertyRoutes): void {
  const base = { tags: [spec.tag], params: spec.params };
  const params = (request: FastifyRequest) => request.params as Params;

  if (spec.get) {
    const op = spec.get;
    app.get(
      spec.url,
      {
        schema: {
          ...base,
          operationId: `GET_${spec.operation}`,
          summary: op.summary,
          description: op.description,
          response: responses(op, spec.value),
        },
      },
      async (request: FastifyRequest, reply: FastifyReply) =>
        sendJsonValue(reply, await op.handler(params(request))),
    );
  }
  if (spec.put) {
    const op = spec.put;
    app.put(
      spec.url,
      {
        schema: {
          ...base,
          operationId: `PUT_${spec.operation}`,
          summary: op.summary,
          description: op.description,
          body: spec.value,
          response: responses(op, undefined),
        },
      },
      async (request: FastifyRequest, reply: FastifyReply) => {
        await op.handler(params(request), request.body, actorOf(request));
        return reply.code(204).send();
      },
    );
  }
  if (spec.delete) {
    const op = spec.delete;
    app.delete(
      spec.url,
      {
        schema: {
          ...base,
          operationId: `DELETE_${spec.operation}`,
          summary: op.summary,
          description: op.description,
          response: responses(op, undefined),
        },
      },
      async (request: FastifyRequest, reply: FastifyReply) => {
        await op.handler(params(request), actorOf(request));
        return reply.code(204).send();
      },
    );
  }
}
