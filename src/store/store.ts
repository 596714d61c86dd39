import type { Doorbell } from '../common/doorbell.ts';
import type { DbSession, Pushdown } from '../db/db.types.ts';
import type { TimeRange } from '../time/index.ts';
import type { SnapshotStats } from './cache/segments.snapshots.ts';
import { type CacheLog, type CacheOptions, type CacheView, StoreCache } from './cache/store.cache.ts';
import { LocalSequence } from './events.sequence.ts';
import { type SlotOptions, SlotSequence, type Transact } from './events.slots.ts';
import type { SegmentIndexStats } from './index/segment-index.registry.ts';
import type { SegmentIndexLane } from './segments.types.ts';
import { StoreHints } from './store.hints.ts';
import { retryConflicts } from './store.retry.ts';
import { type StoreParts, StoreSession, StoreTx } from './store.session.ts';
import { T } from './tables.ts';

export { type RepoSet, StoreSession, StoreTx } from './store.session.ts';

/** The settings key saying the last stop wrote everything held behind (see markCleanStop). */
const CLEAN_STOP = 'store.clean_stop';

export interface StoreOpenOptions {
  /** Keep the in-memory cache (only where one process owns the database). */
  cached: boolean;
  /** The database is shared with other processes, which number events too (events.slots.ts). */
  slots?: SlotOptions;
  cache?: CacheOptions;
  /**
   * Every Flow's segment envelope, read from the database in one pass: with the cache, the
   * Flows' timeranges are checked against it at start after a stop that may have lost the states
   * held behind. Without it they are checked as each Flow's index loads.
   */
  envelopes?: () => Promise<Map<string, TimeRange>>;
  log?: CacheLog;
  /** Rung when events become visible to the outbox's readers (they subscribe to it). */
  eventsCommitted?: Doorbell;
}

/** What the store needs from the table manager. */
export interface StoreDb extends DbSession {
  transaction<T>(fn: (tx: DbSession) => Promise<T>): Promise<T>;
  /** What the engine pushes down besides predicates; none when absent (read bounded anyway). */
  readonly pushdown?: Pushdown;
  /** Engine.watchCommits through the table manager: false when commits are visible at once. */
  watchCommits?(listener: (tables: ReadonlySet<string>) => void): boolean;
}

/**
 * The TAMS persistence (the design documents call it VastStore), written against the table
 * manager only: the root store. Its repositories (StoreSession) read and write outside a
 * transaction; `transaction` hands a StoreTx, the repositories on one transaction, to its
 * callback. It owns what outlives transactions: the cache, the event slot, the clean-stop mark.
 *
 * With a StoreCache (the embedded engine, whose file one process owns), Flows, segment
 * timelines and unused allocations are read from memory; every write still goes to the database
 * first, and reaches the cache when its transaction commits.
 */
export class TamsStore extends StoreSession {
  private constructor(
    private readonly root: StoreDb,
    private readonly parts: StoreParts,
    private readonly cache?: StoreCache,
    /** Rung after a transaction that recorded events has committed (StoreOpenOptions). */
    private readonly eventsCommitted?: Doorbell,
  ) {
    super({ session: root, parts, view: cache?.direct() }, true);
  }

  /**
   * The store on a table manager; `cached` fills the in-memory cache first (only where one
   * process owns the database). `slots`: the database is shared with other processes, which
   * number events too (events.slots.ts); without it this process is the only writer.
   */
  static async open(db: StoreDb, options: StoreOpenOptions): Promise<TamsStore> {
    const parts: StoreParts = {
      sequence: options.slots ? new SlotSequence(options.slots) : new LocalSequence(),
      ordered: db.pushdown?.orderBy === true && db.pushdown.limit,
      hints: new StoreHints(),
    };
    const bell = options.eventsCommitted;
    if (!options.cached) return TamsStore.watching(new TamsStore(db, parts, undefined, bell), db);
    const plain = new TamsStore(db, parts);
    const cache = await StoreCache.load(plain.db, {
      ...options.cache,
      log: options.cache?.log ?? options.log,
    });
    const store = TamsStore.watching(new TamsStore(db, parts, cache, bell), db);
    // The flows table holds the Flows' timeranges as last written behind (dirtyFlowStates): after
    // a stop that did not write them (a crash), they are set again from the segments.
    const clean = (await plain.settings.get(CLEAN_STOP)) === true;
    if (!clean && options.envelopes) {
      const fixed = cache.reconcileTimeranges(await options.envelopes());
      await store.flushFlowStates();
      options.log?.info({ timerangesFixed: fixed }, 'Flow timeranges checked against their segments');
    }
    cache.timerangesExact = clean || options.envelopes !== undefined;
    // From here on the states held behind may be lost: until a clean stop says otherwise.
    if (clean || options.envelopes) await store.transaction((tx) => tx.settings.set(CLEAN_STOP, false));
    return store;
  }

  /**
   * Where the engine makes some commits visible to the outbox's (lagging) reads later than it
   * commits them (Engine.watchCommits), the outbox's readers are woken when it does, instead of
   * when a transaction that recorded events commits.
   */
  private static watching(store: TamsStore, db: StoreDb): TamsStore {
    store.wakeAtCommit = !(
      db.watchCommits?.((tables) => {
        if (tables.has(T.events)) store.eventsCommitted?.ring();
      }) ?? false
    );
    return store;
  }

  /**
   * The segments' in-memory indexes where this store keeps them (with the cache), else undefined:
   * for the embedded fast lane of segment pages (segments/segments.fastlane.ts).
   */
  get segmentIndex(): SegmentIndexLane | undefined {
    return this.indexed;
  }

  /** Whether transactions that recorded events wake the outbox's readers (see `watching`). */
  private wakeAtCommit = true;

  /**
   * Records that everything held behind is written (the last thing the server does before it
   * closes the database), so the next start need not check the Flows' timeranges.
   */
  async markCleanStop(): Promise<void> {
    if (!this.cache || this.stoppedClean) return;
    await this.cache.saveSnapshots();
    await this.flushFlowStates();
    await this.transaction((tx) => tx.settings.set(CLEAN_STOP, true));
    this.stoppedClean = true;
  }

  private stoppedClean = false;

  /** The event slot this process numbers in (shared databases; undefined until its first write). */
  get eventSlot(): number | undefined {
    const { sequence } = this.parts;
    return sequence instanceof SlotSequence ? sequence.held : undefined;
  }

  /**
   * Keeps this process's event slot, and the slots nobody holds, from holding readers back
   * (events.slots.ts); run every worker interval on a shared database. Returns whether it wrote.
   */
  async beatEventSlots(): Promise<boolean> {
    const { sequence } = this.parts;
    if (!(sequence instanceof SlotSequence)) return false;
    return sequence.beat(this.root, this.transact);
  }

  /** Before the database closes: gives up this process's event slot. */
  async close(): Promise<void> {
    const { sequence } = this.parts;
    if (sequence instanceof SlotSequence) await sequence.release(this.transact);
  }

  get cached(): boolean {
    return this.cache !== undefined;
  }

  /**
   * Loads segment indexes in the background, most recently written Flows first, up to
   * `fraction` of the budget (embedded engine only); readiness does not wait for it.
   */
  async warmUpSegments(fraction: number, log: CacheLog): Promise<void> {
    await this.cache?.warmUp(fraction, log);
  }

  /**
   * The ids of the objects that have object instances, where this store keeps them in memory
   * (with the cache): for the embedded fast lane of segment pages.
   */
  get instancedObjects(): ReadonlyMap<string, true> | undefined {
    return this.cache?.instanced;
  }

  /** Whether the warm-up runs (metrics). */
  get segmentIndexWarming(): boolean {
    return this.cache?.warming !== undefined;
  }

  /** Whether the Flow's segment index is in memory; undefined without a cache (tests). */
  segmentIndexHolds(flowId: string): boolean | undefined {
    return this.cache ? this.cache.segments.peek(flowId) !== undefined : undefined;
  }

  /** Resolves once no segment index is queued or loading, nor snapshot waiting to be written (tests). */
  async segmentLoadsIdle(): Promise<void> {
    await this.cache?.loader.idle();
    await this.cache?.snapshots?.idle();
  }

  /** Stops loading segment indexes (the store is closing). */
  async stopSegmentLoads(): Promise<void> {
    await this.cache?.loader.stop();
    // The warm-up's snapshot backfill stops after its current batch.
    await this.cache?.warming?.catch(() => undefined);
  }

  /** Sizes of the in-memory segment index (metrics); undefined without a cache. */
  segmentIndexStats(): (SegmentIndexStats & { queued: number; snapshots?: SnapshotStats }) | undefined {
    const { cache } = this;
    return (
      cache && { ...cache.segments.stats(), queued: cache.loader.queued, snapshots: cache.snapshots?.stats() }
    );
  }

  /** A cheap query: the database answers (readiness). */
  async ping(): Promise<void> {
    await this.settings.get('readiness.ping');
  }

  /**
   * Writes the Flow segment states the cache holds behind to the flows table (see
   * StoreCache.dirtyFlowStates). Returns whether there was anything to write.
   */
  async flushFlowStates(): Promise<boolean> {
    const states = this.cache?.takeDirtyFlowStates() ?? [];
    if (states.length === 0) return false;
    try {
      await this.db.flows.setSegmentsStates(states);
    } catch (error) {
      for (const s of states) this.cache?.dirtyFlowStates.add(s.id);
      throw error;
    }
    return true;
  }

  /**
   * Runs `fn` in one transaction, again on a fresh snapshot when its commit loses to another
   * transaction that changed the same rows first (retryConflicts): `fn` must keep its changes to
   * the database or to values it creates.
   */
  async transaction<R>(fn: (tx: StoreTx) => Promise<R>): Promise<R> {
    const { sequence } = this.parts;
    let tx: StoreTx | undefined;
    const result = await retryConflicts(async () => {
      // A process numbers events in a slot of its own, taken before its first write (and again
      // after another process took it over: the transaction that found it gone runs again).
      if (sequence instanceof SlotSequence && sequence.held === undefined)
        await sequence.claim(this.transact);
      return this.run((store) => {
        tx = store;
        return fn(store);
      });
    });
    if (tx?.eventsRecorded && this.wakeAtCommit) this.eventsCommitted?.ring();
    return result;
  }

  /** A transaction on the database itself, run again as `transaction` is (event slots). */
  private readonly transact: Transact = (fn) => retryConflicts(() => this.root.transaction(fn));

  private async run<R>(fn: (tx: StoreTx) => Promise<R>): Promise<R> {
    const { root, cache, parts } = this;
    let store: StoreTx | undefined;
    // Whether COMMIT went through: what comes after it may still throw, and the outbox's tail
    // must then still hold the transaction's events (EventsRepo.settle).
    let committed = false;
    if (!cache) {
      try {
        const result = await root.transaction(async (tx) => {
          store = new StoreTx({ session: tx, parts });
          // Beside the transaction's first reads; nothing of it may be under way at its commit.
          const read = store.events.prefetch();
          const result = await fn(store);
          await read?.catch(() => undefined);
          return result;
        });
        committed = true;
        store?.events.settle(true);
        return result;
      } catch (error) {
        if (!committed) store?.events.settle(false);
        throw error;
      }
    }
    let applied = false;
    let view: CacheView | undefined;
    try {
      const result = await root.transaction(async (tx) => {
        view = cache.begin();
        store = new StoreTx({ session: tx, parts, view });
        const result = await fn(store);
        // Writers are serialised: applying before COMMIT means the next transaction sees it.
        applied = true;
        view.commit();
        return result;
      });
      committed = true;
      store?.events.settle(true);
      if (view) cache.settled(view);
      return result;
    } catch (error) {
      if (!committed) store?.events.settle(false);
      // The COMMIT itself failed after the cache took the changes: the cache no longer matches
      // the database, so it is rebuilt from it. Its indexes go first, before anything else runs,
      // so no snapshot is taken of what the database does not hold.
      if (applied) cache.forgetSegments();
      if (view) cache.settled(view);
      if (applied) await cache.rebuild(this.db);
      throw error;
    }
  }
}
