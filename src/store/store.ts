import type { DbSession } from '../db/db.types.ts';
import { CollectionsRepo } from './collections.repo.ts';
import { DeletionsRepo } from './deletions.repo.ts';
import { FlowsRepo } from './flows.repo.ts';
import { ObjectsRepo } from './objects.repo.ts';
import { SegmentsRepo } from './segments.repo.ts';
import { SettingsRepo } from './settings.repo.ts';
import { SourcesRepo } from './sources.repo.ts';

/** What the store needs from the table manager. */
export interface StoreDb extends DbSession {
  transaction<T>(fn: (tx: DbSession) => Promise<T>): Promise<T>;
}

/**
 * The TAMS persistence (the design documents call it VastStore), written against the table
 * manager only. `transaction` hands out a store bound to one transaction; inside it, nested
 * calls join the same transaction.
 */
export class TamsStore {
  readonly settings: SettingsRepo;
  readonly collections: CollectionsRepo;
  readonly flows: FlowsRepo;
  readonly sources: SourcesRepo;
  readonly segments: SegmentsRepo;
  readonly objects: ObjectsRepo;
  readonly deletions: DeletionsRepo;

  constructor(
    db: DbSession,
    private readonly root?: StoreDb,
  ) {
    this.settings = new SettingsRepo(db);
    this.collections = new CollectionsRepo(db);
    this.flows = new FlowsRepo(db, this.collections);
    this.sources = new SourcesRepo(db, this.flows, this.collections);
    this.segments = new SegmentsRepo(db);
    this.objects = new ObjectsRepo(db);
    this.deletions = new DeletionsRepo(db);
  }

  static open(db: StoreDb): TamsStore {
    return new TamsStore(db, db);
  }

  async transaction<R>(fn: (store: TamsStore) => Promise<R>): Promise<R> {
    if (!this.root) return fn(this);
    return this.root.transaction((tx) => fn(new TamsStore(tx)));
  }
}
