import type { FollowerRuntime } from '../feature/feature.follower.ts';
import type { ServerMetrics } from '../metrics/metrics.registry.ts';
import type { SizeFollower, SizeReport } from './analytics.sizes.ts';

/** The size follower on /metrics: what it recorded in this process. */
export function analyticsMetrics(
  metrics: ServerMetrics,
  follower: FollowerRuntime<SizeFollower, SizeReport>,
): void {
  const done = { sized: 0, missing: 0, failed: 0, skipped: 0 };
  follower.onBatch((report) => {
    done.sized += report.sized;
    done.missing += report.missing;
    done.failed += report.failed;
    done.skipped += report.skipped;
  });
  metrics.gauge(
    'tams_analytics_objects_sized_total',
    'Objects whose size this process recorded (HEAD through their backend) after their registration',
    () => done.sized,
  );
  metrics.gauge(
    'tams_analytics_objects_missing_total',
    'Objects registered whose backend had no bytes when this process asked (recorded without a size)',
    () => done.missing,
  );
  metrics.counterOf(
    'tams_analytics_objects_failed_total',
    'Objects whose backend refused to give their size while it answered others (recorded without a size, with the reason in object_sizes.error; each logged)',
    () => done.failed,
  );
  metrics.gauge(
    'tams_analytics_sizes_failing_steps',
    'Steps of the object size follower that failed in a row, 0 when it works: an outage of the database or a media backend it waits out (logged), not a bad item',
    () => follower.failingSteps,
  );
  metrics.counterOf(
    'tams_analytics_events_skipped_total',
    'Events the object size follower could not read and passed over (each logged)',
    () => done.skipped,
  );
}
