import type { DbSession } from '../db/db.types.ts';
import { CollectionsRepo } from './collections.repo.ts';
import { DeletionsRepo } from './deletions.repo.ts';
import { FlowsRepo } from './flows.repo.ts';
import type { FlowsStore } from './flows.types.ts';
import { GuardsRepo } from './guards.repo.ts';
import { LeasesRepo } from './leases.repo.ts';
import { MediaGcRepo } from './media-gc.repo.ts';
import { type InstancesStore, ObjectInstances } from './objects/instances.table.ts';
import { ObjectsRepo, type ObjectsStore } from './objects.repo.ts';
import { EventsRepo } from './outbox/events.repo.ts';
import type { EventSequence } from './outbox/events.sequence.ts';
import { objectsDeleted } from './outbox/events.types.ts';
import { ProfilesRepo } from './profiles.repo.ts';
import { SegmentsRepo } from './segments.repo.ts';
import type { SegmentsStore } from './segments.types.ts';
import { SettingsRepo } from './settings.repo.ts';
import { SourcesRepo } from './sources.repo.ts';
import type { StoreHints } from './store.hints.ts';
import type { CoreRepos, LayeredRepos, SessionLayer } from './store.layer.ts';
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
  /** A layer over the core repositories (store.layer.ts), as this session sees it; none: the core alone. */
  layer?: SessionLayer;
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
  readonly objects: ObjectsStore;
  /** Object instances (TAMS 8.2): client URLs and the server's copies of objects. */
  readonly instances: InstancesStore;
  /** The queue of bytes to delete from storage backends. */
  readonly mediaGc: MediaGcRepo;
  readonly deletions: DeletionsRepo;
  readonly events: EventsRepo;
  readonly webhooks: WebhooksRepo;
  /** Flow Profiles (TAMS 8.2): written once, read by id or listed. */
  readonly profiles: ProfilesRepo;
  /**
   * The core repositories under the layer, if any: for the layer itself (what it loads from and
   * writes behind through). Everything else uses the session's own, which are these without one.
   */
  readonly core: CoreRepos;
  private readonly session: DbSession;
  private readonly featureRepos = new Map<RepoSet<unknown>, unknown>();

  /**
   * Runs `fn` in a transaction: on the root store a new one (run again on a fresh snapshot when
   * its commit loses to another, see TamsStore.transaction), on a StoreTx the one it is of.
   */
  abstract transaction<R>(fn: (tx: StoreTx) => Promise<R>): Promise<R>;

  /** Called as the events repository records events (a transaction's view notes it). */
  protected eventsAppended(): void {}

  protected constructor({ session, parts, layer }: SessionOptions, outsideTransaction: boolean) {
    this.session = session;
    const { sequence, ordered, hints } = parts;
    const recordDeleted = (ids: readonly string[], at: Date) => this.events.append(objectsDeleted(ids, at));
    const collections = new CollectionsRepo(session);
    // The objects' instances go with them through whichever repository answers for the session.
    const dropper = { dropObjects: (ids: readonly string[]) => this.instances.dropObjects(ids) };
    this.core = {
      flows: new FlowsRepo(session, collections),
      collections,
      segments: new SegmentsRepo(session, ordered, hints.spacing, layer?.spans),
      objects: new ObjectsRepo(session, recordDeleted, dropper),
      instances: new ObjectInstances(session),
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
    const own: LayeredRepos = layer?.repos(this.core) ?? this.core;
    this.flows = own.flows;
    this.segments = own.segments;
    this.objects = own.objects;
    this.instances = own.instances;
    // The hints stand in for reads only where the core answers (a layer answers from memory).
    this.sources = new SourcesRepo(session, this.flows, own.collections, layer ? undefined : hints);
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
