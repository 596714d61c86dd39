/**
 * The benchmark baseline: a bare Fastify route returning a JSON array of the same size and
 * shape as a segment page (serialised on every request, as tams-server does).
 */
import { readFileSync } from 'node:fs';
import Fastify from 'fastify';

const payload: unknown = JSON.parse(readFileSync(process.env.BASELINE_PAYLOAD as string, 'utf8'));
const app = Fastify({ logger: false });
app.get('/ready', async () => ({ ok: true }));
app.get('/baseline', async () => payload);
await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT) });
