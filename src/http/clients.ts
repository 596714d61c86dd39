import type { FastifyInstance } from 'fastify';
import type { ClientActivity } from '../common/pacer.ts';

/**
 * Counts the requests the process serves, for background work that gives way to them (a
 * replication catch-up, src/common/pacer.ts). On the root instance: every route counts.
 */
export function registerClientActivity(app: FastifyInstance, clients: ClientActivity): void {
  app.addHook('onRequest', async (_request, reply) => {
    clients.started();
    // 'close' comes for every response, finished or aborted.
    reply.raw.once('close', () => clients.ended());
  });
}
