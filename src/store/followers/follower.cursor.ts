import type { Clock } from '../../common/clock.ts';
import type { Topology } from '../../db/topology.ts';
import type { StoreTx, TamsStore } from '../store.ts';
import type { FollowerLease } from './leases.follower.ts';

/** A held cursor and the key of the written state it is ahead of. */
export interface Held {
  readonly base: string;
  readonly cursor: bigint;
}

/**
 * How long a follower's progress may stay in memory only, on an engine no other process opens:
 * its cursor is written with the next batch that writes anything else, when it finds nothing to
 * do, or once it has been held this long.
 */
export const CURSOR_HOLD_MS = 5000;

/**
 * The part of an outbox follower's cursor not written yet (search index, EXR catalogue, object
 * sizes). Most batches of those followers have nothing to write but the cursor (events of Flows
 * they do not index), and on the embedded engine a write of the cursor is a transaction on its one
 * writer that registrations wait behind (docs/benchmarks-history.md, session 43). Where no other process can
 * use the store (Topology.cursorsInMemory), a batch may move the cursor in memory only: after a
 * crash the follower reads those events again from the written cursor, and what it does with them
 * is done once either way (skipped again, or, for object sizes, found already sized). Replicas
 * write it with every batch, inside the batch's lease.
 *
 * The held cursor counts only while the written state is the one it was held from (`base`, the
 * follower's own key of that state): another writer of the state (a backfill, a reindex) drops it.
 */
export class HeldCursor {
  private held: { base: string; cursor: bigint; since: number } | undefined;

  constructor(
    private readonly topology: Topology,
    private readonly clock: Clock,
  ) {}

  /** Where to read on from, given the written state (its key) and its cursor. */
  from(base: string, written: bigint): bigint {
    if (this.held === undefined) return written;
    if (this.held.base === base) return this.held.cursor;
    this.held = undefined;
    return written;
  }

  /**
   * Whether a batch read from the state `base` may leave its cursor in memory (then `hold` it once
   * the batch's own writes, if any, committed); false when it must write it: the store is shared,
   * or a cursor has been held CURSOR_HOLD_MS.
   */
  mayHold(base: string): boolean {
    if (!this.topology.cursorsInMemory) return false;
    if (this.held === undefined || this.held.base !== base) return true;
    return this.clock.now().getTime() - this.held.since < CURSOR_HOLD_MS;
  }

  /** Holds `cursor`, ahead of the state `base` (after mayHold said it may). */
  hold(base: string, cursor: bigint): void {
    const since = this.held?.base === base ? this.held.since : this.clock.now().getTime();
    this.held = { base, cursor, since };
  }

  /**
   * Writes the held cursor, if any, in a transaction under `lease`: `save` writes it where the
   * state is still the one it was held from (true when it wrote). Nothing is held after, written
   * or not (a state changed meanwhile is read on from as it is).
   */
  async write(
    store: TamsStore,
    lease: FollowerLease,
    save: (tx: StoreTx, held: Held) => Promise<boolean>,
  ): Promise<void> {
    const held = this.held;
    if (held === undefined) return;
    const done = await store.transaction(async (tx) => (await lease.take(tx)) && save(tx, held));
    lease.settle(done);
    this.held = undefined;
  }

  /** The state was written (with this cursor or a later one): nothing is held any more. */
  written(): void {
    this.held = undefined;
  }
}
