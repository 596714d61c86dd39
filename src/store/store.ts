import type { DbSession, Pushdown } from '../db/db.types.ts';
import { CachedCollections } from './cache/collections.cached.ts';
import { CachedFlows, type FlowsStore } from './cache/flows.cached.ts';
import { CachedObjects } from './cache/objects.cached.ts';
import { IndexedSegments, type SegmentsStore } from './cache/segments.indexed.ts';
import { type CacheLog, type CacheView, StoreCache } from './cache/store.cache.ts';
import { CollectionsRepo } from './collections.repo.ts';
import { DeletionsRepo } from './deletions.repo.ts';
import { EventSequence, EventsRepo } from './events.repo.ts';
import { FlowsRepo } from './flows.repo.ts';
import { GuardsRepo } from './guards.repo.ts';
import type { SegmentIndexStats } from './index/segment-index.registry.ts';
import { LeasesRepo } from './leases.repo.ts';
import { MediaGcRepo } from './media-gc.repo.ts';
import { ObjectsRepo } from './objects.repo.ts';
import { SegmentsRepo } from './segments.repo.ts';
import { SettingsRepo } from './settings.repo.ts';
import { SourcesRepo } from './sources.repo.ts';
import { StoreHints } from './store.hints.ts';
import { retryConflicts } from './store.retry.ts';
import { WebhooksRepo } from './webhooks.repo.ts';

/** What the store needs from the table manager. */
export interface StoreDb extends DbSession {
  transaction<T>(fn: (tx: DbSession) => Promise<T>): Promise<T>;
  /** What the engine pushes down besides predicates; none when absent (read bounded anyway). */
  readonly pushdown?: Pushdown;
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
  readonly objects: ObjectsRepo;
  /** The queue of bytes to delete from storage backends. */
  readonly mediaGc: MediaGcRepo;
  readonly deletions: DeletionsRepo;
  readonly events: EventsRepo;
  readonly webhooks: WebhooksRepo;
  /** Called after a transaction that recorded events has committed (wakes deliveries). */
  onEventsCommitted: (() => void) | undefined;
  /** The database repositories underneath, for loading the cache. */
  private readonly db: { flows: FlowsRepo; segments: SegmentsRepo; objects: ObjectsRepo };

  private constructor(
    session: DbSession,
    private readonly root: StoreDb | undefined,
    private readonly cache: StoreCache | undefined,
    view: CacheView | undefined,
    private readonly sequence: EventSequence = new EventSequence(),
    /** The engine sorts and stops at the limit itself (segment windows need no ceiling). */
    private readonly ordered = root?.pushdown?.orderBy === true && root.pushdown.limit,
    private readonly hints = new StoreHints(),
  ) {
    const collections = new CollectionsRepo(session);
    this.db = {
      flows: new FlowsRepo(session, collections),
      segments: new SegmentsRepo(session, ordered, hints.spacing),
      objects: new ObjectsRepo(session),
    };
    this.settings = new SettingsRepo(session);
    this.guards = new GuardsRepo(session);
    this.leases = new LeasesRepo(session);
    this.mediaGc = new MediaGcRepo(session);
    this.deletions = new DeletionsRepo(session);
    this.events = new EventsRepo(session, sequence, () => {
      this.eventsRecorded = true;
    });
    this.webhooks = new WebhooksRepo(session);
    if (view) {
      this.flows = new CachedFlows(this.db.flows, view);
      this.sources = new SourcesRepo(session, this.flows, new CachedCollections(view));
      this.segments = new IndexedSegments(this.db.segments, view);
      this.objects = new CachedObjects(session, view);
    } else {
      this.flows = this.db.flows;
      this.sources = new SourcesRepo(session, this.flows, collections, hints);
      this.segments = this.db.segments;
      this.objects = this.db.objects;
    }
  }

  /**
   * The store on a table manager; `cached` fills the in-memory cache first (only where one
   * process owns the database).
   */
  static async open(db: StoreDb, options: { cached: boolean }): Promise<TamsStore> {
    if (!options.cached) return new TamsStore(db, db, undefined, undefined);
    const plain = new TamsStore(db, db, undefined, undefined);
    const cache = await StoreCache.load(plain.db);
    return new TamsStore(db, db, cache, cache.direct());
  }

  get cached(): boolean {
    return this.cache !== undefined;
  }

  /** Loads every Flow's segment index in the background (embedded engine only). */
  async preloadSegments(log: CacheLog): Promise<void> {
    await this.cache?.preloadSegments(this.db, log);
  }

  /** Whether the segment index preload is still running (readiness waits for it). */
  get segmentIndexLoading(): boolean {
    return this.cache?.preload !== undefined;
  }

  /** Sizes of the in-memory segment index (metrics); undefined without a cache. */
  segmentIndexStats(): SegmentIndexStats | undefined {
    return this.cache?.segments.stats();
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
    const { root } = this;
    if (!root) return fn(this);
    return retryConflicts(async () => {
      let tx: TamsStore | undefined;
      const result = await this.run((store) => {
        tx = store;
        return fn(store);
      });
      if (tx?.eventsRecorded) this.onEventsCommitted?.();
      return result;
    });
  }

  private async run<R>(fn: (store: TamsStore) => Promise<R>): Promise<R> {
    const root = this.root as StoreDb;
    const { cache } = this;
    if (!cache) {
      return root.transaction((tx) =>
        fn(new TamsStore(tx, undefined, undefined, undefined, this.sequence, this.ordered, this.hints)),
      );
    }
    let applied = false;
    try {
      return await root.transaction(async (tx) => {
        const view = cache.begin();
        const result = await fn(
          new TamsStore(tx, undefined, cache, view, this.sequence, this.ordered, this.hints),
        );
        // Writers are serialised: applying before COMMIT means the next transaction sees it.
        applied = true;
        view.commit();
        return result;
      });
    } catch (error) {
      // The COMMIT itself failed after the cache took the changes: the cache no longer matches
      // the database, so it is rebuilt from it.
      if (applied) await cache.rebuild(this.db);
      throw error;
    }
  }
}
