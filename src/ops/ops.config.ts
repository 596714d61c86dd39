import { Type } from 'typebox';

/**
 * Operations settings (health, metrics, shutdown, the support bundle's log lines), spread into the one config schema
 * (src/config.ts) so they are parsed, checked and documented with every other TAMS_* setting.
 */
export const opsSettings = {
  TAMS_METRICS: Type.Boolean({
    default: true,
    description:
      'Serve Prometheus metrics at `/metrics` (see [Operations](operations.md#health-readiness-and-metrics)).',
  }),
  TAMS_READY_TIMEOUT_MS: Type.Integer({
    default: 3000,
    minimum: 1,
    description:
      'How long each `/ready` check (store query, each media backend) may take before it counts as failed.',
  }),
  TAMS_SHUTDOWN_TIMEOUT_SECONDS: Type.Integer({
    default: 25,
    minimum: 1,
    description:
      "On SIGTERM/SIGINT: how long in-flight requests and background steps get to finish before the process exits anyway (keep it below the orchestrator's grace period, 30 s in Kubernetes by default).",
  }),
  TAMS_SUPPORT_LOG_LINES: Type.Integer({
    default: 2000,
    minimum: 0,
    maximum: 100000,
    description:
      'Log lines the server keeps in memory for the support bundle (`tams-mgmt support-bundle --server`; see [Operations](operations.md#support-bundle)): the last this many, about 0.3 KB each. 0: none kept.',
  }),
};
