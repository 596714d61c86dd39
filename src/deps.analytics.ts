import { SizeBackfill } from './analytics/analytics.backfill.ts';
import { AnalyticsService } from './analytics/analytics.service.ts';
import { readSizesCursor, SizeFollower, type SizeReport } from './analytics/analytics.sizes.ts';
import type { Clock } from './common/clock.ts';
import { BackgroundWorker, type WorkerLog } from './common/worker.ts';
import type { Config } from './config.ts';
import { type AnalyticsManager, openAnalytics } from './db/engine.factory.ts';
import type { Topology } from './db/topology.ts';
import type { MediaRegistry } from './media/media.registry.ts';
import type { ServerMetrics } from './metrics/metrics.registry.ts';
import { AnalyticsReports } from './store/analytics/reports.ts';
import { FOLLOWER_MIN_PAUSE_MS } from './store/leases.follower.ts';
import type { TamsStore } from './store/store.ts';

/** Analytics as the server runs it: the reports' service, and the object size follower. */
export interface AnalyticsRuntime {
  service: AnalyticsService;
  /** Wakes the size follower (events committed). */
  wake(): void;
  /** The lowest outbox position the size follower still needs (events above it must be kept). */
  holdBack(): Promise<bigint>;
  /** Builds and starts the size follower's worker. */
  start(log: WorkerLog, owner: string, topology: Topology): BackgroundWorker;
  /** A follower to step by hand (tests). */
  createFollower(log: WorkerLog, owner: string, topology: Topology): SizeFollower;
  /** The backfill of `tams-mgmt analytics sizes`. */
  createBackfill(owner: string): SizeBackfill;
  /** Called after each batch the follower commits. */
  onBatch?: (report: SizeReport) => void;
  /** Steps of the running size follower that failed in a row (0 when it works or does not run). */
  failingSteps(): number;
  close(): Promise<void>;
}

export function buildAnalytics(
  config: Config,
  deps: { db: AnalyticsManager; store: TamsStore; media: MediaRegistry; clock: Clock },
): AnalyticsRuntime {
  const { store, media, clock } = deps;
  const leaseMs = config.TAMS_WORKER_LEASE_SECONDS * 1000;
  const reports = new AnalyticsReports(
    openAnalytics(deps.db, {
      memoryLimit: config.TAMS_DUCKDB_MEMORY_LIMIT,
      threads: config.TAMS_DUCKDB_THREADS,
    }),
    (name) => deps.db.tableInfo(name),
  );
  let worker: BackgroundWorker | undefined;
  let follower: SizeFollower | undefined;
  const runtime: AnalyticsRuntime = {
    service: new AnalyticsService({
      reports,
      store,
      media,
      clock,
      exportMaxRows: config.TAMS_ANALYTICS_EXPORT_MAX_ROWS,
    }),
    wake: () => worker?.wake(),
    holdBack: () => readSizesCursor(store),
    failingSteps: () => worker?.failing ?? 0,
    createFollower(log, owner, topology) {
      return new SizeFollower({
        store,
        media,
        clock,
        log,
        owner,
        leaseMs,
        topology,
        onBatch: (report) => runtime.onBatch?.(report),
      });
    },
    createBackfill(owner) {
      return new SizeBackfill({ store, media, reports, clock, owner, leaseMs });
    },
    start(log, owner, topology) {
      follower = runtime.createFollower(log, owner, topology);
      const running = follower;
      worker = new BackgroundWorker(
        'analytics-sizes',
        () => running.step(),
        config.TAMS_WORKER_IDLE_MS,
        log,
        {
          minPauseMs: FOLLOWER_MIN_PAUSE_MS,
        },
      );
      return worker;
    },
    async close() {
      await follower?.release().catch(() => undefined);
      await reports.close();
    },
  };
  return runtime;
}

/** The size follower on /metrics: what it recorded in this process. */
export function bindAnalyticsMetrics(metrics: ServerMetrics, analytics: AnalyticsRuntime): void {
  const done = { sized: 0, missing: 0, failed: 0, skipped: 0 };
  const previous = analytics.onBatch;
  analytics.onBatch = (report) => {
    done.sized += report.sized;
    done.missing += report.missing;
    done.failed += report.failed;
    done.skipped += report.skipped;
    previous?.(report);
  };
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
    () => analytics.failingSteps(),
  );
  metrics.counterOf(
    'tams_analytics_events_skipped_total',
    'Events the object size follower could not read and passed over (each logged)',
    () => done.skipped,
  );
}
