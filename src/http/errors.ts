import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isBackendUnavailable, TamsError } from '../common/errors.ts';
import { validationSummary } from './validation.summary.ts';

export interface ErrorBody {
  type: string;
  summary: string;
  time: string;
  message: string;
}

interface ResponseSchemaMap {
  [status: string]: { description?: string } | undefined;
}

/**
 * The spec's description of `status` for the route that handled `request`, taken from the
 * route's response schemas (each route declares its error responses with the spec's wording).
 */
function specMessage(request: FastifyRequest, status: number): string {
  const responses = request.routeOptions.schema?.response as ResponseSchemaMap | undefined;
  return responses?.[String(status)]?.description ?? STATUS_CODES[status] ?? 'Error';
}

export function errorBody(request: FastifyRequest, status: number, type: string, summary: string): ErrorBody {
  return { type, summary, time: new Date().toISOString(), message: specMessage(request, status) };
}

export function sendError(
  request: FastifyRequest,
  reply: FastifyReply,
  status: number,
  type: string,
  summary: string,
): FastifyReply {
  return reply
    .code(status)
    .header('content-type', 'application/json')
    .send(JSON.stringify(errorBody(request, status, type, summary)));
}

/**
 * Errors the router raises before any route runs: a malformed percent-escape or an over-long
 * parameter in the path. The spec answers an invalid path with 404; the body is the TAMS one.
 */
export function frameworkErrorHandler(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  // These replies skip the app's hooks (the one that drops Fastify's charset parameter among
  // them), so the response is written directly.
  const body = JSON.stringify(errorBody(request, 404, 'NotFound', `The path is invalid: ${error.message}`));
  reply.hijack();
  reply.raw.writeHead(404, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  reply.raw.end(request.method === 'HEAD' ? undefined : body);
}

/** The root path serving a path under a mount that no route took (mount.elsewhere.ts). */
export type Elsewhere = (method: string, path: string) => { at: string; mount: string } | undefined;

export function registerErrorHandling(app: FastifyInstance, elsewhere?: Elsewhere): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof TamsError) {
      return sendError(request, reply, error.status, error.type, error.summary);
    }
    if (error.validation) {
      // The spec answers malformed identifiers in the path with 404 ("... ID in the path is invalid").
      const status = error.validationContext === 'params' ? 404 : 400;
      return sendError(
        request,
        reply,
        status,
        status === 404 ? 'NotFound' : 'BadRequest',
        error.validation.length > 0
          ? validationSummary(error.validationContext, error.validation)
          : error.message,
      );
    }
    if (isBackendUnavailable(error)) {
      // The database is down or busy: worth a retry, not a 500. The summary names the backend
      // and a client-safe reason; the endpoints and their errors go to the log only.
      request.log.warn({ err: error }, 'database unavailable');
      reply.header('retry-after', String(error.retryAfterSeconds));
      if (error.status === 507)
        return sendError(
          request,
          reply,
          507,
          'InsufficientStorage',
          `The metadata database (${error.backend}) cannot store more: ${error.reason}. Reads go on; writes are refused until space is freed.`,
        );
      return sendError(
        request,
        reply,
        503,
        'ServiceUnavailable',
        `The metadata database (${error.backend}) is unavailable: ${error.reason}. Try again later.`,
      );
    }
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      // Fastify's own client errors: malformed JSON, empty JSON body, body too large, bad media type.
      return sendError(request, reply, status === 415 ? 400 : status, 'BadRequest', error.message);
    }
    request.log.error({ err: error }, 'unhandled error');
    return sendError(request, reply, 500, 'InternalServerError', 'The server failed to handle the request.');
  });

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    const root = elsewhere?.(request.method, path);
    const where = root ? `: it is served at the root: ${root.at}, not under ${root.mount}` : '';
    return sendError(request, reply, 404, 'NotFound', `No route ${request.method} ${path}${where}`);
  });
}
