import type { ServerMetrics } from '../metrics/metrics.registry.ts';

/** What this replica's recording runs did, for /metrics (counted as it happens). */
export class RecorderStats {
  /** Segments registered. */
  segments = 0;
  /** Runs of ffmpeg that failed (the source gone or silent, ffmpeg ended, an upload refused). */
  failures = 0;
  /** The jobs this replica runs now, and each one's lag at its last segment (ms). */
  readonly lags = new Map<string, number>();
}

/** The live recorder on /metrics: this replica's jobs, segments, failures and lag. */
export function recorderMetrics(metrics: ServerMetrics, stats: RecorderStats): void {
  metrics.gauge('tams_recorder_jobs_running', 'Recording jobs this replica runs now', () => stats.lags.size);
  metrics.counterOf(
    'tams_recorder_segments_total',
    'Segments the recording jobs of this replica registered',
    () => stats.segments,
  );
  metrics.counterOf(
    'tams_recorder_failures_total',
    "Runs of a recording job's ffmpeg on this replica that failed and were retried (the job's last_error says why)",
    () => stats.failures,
  );
  metrics.gauge(
    'tams_recorder_lag_seconds',
    'The largest lag behind the wall clock of the newest segment, over the jobs this replica runs (0 with none)',
    () => Math.max(0, ...stats.lags.values()) / 1000,
  );
}
