import type { FastifyInstance, FastifyRequest } from 'fastify';
import { sendError } from '../http/errors.ts';
import type { ServerMetrics } from '../metrics/metrics.registry.ts';
import { notReadySummary, type Readiness } from './ops.readiness.ts';

/**
 * Route config of the operations routes. Probes (kubelet) and Prometheus scrapes carry no API
 * credentials: an authentication hook lets requests through when `isOpsRequest` says so.
 */
export const OPS_ROUTE_CONFIG = { tamsOps: true } as const;

export function isOpsRequest(request: FastifyRequest): boolean {
  return (request.routeOptions.config as { tamsOps?: boolean } | undefined)?.tamsOps === true;
}

export interface OpsRoutesOptions {
  readiness: Readiness;
  /** Absent: /metrics is not served (TAMS_METRICS=false). */
  metrics?: ServerMetrics;
}

/**
 * `/health` (the process answers), `/ready` (it can serve: store, media backends, segment index)
 * and `/metrics` (Prometheus text). Hidden from the OpenAPI document: they are not TAMS API.
 */
export async function opsRoutes(app: FastifyInstance, options: OpsRoutesOptions): Promise<void> {
  const { readiness, metrics } = options;
  const route = { schema: { hide: true }, config: OPS_ROUTE_CONFIG };

  app.get('/health', route, async (_request, reply) => {
    return reply.header('content-type', 'application/json').send(JSON.stringify({ status: 'ok' }));
  });

  app.get('/ready', route, async (request, reply) => {
    const report = await readiness.check();
    if (!report.ready) {
      request.log.warn({ checks: report.checks.filter((c) => !c.ok) }, 'not ready');
      return sendError(request, reply, 503, 'ServiceUnavailable', notReadySummary(report));
    }
    const checks = Object.fromEntries(report.checks.map((c) => [c.name, 'ok']));
    return reply.header('content-type', 'application/json').send(JSON.stringify({ status: 'ready', checks }));
  });

  if (metrics) {
    app.get('/metrics', route, async (_request, reply) => {
      return reply.header('content-type', metrics.contentType).send(await metrics.exposition());
    });
  }
}
