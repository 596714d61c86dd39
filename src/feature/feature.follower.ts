import { BackgroundWorker, type WorkerLog } from '../common/worker.ts';
import type { Topology } from '../db/topology.ts';
import { FOLLOWER_MIN_PAUSE_MS } from '../store/followers/leases.follower.ts';

/** A follower of the event outbox: one batch a step, under a lease it gives back at the end. */
export interface OutboxFollower {
  /** One batch; true when there may be more to do at once. */
  step(): Promise<boolean>;
  /** Writes what it holds in memory and lets its lease go. */
  release(): Promise<void>;
}

/** What the core drives of a feature's follower. */
export interface OutboxFollowing {
  /** Events were committed: the running follower looks at once (after its shortest pause). */
  wake(): void;
  /** The lowest outbox position it still needs: the events after it are kept for it. */
  holdBack(): Promise<bigint | undefined>;
  /**
   * Builds and starts its worker. `owner` names this process among replicas; `topology`: whether
   * other processes share the store (FollowerLease).
   */
  start(log: WorkerLog, owner: string, topology: Topology): BackgroundWorker;
  /** Lets the running follower's lease go (after the workers stopped). */
  close(): Promise<void>;
}

/** How a feature makes its follower. */
export interface FollowerSpec<F extends OutboxFollower, Report> {
  /** The worker's name in logs. */
  worker: string;
  /** The worker's pause when there is nothing to do (TAMS_WORKER_IDLE_MS). */
  idleMs: number;
  /** A follower that calls `onBatch` after each batch it commits. */
  create(log: WorkerLog, owner: string, topology: Topology, onBatch: (report: Report) => void): F;
  holdBack(): Promise<bigint | undefined>;
}

/**
 * The one runtime shape of the features' outbox followers (the search indexer, the EXR catalogue,
 * the object sizes): a follower run by a BackgroundWorker paced at FOLLOWER_MIN_PAUSE_MS, woken
 * at commits, whose batches are reported to listeners (metrics, management commands), released
 * at shutdown.
 */
export class FollowerRuntime<F extends OutboxFollower, Report> implements OutboxFollowing {
  private worker: BackgroundWorker | undefined;
  private running: F | undefined;
  private readonly listeners = new Set<(report: Report) => void>();

  constructor(private readonly spec: FollowerSpec<F, Report>) {}

  wake(): void {
    this.worker?.wake();
  }

  holdBack(): Promise<bigint | undefined> {
    return this.spec.holdBack();
  }

  /** Steps of the running follower that failed in a row (0 when it works or does not run). */
  get failingSteps(): number {
    return this.worker?.failing ?? 0;
  }

  /** Calls `listener` after each batch a follower of this runtime commits; returns its removal. */
  onBatch(listener: (report: Report) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** A follower to step by hand (management commands, tests); its batches are reported too. */
  create(log: WorkerLog, owner: string, topology: Topology): F {
    return this.spec.create(log, owner, topology, (report) => {
      for (const listener of this.listeners) listener(report);
    });
  }

  start(log: WorkerLog, owner: string, topology: Topology): BackgroundWorker {
    const running = this.create(log, owner, topology);
    this.running = running;
    this.worker = new BackgroundWorker(this.spec.worker, () => running.step(), this.spec.idleMs, log, {
      minPauseMs: FOLLOWER_MIN_PAUSE_MS,
    });
    return this.worker;
  }

  async close(): Promise<void> {
    await this.running?.release().catch(() => undefined);
  }
}
