import type { Clock } from '../../common/clock.ts';
import type { WorkerLog } from '../../common/worker.ts';
import type { FollowerLease } from '../../store/followers/leases.follower.ts';
import type { TamsStore } from '../../store/store.ts';
import { isTransient, reasonOf, TransientFailure } from './search.failure.ts';
import { IndexState } from './search.state.ts';

/**
 * How the search indexer goes on after a failure (search.failure.ts says which failures are
 * whose). A transient one is retried after a pause that doubles from `firstMs` up to `maxMs`;
 * a batch that fails for a reason the indexer cannot name is taken again one item per batch, so
 * that the item at fault fails alone: after ATTEMPTS failures of its own batch it is passed over.
 */

/** Failures of a batch of one item before it is passed over (the pauses between them growing). */
export const ATTEMPTS = 3;

/** The pause after transient failures: doubling, capped; measured on the monotonic clock. */
export class RetryPause {
  attempts = 0;
  private until = 0;

  constructor(
    private readonly firstMs: number,
    private readonly maxMs: number,
  ) {}

  /** Whether the pause after the last failure is still running. */
  waiting(): boolean {
    return this.attempts > 0 && performance.now() < this.until;
  }

  /** A failure: the next attempt waits longer. Returns the pause, in ms. */
  failed(): number {
    this.attempts++;
    const pause = Math.min(this.maxMs, this.firstMs * 2 ** Math.min(this.attempts - 1, 20));
    this.until = performance.now() + pause;
    return pause;
  }

  /** A batch went through: true when it ended a run of failures. */
  succeeded(): boolean {
    const ended = this.attempts > 0;
    this.attempts = 0;
    this.until = 0;
    return ended;
  }
}

/** Batches taken one item at a time after a batch failed for a reason the indexer could not name. */
export class Isolation {
  /** Items still to take one at a time (those of the batch that failed). */
  private left = 0;
  private failing: { key: string; attempts: number } | undefined;

  /** Whether batches are to hold one item. */
  get active(): boolean {
    return this.left > 0;
  }

  /** A batch of `items` failed: its items are taken one at a time. */
  begin(items: number): void {
    this.left = Math.max(this.left, items);
  }

  /** The batch of the one item `key` failed: true once it has failed ATTEMPTS times. */
  failedAlone(key: string): boolean {
    if (this.failing?.key === key) this.failing.attempts++;
    else this.failing = { key, attempts: 1 };
    return this.failing.attempts >= ATTEMPTS;
  }

  /** A batch went through (indexed, or its item passed over). */
  done(items: number): void {
    this.left = Math.max(0, this.left - items);
    this.failing = undefined;
  }
}

/** The items of the batch being worked on, to pass over its item when it fails alone. */
export interface BatchScope {
  /** Items in the batch (events and transcript jobs, or a build's table items). */
  items: number;
  /** Identifies a batch of one item from one attempt to the next. */
  key: string;
  /**
   * Moves the index past the batch, its item recorded as failed with `reason`; undefined when the
   * index had moved on meanwhile (nothing written).
   */
  passOver(reason: string): Promise<unknown>;
  /** Called once the batch went through. */
  done?(): void;
}

export interface RecoveryDeps {
  store: TamsStore;
  lease: FollowerLease;
  clock: Clock;
  log: WorkerLog;
  firstMs: number;
  maxMs: number;
}

/**
 * What the indexer does when a batch fails (search.failure.ts tells whose failure it is): a
 * transient failure waits (RetryPause), with its reason in the index's state for the status
 * (`retrying`); any other failure of a batch of many takes its items one at a time (Isolation),
 * and the batch of one item that keeps failing is passed over, its failure recorded. Recording
 * it is a write of the database: when that fails too, the failure was the database's, and waits.
 */
export class Recovery {
  private readonly pause: RetryPause;
  private readonly isolation = new Isolation();

  constructor(private readonly deps: RecoveryDeps) {
    this.pause = new RetryPause(deps.firstMs, deps.maxMs);
  }

  /** Whether a pause after a transient failure is still running: no batch now. */
  waiting(): boolean {
    return this.pause.waiting();
  }

  /** How many items a batch may take: one while a failed batch's items are taken one at a time. */
  limit(items: number): number {
    return this.isolation.active ? 1 : items;
  }

  /** A batch went through (indexed, held, or its item passed over). */
  done(batch: BatchScope): void {
    this.isolation.done(batch.items);
    batch.done?.();
  }

  /** After a step that did not fail: ends the `retrying` of the status, if a failure set it. */
  async recovered(): Promise<void> {
    if (!this.pause.succeeded()) return;
    await this.setRetrying(null).catch(() => undefined);
  }

  /** A step failed in `batch` (undefined: before it took any item). True to run again at once. */
  async failed(error: unknown, batch: BatchScope | undefined): Promise<boolean> {
    if (isTransient(error) || batch === undefined) return this.wait(reasonOf(error), error);
    if (batch.items > 1) {
      this.isolation.begin(batch.items);
      this.deps.log.warn(
        { err: error, items: batch.items },
        'search: a batch could not be indexed; indexing its items one at a time to find the one at fault',
      );
      return true;
    }
    if (!this.isolation.failedAlone(batch.key)) return this.wait(reasonOf(error), error);
    let recorded: unknown;
    try {
      recorded = await batch.passOver(reasonOf(error));
    } catch (recording) {
      return this.wait(reasonOf(recording), recording);
    }
    // Undefined: another indexer moved the index on meanwhile; the batch is planned again.
    if (recorded === undefined) return true;
    this.done(batch);
    this.deps.log.error(
      { err: error, item: batch.key },
      'search: an item failed every attempt and was passed over',
    );
    return true;
  }

  private async wait(reason: string, error: unknown): Promise<boolean> {
    const pauseMs = this.pause.failed();
    const attempts = this.pause.attempts;
    // A TransientFailure says all there is to say in its reason; other errors keep their stack.
    const err = error instanceof TransientFailure ? undefined : error;
    this.deps.log.warn({ err, attempts, retry_in_ms: pauseMs }, `search: indexing waits (${reason})`);
    await this.setRetrying({ reason, attempts }).catch(() => undefined);
    return false;
  }

  /** Writes (or clears) `retrying` in the index's state, under the lease; best effort. */
  private async setRetrying(now: { reason: string; attempts: number } | null): Promise<void> {
    const { store, lease, clock } = this.deps;
    let took = false;
    const done = await store.transaction(async (tx) => {
      const state = await IndexState.read(tx);
      if (now === null && state.retrying === null) return false;
      took = await lease.take(tx);
      if (!took) return false;
      state.retrying =
        now === null ? null : { ...now, since: state.retrying?.since ?? clock.now().toISOString() };
      await state.write(tx);
      return true;
    });
    if (took) lease.settle(done);
  }
}
