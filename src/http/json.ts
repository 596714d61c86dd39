import type { FastifyInstance, FastifyReply } from 'fastify';
import { checkJsonBody } from './json.guard.ts';

const JSON_TYPE = 'application/json';

/**
 * Wire format: the spec's bodies are `application/json`, exactly, with no charset parameter
 * (HEAD included). Request bodies are parsed as JSON whatever content type the client sent
 * (curl's default is form-encoded), so a bad body is a 400, never a 415. A body nested too deep
 * or holding a lone UTF-16 surrogate is refused here too (json.guard.ts), before any route sees
 * it, so no store of any engine has to cope with one.
 */
export function registerJson(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (request, text: string, done) => {
    // An empty body is no body, whatever type the client named: clients that send a JSON content
    // type on every request (a DELETE, an allocation without options) would otherwise get a 400
    // the operation does not document. A route that needs a body still refuses its absence.
    if (text === '') return done(null, undefined);
    parseJson(request, text, (error, value) => {
      if (error) done(error, undefined);
      else {
        const refusal = checkJsonBody(text, value);
        if (refusal) done(refusal, undefined);
        else done(null, value);
      }
    });
  });

  app.addHook('onSend', async (_request, reply, payload) => {
    const type = reply.getHeader('content-type');
    if (typeof type === 'string' && type.startsWith(JSON_TYPE) && type !== JSON_TYPE) {
      reply.header('content-type', JSON_TYPE);
    }
    return payload;
  });

  // Bodies are plain data; JSON.stringify is exact and fast, and it keeps every property of
  // documents the spec leaves open (fast-json-stringify would drop properties not in a schema).
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
}

/** Sends a bare JSON value (a string label, a boolean): Fastify would send a string as text. */
export function sendJsonValue(reply: FastifyReply, value: unknown): FastifyReply {
  return reply.header('content-type', JSON_TYPE).send(JSON.stringify(value));
}

/** Sends JSON text made already (a body written straight from an index): not serialised again. */
export function sendJsonText(reply: FastifyReply, body: Buffer): FastifyReply {
  return reply.header('content-type', JSON_TYPE).send(body);
}
