import { openAnalytics } from '../db/engine.factory.ts';
import { FollowerRuntime } from '../feature/feature.follower.ts';
import type { Feature, FeatureRuntime } from '../feature/feature.types.ts';
import { SizeBackfill } from './analytics.backfill.ts';
import type { AnalyticsConfig } from './analytics.config.ts';
import { analyticsMetrics } from './analytics.metrics.ts';
import { analyticsRoutes } from './analytics.routes.ts';
import { AnalyticsService } from './analytics.service.ts';
import { readSizesCursor, SizeFollower, type SizeReport } from './analytics.sizes.ts';
import { analyticsTables } from './store/analytics.tables.ts';
import { AnalyticsReports } from './store/reports.ts';

/** Analytics as the server runs it: the reports' service, and the object size follower. */
export interface AnalyticsRuntime extends FeatureRuntime {
  readonly service: AnalyticsService;
  /** The object size follower; `create` makes one to step by hand (tests). */
  readonly follower: FollowerRuntime<SizeFollower, SizeReport>;
  /** The backfill of `tams-mgmt analytics sizes`. */
  createBackfill(owner: string): SizeBackfill;
}

/** Analytics (TAMS_ANALYTICS): /analytics, with the object sizes the reports count bytes by. */
export const analyticsFeature: Feature<AnalyticsRuntime, AnalyticsConfig> = {
  name: 'analytics',
  enabled: (config) => config.TAMS_ANALYTICS,
  tables: analyticsTables,
  build({ config, db, store, media, clock }) {
    const leaseMs = config.TAMS_WORKER_LEASE_SECONDS * 1000;
    const reports = new AnalyticsReports(
      openAnalytics(db, {
        memoryLimit: config.TAMS_DUCKDB_MEMORY_LIMIT,
        threads: config.TAMS_DUCKDB_THREADS,
      }),
      (name) => db.tableInfo(name),
    );
    const follower = new FollowerRuntime<SizeFollower, SizeReport>({
      worker: 'analytics-sizes',
      idleMs: config.TAMS_WORKER_IDLE_MS,
      create: (log, owner, topology, onBatch) =>
        new SizeFollower({ store, media, clock, log, owner, leaseMs, topology, onBatch }),
      holdBack: () => readSizesCursor(store),
    });
    const service = new AnalyticsService({
      reports,
      store,
      media,
      clock,
      exportMaxRows: config.TAMS_ANALYTICS_EXPORT_MAX_ROWS,
    });
    return {
      service,
      follower,
      createBackfill: (owner) => new SizeBackfill({ store, media, reports, clock, owner, leaseMs }),
      routes: (app, { paging, publicUrl }) => analyticsRoutes(app, { analytics: service, paging, publicUrl }),
      metrics: (metrics) => analyticsMetrics(metrics, follower),
      close: () => reports.close(),
    };
  },
};
