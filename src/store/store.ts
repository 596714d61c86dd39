import type { Doorbell } from '../common/doorbell.ts';
import type { DbSession, Pushdown } from '../db/db.types.ts';
import type { TimeRange } from '../time/index.ts';
import { CachedCollections } from './cache/collections.cached.ts';
import { CachedFlows, type FlowsStore } from './cache/flows.cached.ts';
import { CachedObjects } from './cache/objects.cached.ts';
import { IndexedSegments, type SegmentIndexLane, type SegmentsStore } from './cache/segments.indexed.ts';
import type { SnapshotStats } from './cache/segments.snapshots.ts';
import { type CacheLog, type CacheOptions, type CacheView, StoreCache } from './cache/store.cache.ts';
import { CollectionsRepo } from './collections.repo.ts';
import { DeletionsRepo } from './deletions.repo.ts';
import { EventsRepo } from './events.repo.ts';
import { type EventSequence, LocalSequence } from './events.sequence.ts';
import { type SlotOptions, SlotSequence, type Transact } from './events.slots.ts';
import { objectsDeleted } from './events.types.ts';
import { FlowsRepo } from './flows.repo.ts';
import { GuardsRepo } from './guards.repo.ts';
import type { SegmentIndexStats } from './index/segment-index.registry.ts';
import { LeasesRepo } from './leases.repo.ts';
import { MediaGcRepo } from './media-gc.repo.ts';
import { ObjectsRepo } from './objects.repo.ts';
import { type FlowSpan, SegmentsRepo } from './segments.repo.ts';
import { SettingsRepo } from './settings.repo.ts';
import { SourcesRepo } from './sources.repo.ts';
import { StoreHints } from './store.hints.ts';
import { retryConflicts } from './store.retry.ts';
import { T } from './tables.ts';
import { WebhooksRepo } from './webhooks.repo.ts';

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

/** The cache's view of Flows as segment scans want it (their envelope bounds the scan). */
function cachedSpans(view: CacheView): (flowId: string) => FlowSpan | null {
  return (flowId) => {
    if (view.deleting.has(flowId)) return { deleting: true };
    const flow = view.flows.get(flowId);
    if (!flow) return null;
    const range = flow.timerange;
    // No envelope known (none, or unbounded): the scan reads without bounds.
    if (range.isEmpty()) return { deleting: false };
    return { first: range.start ?? undefined, last: range.end ?? undefined, deleting: false };
  };
}

/**
 * How a feature opens its repositories on a session (TamsStore.repos): one constant per feature,
 * the key its repositories are kept under.
 */
export interface RepoSet<R> {
  open(session: DbSession): R;
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
 * manager only. `transaction` hands out a store bound to one transaction; inside it, nested
 * calls join the same transaction.
 *
 * With a StoreCache (the embedded engine, whose file one process owns), Flows, segment
 * timelines and unused allocations are read from memory; every write still goes to the database
 * first, and reaches the cache when its transaction commits.
 */
export class TamsStore {
  readonly settings: SettingsRepo;
  /** Guard rows: claims that make two replicas' conflicting transactions conflict at commit. */
  readonly guards: GuardsRepo;
  /** Leases of background jobs one replica at a time runs (media GC, allocation housekeeping). */
  readonly leases: LeasesRepo;
  readonly flows: FlowsStore;
  readonly sources: SourcesRepo;
  readonly segments: SegmentsStore;
  /** The segments' in-memory indexes where this store keeps them (with the cache); else undefined. */
  readonly segmentIndex: SegmentIndexLane | undefined;
  readonly objects: ObjectsRepo;
  /** The queue of bytes to delete from storage backends. */
  readonly mediaGc: MediaGcRepo;
  readonly deletions: DeletionsRepo;
  readonly events: EventsRepo;
  readonly webhooks: WebhooksRepo;
  /**
   * A feature's repositories over its own tables (src/<feature>/store/), on this store's
   * session: the root's, or the transaction's. Made on first use (most transactions never touch
   * them) and kept for the store's life, so the store names no feature.
   */
  repos<R>(set: RepoSet<R>): R {
    let made = this.featureRepos.get(set) as R | undefined;
    if (made === undefined) {
      made = set.open(this.session);
      this.featureRepos.set(set, made);
    }
    return made;
  }
  private readonly featureRepos = new Map<RepoSet<unknown>, unknown>();
  /** Rung after a transaction that recorded events has committed (StoreOpenOptions). */
  private eventsCommitted: Doorbell | undefined;
  /** The database repositories underneath, for loading the cache. */
  private readonly db: { flows: FlowsRepo; segments: SegmentsRepo; objects: ObjectsRepo };

  private constructor(
    private readonly session: DbSession,
    private readonly root: StoreDb | undefined,
    private readonly cache: StoreCache | undefined,
    view: CacheView | undefined,
    private readonly sequence: EventSequence = new LocalSequence(),
    /** The engine sorts and stops at the limit itself (segment windows need no ceiling). */
    private readonly ordered = root?.pushdown?.orderBy === true && root.pushdown.limit,
    private readonly hints = new StoreHints(),
  ) {
    const collections = new CollectionsRepo(session);
    const recordDeleted = (ids: readonly string[], at: Date) => this.events.append(objectsDeleted(ids, at));
    this.db = {
      flows: new FlowsRepo(session, collections),
      segments: new SegmentsRepo(session, ordered, hints.spacing, view && cachedSpans(view)),
      objects: new ObjectsRepo(session, recordDeleted),
    };
    this.settings = new SettingsRepo(session);
    this.guards = new GuardsRepo(session);
    this.leases = new LeasesRepo(session);
    this.mediaGc = new MediaGcRepo(session);
    this.deletions = new DeletionsRepo(session);
    this.events = new EventsRepo(
      session,
      sequence,
      () => {
        this.eventsRecorded = true;
      },
      root ? (fn) => this.transaction((tx) => fn(tx.events)) : undefined,
    );
    this.webhooks = new WebhooksRepo(session);
    if (view) {
      this.flows = new CachedFlows(this.db.flows, view);
      this.sources = new SourcesRepo(session, this.flows, new CachedCollections(view));
      const indexed = new IndexedSegments(this.db.segments, view);
      this.segments = indexed;
      this.segmentIndex = indexed;
      this.objects = new CachedObjects(session, view, recordDeleted);
    } else {
      this.flows = this.db.flows;
      this.sources = new SourcesRepo(session, this.flows, collections, hints);
      this.segments = this.db.segments;
      this.segmentIndex = undefined;
      this.objects = this.db.objects;
    }
  }

  /**
   * The store on a table manager; `cached` fills the in-memory cache first (only where one
   * process owns the database). `slots`: the database is shared with other processes, which
   * number events too (events.slots.ts); without it this process is the only writer.
   */
  static async open(db: StoreDb, options: StoreOpenOptions): Promise<TamsStore> {
    const sequence = options.slots ? new SlotSequence(options.slots) : new LocalSequence();
    const bell = options.eventsCommitted;
    if (!options.cached)
      return TamsStore.watching(new TamsStore(db, db, undefined, undefined, sequence), db, bell);
    const plain = new TamsStore(db, db, undefined, undefined, sequence);
    const cache = await StoreCache.load(plain.db, {
      ...options.cache,
      log: options.cache?.log ?? options.log,
    });
    const store = TamsStore.watching(new TamsStore(db, db, cache, cache.direct(), sequence), db, bell);
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
  private static watching(store: TamsStore, db: StoreDb, bell: Doorbell | undefined): TamsStore {
    store.eventsCommitted = bell;
    store.wakeAtCommit = !(
      db.watchCommits?.((tables) => {
        if (tables.has(T.events)) bell?.ring();
      }) ?? false
    );
    return store;
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
    return this.sequence instanceof SlotSequence ? this.sequence.held : undefined;
  }

  /**
   * Keeps this process's event slot, and the slots nobody holds, from holding readers back
   * (events.slots.ts); run every worker interval on a shared database. Returns whether it wrote.
   */
  async beatEventSlots(): Promise<boolean> {
    const { root, sequence } = this;
    if (!root || !(sequence instanceof SlotSequence)) return false;
    return sequence.beat(root, this.transact);
  }

  /** Before the database closes: gives up this process's event slot. */
  async close(): Promise<void> {
    const { root, sequence } = this;
    if (root && sequence instanceof SlotSequence) await sequence.release(this.transact);
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

  /** Set in a transaction's store when it recorded events. */
  private eventsRecorded = false;

  /**
   * Runs `fn` in one transaction, again on a fresh snapshot when its commit loses to another
   * transaction that changed the same rows first (retryConflicts): `fn` must keep its changes to
   * the database or to values it creates.
   */
  async transaction<R>(fn: (store: TamsStore) => Promise<R>): Promise<R> {
    const { root, sequence } = this;
    if (!root) return fn(this);
    let tx: TamsStore | undefined;
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
  private readonly transact: Transact = (fn) => retryConflicts(() => (this.root as StoreDb).transaction(fn));

  private async run<R>(fn: (store: TamsStore) => Promise<R>): Promise<R> {
    const root = this.root as StoreDb;
    const { cache } = this;
    let store: TamsStore | undefined;
    // Whether COMMIT went through: what comes after it may still throw, and the outbox's tail
    // must then still hold the transaction's events (EventsRepo.settle).
    let committed = false;
    if (!cache) {
      try {
        const result = await root.transaction(async (tx) => {
          store = new TamsStore(tx, undefined, undefined, undefined, this.sequence, this.ordered, this.hints);
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
        store = new TamsStore(tx, undefined, cache, view, this.sequence, this.ordered, this.hints);
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
