import type { DbSession } from '../db/db.types.ts';
import { CachedCollections } from './cache/collections.cached.ts';
import { CachedFlows } from './cache/flows.cached.ts';
import { CachedInstances } from './cache/instances.cached.ts';
import { CachedObjects } from './cache/objects.cached.ts';
import { IndexedSegments } from './cache/segments.indexed.ts';
import type { CacheView } from './cache/store.cache.ts';
import { CollectionsRepo } from './collections.repo.ts';
import { DeletionsRepo } from './deletions.repo.ts';
import { EventsRepo } from './events.repo.ts';
import type { EventSequence } from './events.sequence.ts';
import { objectsDeleted } from './events.types.ts';
import { FlowsRepo } from './flows.repo.ts';
import type { FlowsStore } from './flows.types.ts';
import { GuardsRepo } from './guards.repo.ts';
import { LeasesRepo } from './leases.repo.ts';
import { MediaGcRepo } from './media-gc.repo.ts';
import { ObjectInstances } from './objects/instances.table.ts';
import { ObjectsRepo } from './objects.repo.ts';
import { ProfilesRepo } from './profiles.repo.ts';
import { type FlowSpan, SegmentsRepo } from './segments.repo.ts';
import type { SegmentsStore } from './segments.types.ts';
import { SettingsRepo } from './settings.repo.ts';
import { SourcesRepo } from './sources.repo.ts';
import type { StoreHints } from './store.hints.ts';
import { WebhooksRepo } from './webhooks.repo.ts';

/**
 * How a feature opens its repositories on a session (StoreSession.repos): one constant per
 * feature, the key its repositories are kept under.
 */
export interface RepoSet<R> {
  open(session: DbSession): R;
}

/** What a root store and every transaction it runs share. */
export interface StoreParts {
  readonly sequence: EventSequence;
  /** The engine sorts and stops at the limit itself (segment windows need no ceiling). */
  readonly ordered: boolean;
  readonly hints: StoreHints;
}

/** What a StoreSession's repositories are built on. */
export interface SessionOptions {
  /** The table manager (the root store) or one of its transactions. */
  session: DbSession;
  parts: StoreParts;
  /** With the cache: its view, which Flows, segments and unused allocations are read from. */
  view?: CacheView;
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
 * The store's repositories on one database session: what the root store (TamsStore, outside a
 * transaction) and a transaction's view of it (StoreTx) both are. Code that works either way
 * takes a StoreSession; `transaction` on it runs a new transaction on the root and joins the
 * running one on a StoreTx.
 */
export abstract class StoreSession {
  readonly settings: SettingsRepo;
  /** Guard rows: claims that make two replicas' conflicting transactions conflict at commit. */
  readonly guards: GuardsRepo;
  /** Leases of background jobs one replica at a time runs (media GC, allocation housekeeping). */
  readonly leases: LeasesRepo;
  readonly flows: FlowsStore;
  readonly sources: SourcesRepo;
  readonly segments: SegmentsStore;
  readonly objects: ObjectsRepo;
  /** Object instances (TAMS 8.2): client URLs and the server's copies of objects. */
  readonly instances: ObjectInstances;
  /** The queue of bytes to delete from storage backends. */
  readonly mediaGc: MediaGcRepo;
  readonly deletions: DeletionsRepo;
  readonly events: EventsRepo;
  readonly webhooks: WebhooksRepo;
  /** Flow Profiles (TAMS 8.2): written once, read by id or listed. */
  readonly profiles: ProfilesRepo;
  /** The segments' in-memory indexes where this store keeps them (with the cache); else undefined. */
  protected readonly indexed: IndexedSegments | undefined;
  /** The database repositories underneath the cached ones (the root loads the cache from them). */
  protected readonly db: {
    flows: FlowsRepo;
    segments: SegmentsRepo;
    objects: ObjectsRepo;
    instances: ObjectInstances;
  };
  private readonly session: DbSession;
  private readonly featureRepos = new Map<RepoSet<unknown>, unknown>();

  /**
   * Runs `fn` in a transaction: on the root store a new one (run again on a fresh snapshot when
   * its commit loses to another, see TamsStore.transaction), on a StoreTx the one it is of.
   */
  abstract transaction<R>(fn: (tx: StoreTx) => Promise<R>): Promise<R>;

  /** Called as the events repository records events (a transaction's view notes it). */
  protected eventsAppended(): void {}

  protected constructor({ session, parts, view }: SessionOptions, outsideTransaction: boolean) {
    this.session = session;
    const { sequence, ordered, hints } = parts;
    const collections = new CollectionsRepo(session);
    const recordDeleted = (ids: readonly string[], at: Date) => this.events.append(objectsDeleted(ids, at));
    const instances = new ObjectInstances(session);
    this.instances = view ? new CachedInstances(session, view) : instances;
    this.db = {
      flows: new FlowsRepo(session, collections),
      segments: new SegmentsRepo(session, ordered, hints.spacing, view && cachedSpans(view)),
      objects: new ObjectsRepo(session, recordDeleted, instances),
      instances,
    };
    this.settings = new SettingsRepo(session);
    this.guards = new GuardsRepo(session);
    this.leases = new LeasesRepo(session);
    this.mediaGc = new MediaGcRepo(session);
    this.deletions = new DeletionsRepo(session);
    this.profiles = new ProfilesRepo(session);
    this.events = new EventsRepo(
      session,
      sequence,
      () => this.eventsAppended(),
      outsideTransaction ? (fn) => this.transaction((tx) => fn(tx.events)) : undefined,
    );
    this.webhooks = new WebhooksRepo(session);
    if (view) {
      this.flows = new CachedFlows(this.db.flows, view);
      this.sources = new SourcesRepo(session, this.flows, new CachedCollections(view));
      this.indexed = new IndexedSegments(this.db.segments, view);
      this.segments = this.indexed;
      this.objects = new CachedObjects(session, view, recordDeleted, this.instances);
    } else {
      this.flows = this.db.flows;
      this.sources = new SourcesRepo(session, this.flows, collections, hints);
      this.segments = this.db.segments;
      this.indexed = undefined;
      this.objects = this.db.objects;
    }
  }

  /**
   * A feature's repositories over its own tables (src/<feature>/store/), on this session: the
   * root's, or the transaction's. Made on first use (most transactions never touch them) and
   * kept for the session's life, so the store names no feature.
   */
  repos<R>(set: RepoSet<R>): R {
    let made = this.featureRepos.get(set) as R | undefined;
    if (made === undefined) {
      made = set.open(this.session);
      this.featureRepos.set(set, made);
    }
    return made;
  }
}

/**
 * What a `transaction(fn)` callback gets: the store's repositories on that one transaction.
 * Made by the root store for each run of the transaction (TamsStore.transaction); its own
 * `transaction` joins the same transaction.
 */
export class StoreTx extends StoreSession {
  constructor(options: SessionOptions) {
    super(options, false);
  }

  /** Whether this transaction recorded events (the root wakes the outbox's readers after commit). */
  get eventsRecorded(): boolean {
    return this.recorded;
  }

  private recorded = false;

  protected override eventsAppended(): void {
    this.recorded = true;
  }

  transaction<R>(fn: (tx: StoreTx) => Promise<R>): Promise<R> {
    return fn(this);
  }
}
