import { Pacer } from '../common/pacer.ts';
import { UrlGuard } from '../common/url.guard.ts';
import { BackgroundWorker } from '../common/worker.ts';
import type { Feature, FeatureRuntime } from '../feature/feature.types.ts';
import type { ReplicationConfig } from './replication.config.ts';
import { ReplicationStats, replicationMetrics } from './replication.metrics.ts';
import { replicationRoutes } from './replication.routes.ts';
import { Replication, ReplicationFlow, ReplicationPost } from './replication.schemas.ts';
import { ReplicationService } from './replication.service.ts';
import { ReplicationWorker } from './replication.worker.ts';
import { replicationTables } from './store/replication.tables.ts';

/** Replication as the server runs it: the jobs' service. */
export interface ReplicationRuntime extends FeatureRuntime {
  readonly service: ReplicationService;
}

/** An exchange with the origin (a page, a token, an object's head) may take this long. */
const ORIGIN_TIMEOUT_MS = 30_000;

/** Replication (TAMS_REPLICATION): /replications, jobs that follow another TAMS server. */
export const replicationFeature: Feature<ReplicationRuntime, ReplicationConfig> = {
  name: 'replication',
  enabled: (config) => config.TAMS_REPLICATION,
  tables: replicationTables,
  build({ config, store, media, clock, ids, tams, publicUrl, clients }) {
    const guard = new UrlGuard(config.TAMS_REPLICATION_ALLOW.split(','), {
      setting: 'TAMS_REPLICATION_ALLOW',
      schemes: ['http:', 'https:'],
      subject: 'replication origins',
    });
    const service = new ReplicationService({ store, clock, ids, media, guard, tams });
    const stats = new ReplicationStats();
    let worker: ReplicationWorker | undefined;
    return {
      service,
      workers: (log, owner, topology) => {
        worker = new ReplicationWorker({
          store,
          clock,
          log,
          owner,
          leaseMs: config.TAMS_WORKER_LEASE_SECONDS * 1000,
          maxJobs: config.TAMS_REPLICATION_MAX_JOBS,
          topology,
          run: {
            store,
            tams,
            media,
            clock,
            ids,
            guard,
            pollMs: config.TAMS_REPLICATION_POLL_SECONDS * 1000,
            pageSize: config.TAMS_REPLICATION_PAGE,
            copies: config.TAMS_REPLICATION_COPIES,
            pace: () => new Pacer(clients, { share: config.TAMS_REPLICATION_SHARE }),
            timeoutMs: ORIGIN_TIMEOUT_MS,
            stats,
            publicUrl,
          },
        });
        const running = worker;
        return [new BackgroundWorker('replication', () => running.step(), config.TAMS_WORKER_IDLE_MS, log)];
      },
      close: async () => {
        await worker?.release();
      },
      components: { Replication, ReplicationPost, ReplicationFlow },
      routes: (app, { paging, publicUrl }) =>
        replicationRoutes(app, { replication: service, paging, publicUrl }),
      metrics: (metrics) => replicationMetrics(metrics, stats),
    };
  },
};
