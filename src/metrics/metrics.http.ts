import type { FastifyInstance } from 'fastify';
import type { ServerMetrics } from './metrics.registry.ts';

/** Label of requests no route matched: their URLs are not label values (unbounded cardinality). */
const UNMATCHED = 'unmatched';

/**
 * Records every request: in flight while handled, then its latency and status under the route
 * pattern (`/flows/:flowId/segments`), never the URL. Registered on the root instance so that
 * every route, including 404s and the media routes, is counted.
 */
export function registerHttpMetrics(app: FastifyInstance, metrics: ServerMetrics): void {
  app.addHook('onRequest', async (_request, reply) => {
    metrics.requestStarted();
    // 'close' comes for every response, finished or aborted (onResponse misses aborted ones).
    reply.raw.once('close', () => metrics.requestEnded());
  });
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? UNMATCHED;
    metrics.requestFinished(route, request.method, reply.statusCode, reply.elapsedTime / 1000);
  });
}
