import type { Doorbell } from '../common/doorbell.ts';
import type { DbSession, Pushdown } from '../db/db.types.ts';
import { LocalSequence } from './outbox/events.sequence.ts';
import { type SlotOptions, SlotSequence, type Transact } from './outbox/events.slots.ts';
import { StoreHints } from './store.hints.ts';
import type { StoreLayer } from './store.layer.ts';
import { retryConflicts } from './store.retry.ts';
import { type StoreParts, StoreSession, StoreTx } from './store.session.ts';
import { T } from './tables.ts';

export { type RepoSet, StoreSession, StoreTx } from './store.session.ts';

export interface StoreOpenOptions {
  /** The database is shared with other processes, which number events too (outbox/events.slots.ts). */
  slots?: SlotOptions;
  /**
   * A layer over the core repositories (store.layer.ts), made from the core store on the same
   * database (what it loads from and writes behind through): only where one process owns the
   * database. None: the core store alone, as on every shared engine.
   */
  layer?: (core: TamsStore) => Promise<StoreLayer>;
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
 * callback. It owns what outlives transactions: the event slot, and the layer if one is composed
 * over it (StoreOpenOptions.layer), whose hooks each transaction calls.
 */
export class TamsStore extends StoreSession {
  private constructor(
    private readonly root: StoreDb,
    private readonly parts: StoreParts,
    private readonly layer?: StoreLayer,
    /** Rung after a transaction that recorded events has committed (StoreOpenOptions). */
    private readonly eventsCommitted?: Doorbell,
  ) {
    super({ session: root, parts, layer: layer?.direct() }, true);
  }

  /**
   * The store on a table manager. `slots`: the database is shared with other processes, which
   * number events too (outbox/events.slots.ts); without it this process is the only writer. `layer`:
   * made from the core store first, then composed over it.
   */
  static async open(db: StoreDb, options: StoreOpenOptions = {}): Promise<TamsStore> {
    const parts: StoreParts = {
      sequence: options.slots ? new SlotSequence(options.slots) : new LocalSequence(),
      ordered: db.pushdown?.orderBy === true && db.pushdown.limit,
      hints: new StoreHints(),
    };
    const bell = options.eventsCommitted;
    const layer = options.layer && (await options.layer(new TamsStore(db, parts)));
    return TamsStore.watching(new TamsStore(db, parts, layer, bell), db);
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

  /** Whether transactions that recorded events wake the outbox's readers (see `watching`). */
  private wakeAtCommit = true;

  /** The event slot this process numbers in (shared databases; undefined until its first write). */
  get eventSlot(): number | undefined {
    const { sequence } = this.parts;
    return sequence instanceof SlotSequence ? sequence.held : undefined;
  }

  /**
   * Keeps this process's event slot, and the slots nobody holds, from holding readers back
   * (outbox/events.slots.ts); run every worker interval on a shared database. Returns whether it wrote.
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

  /** Whether a layer is composed over the core store (StoreOpenOptions.layer). */
  get layered(): boolean {
    return this.layer !== undefined;
  }

  /** A cheap query: the database answers (readiness). */
  async ping(): Promise<void> {
    await this.settings.get('readiness.ping');
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
    const { root, parts } = this;
    let store: StoreTx | undefined;
    let layer: ReturnType<StoreLayer['begin']> | undefined;
    // Whether COMMIT went through: what comes after it may still throw, and the outbox's tail
    // must then still hold the transaction's events (EventsRepo.settle).
    let committed = false;
    try {
      const result = await root.transaction(async (tx) => {
        layer = this.layer?.begin();
        store = new StoreTx({ session: tx, parts, layer });
        // Beside the transaction's first reads; nothing of it may be under way at its commit.
        const read = store.events.prefetch();
        const result = await fn(store);
        await read?.catch(() => undefined);
        layer?.beforeCommit();
        return result;
      });
      committed = true;
      store?.events.settle(true);
      layer?.committed();
      return result;
    } catch (error) {
      if (!committed) store?.events.settle(false);
      await layer?.failed();
      throw error;
    }
  }
}
