import type { Clock } from './common/clock.ts';
import { BackgroundWorker, type WorkerLog } from './common/worker.ts';
import type { Topology } from './db/topology.ts';
import { ExrFollower, type FollowReport, readFollowState } from './exr/exr.follow.ts';
import { ExrService } from './exr/exr.service.ts';
import type { MediaRegistry } from './media/media.registry.ts';
import type { ServerMetrics } from './metrics/metrics.registry.ts';
import { FOLLOWER_MIN_PAUSE_MS } from './store/leases.follower.ts';
import type { TamsStore } from './store/store.ts';

/** EXR metadata as the server runs it: the catalogue's service, and the outbox follower. */
export interface ExrRuntime {
  service: ExrService;
  /** Wakes the follower (events committed). */
  wake(): void;
  /** The lowest outbox position the catalogue still needs (events above it must be kept). */
  holdBack(): Promise<bigint>;
  /** Builds and starts the follower's worker. */
  start(log: WorkerLog, owner: string, topology: Topology): BackgroundWorker;
  /** A follower to step by hand (`tams-mgmt exr backfill`, tests). */
  createFollower(log: WorkerLog, owner: string, topology: Topology): ExrFollower;
  /** Called after each batch the follower commits. */
  onBatch?: (report: FollowReport) => void;
  /** Steps of the running follower that failed in a row (0 when it works or does not run). */
  failingSteps(): number;
  close(): Promise<void>;
}

export function buildExr(deps: {
  store: TamsStore;
  media: MediaRegistry;
  clock: Clock;
  idleMs: number;
  leaseMs: number;
}): ExrRuntime {
  const { store, media, clock } = deps;
  let worker: BackgroundWorker | undefined;
  let follower: ExrFollower | undefined;
  const runtime: ExrRuntime = {
    service: new ExrService({ store, media, clock }),
    wake: () => worker?.wake(),
    holdBack: async () => (await readFollowState(store)).cursor,
    failingSteps: () => worker?.failing ?? 0,
    createFollower(log, owner, topology) {
      return new ExrFollower({
        store,
        media,
        clock,
        log,
        owner,
        leaseMs: deps.leaseMs,
        topology,
        onBatch: (report) => runtime.onBatch?.(report),
      });
    },
    start(log, owner, topology) {
      follower = runtime.createFollower(log, owner, topology);
      const running = follower;
      worker = new BackgroundWorker('exr-inspect', () => running.step(), deps.idleMs, log, {
        minPauseMs: FOLLOWER_MIN_PAUSE_MS,
      });
      return worker;
    },
    async close() {
      await follower?.release().catch(() => undefined);
    },
  };
  return runtime;
}

/** EXR inspection on /metrics: what the follower did in this process. */
export function bindExrMetrics(metrics: ServerMetrics, exr: ExrRuntime): void {
  const done = { inspected: 0, failed: 0, skipped: 0 };
  const previous = exr.onBatch;
  exr.onBatch = (report) => {
    done.inspected += report.inspected;
    done.failed += report.failed;
    done.skipped += report.skipped;
    previous?.(report);
  };
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
    () => exr.failingSteps(),
  );
  metrics.counterOf(
    'tams_exr_events_skipped_total',
    'Events the EXR follower could not apply and passed over (each logged; counted in /exr/stats)',
    () => done.skipped,
  );
}
