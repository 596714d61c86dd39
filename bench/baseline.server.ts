/**
 * The benchmark baseline: a bare Fastify route returning a JSON array of the same size and
 * shape as a segment page (serialised on every request, as tams-server does), and a route that
 * takes a POSTed segment as tams-server's does: its JSON body parsed (Fastify's parser, the one
 * tams-server uses), then an empty 201.
 */
import { readFileSync } from 'node:fs';
import Fastify from 'fastify';

const payload: unknown = JSON.parse(readFileSync(process.env.BASELINE_PAYLOAD as string, 'utf8'));
const app = Fastify({ logger: false });
app.get('/ready', async () => ({ ok: true }));
app.get('/baseline', async () => payload);
app.post('/flows/:flowId/segments', async (request, reply) => {
  // Parsed before the handler runs; a body that is not an object would be a bench bug.
  if (typeof request.body !== 'object' || request.body === null) return reply.code(400).send();
  return reply.code(201).send();
});
await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT) });
