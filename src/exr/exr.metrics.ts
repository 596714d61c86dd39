import type { FollowerRuntime } from '../feature/feature.follower.ts';
import type { ServerMetrics } from '../metrics/metrics.registry.ts';
import type { ExrFollower, FollowReport } from './follow/exr.follow.ts';

/** EXR inspection on /metrics: what the follower did in this process. */
export function exrMetrics(
  metrics: ServerMetrics,
  follower: FollowerRuntime<ExrFollower, FollowReport>,
): void {
  const done = { inspected: 0, failed: 0, skipped: 0 };
  follower.onBatch((report) => {
    done.inspected += report.inspected;
    done.failed += report.failed;
    done.skipped += report.skipped;
  });
  metrics.counterOf(
    'tams_exr_files_inspected_total',
    'EXR objects this process inspected after their segments were registered',
    () => done.inspected,
  );
  metrics.counterOf(
    'tams_exr_files_failed_total',
    'EXR objects this process recorded as failed (missing bytes, not OpenEXR, unreadable or refused by the store; each logged, listed by /exr/files?status=failed)',
    () => done.failed,
  );
  metrics.gauge(
    'tams_exr_follower_failing_steps',
    'Steps of the EXR follower that failed in a row, 0 when it works: an outage of the database or a media backend it waits out (logged), not a bad item',
    () => follower.failingSteps,
  );
  metrics.counterOf(
    'tams_exr_events_skipped_total',
    'Events the EXR follower could not apply and passed over (each logged; counted in /exr/stats)',
    () => done.skipped,
  );
}
