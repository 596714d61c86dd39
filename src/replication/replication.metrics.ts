import type { ServerMetrics } from '../metrics/metrics.registry.ts';

/** What this replica's replication runs did, for /metrics (counted as it happens). */
export class ReplicationStats {
  segments = 0;
  objects = 0;
  bytes = 0;
  refused = 0;
  failures = 0;
  /** Time the jobs' writes rested for the clients this replica served (TAMS_REPLICATION_SHARE), ms. */
  restedMs = 0;
  /** The jobs this replica runs now, and each one's lag behind its origin (ms). */
  readonly lags = new Map<string, number>();
}

/** Replication on /metrics: this replica's jobs, what they copied, failures and lag. */
export function replicationMetrics(metrics: ServerMetrics, stats: ReplicationStats): void {
  metrics.gauge(
    'tams_replication_jobs_running',
    'Replication jobs this replica runs now',
    () => stats.lags.size,
  );
  metrics.counterOf(
    'tams_replication_segments_total',
    'Segments the replication jobs of this replica registered',
    () => stats.segments,
  );
  metrics.counterOf(
    'tams_replication_objects_total',
    'Objects the replication jobs of this replica copied',
    () => stats.objects,
  );
  metrics.counterOf(
    'tams_replication_bytes_total',
    'Bytes of the objects the replication jobs of this replica copied',
    () => stats.bytes,
  );
  metrics.counterOf(
    'tams_replication_refused_total',
    'Origin segments the destination refused (reported in the job, not retried)',
    () => stats.refused,
  );
  metrics.counterOf(
    'tams_replication_failures_total',
    'Passes of a replication job that failed and were retried (the job’s last_error says why)',
    () => stats.failures,
  );
  metrics.counterOf(
    'tams_replication_rest_seconds_total',
    'Time the replication jobs of this replica rested between writes for the clients it served (TAMS_REPLICATION_SHARE)',
    () => stats.restedMs / 1000,
  );
  metrics.gauge(
    'tams_replication_lag_seconds',
    'The largest lag behind its origin over the jobs this replica runs (0 with none)',
    () => Math.max(0, ...stats.lags.values()) / 1000,
  );
}
