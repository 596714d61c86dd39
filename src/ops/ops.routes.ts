import type { FastifyInstance, FastifyRequest } from 'fastify';
import { sendError } from '../http/errors.ts';
import { errors, ok } from '../http/responses.ts';
import type { ServerMetrics } from '../metrics/metrics.registry.ts';
import { notReadySummary, type Readiness } from './ops.readiness.ts';
import { Health, Metrics, Ready } from './ops.schemas.ts';

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
 * `/health` (the process answers), `/ready` (it can serve: store, media backends)
 * and `/metrics` (Prometheus text). Not TAMS API: tagged `Operations` in the OpenAPI document and
 * marked as beyond TAMS 7.0, public (`security: []`: probes and scrapers send no credentials).
 */
export async function opsRoutes(app: FastifyInstance, options: OpsRoutesOptions): Promise<void> {
  const { readiness, metrics } = options;
  const documented = { tags: ['Operations'], security: [] };

  app.get(
    '/health',
    {
      schema: {
        ...documented,
        operationId: 'GET_health',
        summary: 'Liveness',
        description: 'The process answers (a liveness probe): always 200 while it runs.',
        response: { 200: ok(Health) },
      },
      config: OPS_ROUTE_CONFIG,
    },
    async (_request, reply) => {
      return reply.header('content-type', 'application/json').send(JSON.stringify({ status: 'ok' }));
    },
  );

  app.get(
    '/ready',
    {
      schema: {
        ...documented,
        operationId: 'GET_ready',
        summary: 'Readiness',
        description:
          "The server can serve (a readiness probe): the store answers, every media backend answers, and it is not shutting down (the embedded engine's segment indexes load in the background and are not waited for). Each check is bounded by TAMS_READY_TIMEOUT_MS.",
        response: {
          200: ok(Ready),
          ...errors({ 503: 'Not ready: the summary names each check that failed and why.' }),
        },
      },
      config: OPS_ROUTE_CONFIG,
    },
    async (request, reply) => {
      const report = await readiness.check();
      if (!report.ready) {
        request.log.warn({ checks: report.checks.filter((c) => !c.ok) }, 'not ready');
        return sendError(request, reply, 503, 'ServiceUnavailable', notReadySummary(report));
      }
      const checks = Object.fromEntries(report.checks.map((c) => [c.name, 'ok']));
      return reply
        .header('content-type', 'application/json')
        .send(JSON.stringify({ status: 'ready', checks }));
    },
  );

  if (metrics) {
    app.get(
      '/metrics',
      {
        schema: {
          ...documented,
          operationId: 'GET_metrics',
          summary: 'Prometheus Metrics',
          description: 'The metrics of this process for Prometheus (TAMS_METRICS; docs/operations.md).',
          response: { 200: { description: '', content: { 'text/plain': { schema: Metrics } } } },
        },
        config: OPS_ROUTE_CONFIG,
      },
      async (_request, reply) => {
        return reply.header('content-type', metrics.contentType).send(await metrics.exposition());
      },
    );
  }
}
