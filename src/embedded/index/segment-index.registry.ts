import type { SegmentRecord } from '../../store/segments.repo.ts';
import { FlowSegmentIndex } from './segment-index.flow.ts';
import { applyOps, replayOps, type SegmentOp } from './segment-index.replay.ts';
import { StorageIds } from './segment-index.storage-ids.ts';

export interface SegmentIndexStats {
  /** Flows whose index is loaded. */
  flows: number;
  /** Flows whose index is being loaded. */
  loading: number;
  segments: number;
  /** Estimated bytes held by the loaded indexes. */
  bytes: number;
  /** What they may hold together (the memory budget); undefined without one. */
  budget: number | undefined;
  storageIds: number;
  /** Indexes dropped to stay within the budget, since start. */
  evictions: number;
  /** Indexes loaded from the database, since start. */
  loads: number;
  /** Time spent reading them (reads of several Flows counted once). */
  loadSeconds: number;
  loadFailures: number;
  /** Lookups (get) of Flows not loaded: the store reads those from the database. */
  databaseReads: number;
  /** Loads that started from a snapshot (the rest scanned the segments table). */
  snapshotLoads: number;
  /** Flows written since their snapshot was taken (or without one). */
  unsaved: number;
}

/**
 * Reads several Flows' segments at once, reporting each Flow once: all its segments, or with
 * `base` (its snapshot) the segments written since, which may repeat some the snapshot holds.
 */
export type BatchReader = (
  flowIds: readonly string[],
  onFlow: (flowId: string, segments: SegmentRecord[], base?: FlowSegmentIndex) => void,
) => Promise<void>;

/**
 * Takes a snapshot of the index as it is now (it is committed state: see save), to be written
 * behind; false when it cannot now. `failed` is called if the snapshot is not written after all.
 */
export type Saver = (flowId: string, index: FlowSegmentIndex, failed: () => void) => boolean;

/** Rows changed since the snapshot after which an index is saved again: bounds a load's tail. */
const SAVE_AFTER_ROWS = 4096;
/** Rows changed below which an evicted index is not saved again (see evict). */
const MIN_SAVE_ROWS = 64;
/** Stands for "no snapshot of this index exists": saved as soon as it may be. */
const NEVER_SAVED = Number.MAX_SAFE_INTEGER;

interface Entry {
  index: FlowSegmentIndex;
  /** Its memoryBytes() when last measured (the registry keeps the sum). */
  bytes: number;
  /** Segment rows written since its snapshot (NEVER_SAVED: none exists). */
  changes: number;
  /**
   * Its load read rows after its snapshot: every later load would read them again (a query of
   * the segments table) until the file has them, so it is saved when dropped, however few.
   */
  tail: boolean;
}

interface Load {
  /** Writes committed (or committing) since the load began: replayed on what the read returns. */
  readonly ops: SegmentOp[];
  /** The Flow was dropped meanwhile: the load answers its callers but is not kept. */
  dropped: boolean;
  readonly promise: Promise<FlowSegmentIndex>;
  resolve(index: FlowSegmentIndex): void;
  reject(error: unknown): void;
}

/**
 * The per-Flow segment indexes of one store process, within a memory budget: loaded on use,
 * least recently used ones dropped when the estimated total passes the budget. Correct only while
 * this process is the only writer of the database (the embedded engine): the store applies each
 * committed write here, and a Flow not loaded is read from the database, which has every write.
 * No database code: the store passes readers.
 *
 * A load's read and the writes committed meanwhile may come in either order, so every write from
 * the load's start on (those of a transaction still committing included, see `settled`) is
 * logged and replayed on what the read returned (replayOps): the load is kept even for a Flow
 * written all the time, which a live Flow is.
 */
export class SegmentIndex {
  readonly storageIds: StorageIds;
  readonly budget: number | undefined;
  /** In use order: the first entry is the least recently used. */
  private readonly loaded = new Map<string, Entry>();
  private readonly loading = new Map<string, Load>();
  /** Per transaction, its writes applied here and not yet committed in the database (see settled). */
  private readonly committing = new Map<object, Map<string, SegmentOp[]>>();
  /** Flows whose index alone is larger than the budget: read from the database, never loaded. */
  private readonly oversized = new Set<string>();
  private held = 0;
  private evictions = 0;
  private loads = 0;
  private loadSeconds = 0;
  private loadFailures = 0;
  private misses = 0;
  private snapshotLoads = 0;
  /** The last write sequence handed out (see writeSeq). */
  private lastSeq = 0n;
  /** Per transaction, the write sequence its segment rows carry, until settled. */
  private readonly openSeqs = new Map<object, bigint>();
  /** Flows written since their snapshot was taken, loaded or not (see unsavedFlows). */
  private readonly unsaved = new Set<string>();

  private readonly onLoad: ((flowId: string, index: FlowSegmentIndex) => void) | undefined;
  private readonly saver: Saver | undefined;
  private readonly onSnapshotFailed: ((flowId: string) => void) | undefined;
  private readonly hasSnapshot: (flowId: string) => boolean;

  constructor(
    options: {
      budgetBytes?: number;
      storageIds?: StorageIds;
      /** Called with each index a load built, before it is kept (e.g. to check what it implies). */
      onLoad?: (flowId: string, index: FlowSegmentIndex) => void;
      /** Takes snapshots of indexes: on eviction, after enough writes, when loaded by a scan. */
      saver?: Saver;
      /** Whether the Flow has a snapshot (a deletion removes it): one without is saved on eviction. */
      hasSnapshot?: (flowId: string) => boolean;
      /** A load from a snapshot failed: the snapshot is not to be used again. */
      onSnapshotFailed?: (flowId: string) => void;
    } = {},
  ) {
    this.storageIds = options.storageIds ?? new StorageIds();
    this.budget = options.budgetBytes;
    this.onLoad = options.onLoad;
    this.saver = options.saver;
    this.onSnapshotFailed = options.onSnapshotFailed;
    this.hasSnapshot = options.hasSnapshot ?? (() => false);
  }

  /** Sets the last write sequence in the database (at start; see writeSeq). */
  startSeq(last: bigint): void {
    if (last > this.lastSeq) this.lastSeq = last;
  }

  /**
   * The write sequence of the segment rows `transaction` inserts: one per transaction, each
   * higher than the last, so a snapshot current to sequence S misses only rows above S.
   */
  writeSeq(transaction: object): bigint {
    let seq = this.openSeqs.get(transaction);
    if (seq === undefined) {
      this.lastSeq += 1n;
      seq = this.lastSeq;
      this.openSeqs.set(transaction, seq);
    }
    return seq;
  }

  /**
   * The highest sequence S such that every transaction holding a sequence up to S has settled:
   * its writes are in the loaded indexes, and in the database if it committed. A snapshot taken
   * now is current to S.
   */
  stableSeq(): bigint {
    let stable = this.lastSeq;
    for (const seq of this.openSeqs.values()) if (seq - 1n < stable) stable = seq - 1n;
    return stable;
  }

  /** Flows written since their snapshot was taken (or without one), loaded or not. */
  unsavedFlows(): ReadonlySet<string> {
    return this.unsaved;
  }

  /** A snapshot taken did not get written: the Flow counts as written since its last one. */
  unsavedAgain(flowId: string): void {
    this.unsaved.add(flowId);
  }

  /** Takes a snapshot of every loaded index written since its last one (a clean stop). */
  saveAll(): void {
    for (const [flowId, entry] of this.loaded) if (entry.changes > 0) this.save(flowId, entry);
  }

  /** The Flow's index if loaded, marked as just used (a miss is counted: see databaseReads). */
  get(flowId: string): FlowSegmentIndex | undefined {
    const entry = this.loaded.get(flowId);
    if (!entry) {
      this.misses++;
      return undefined;
    }
    this.loaded.delete(flowId);
    this.loaded.set(flowId, entry);
    return entry.index;
  }

  /** The Flow's index if loaded, leaving the use order as it is. */
  peek(flowId: string): FlowSegmentIndex | undefined {
    return this.loaded.get(flowId)?.index;
  }

  /** Whether a load of the Flow would be worth starting: not loaded, not loading, fits the budget. */
  wants(flowId: string): boolean {
    return !this.loaded.has(flowId) && !this.loading.has(flowId) && !this.oversized.has(flowId);
  }

  /**
   * The Flow's index, loading it with `loader` (all the Flow's segments) if need be; concurrent
   * callers share one load. The index answers the callers even when the budget (or a drop of
   * the Flow meanwhile) does not let the registry keep it.
   */
  load(flowId: string, loader: () => Promise<SegmentRecord[]>): Promise<FlowSegmentIndex> {
    const ready = this.loaded.get(flowId);
    if (ready) return Promise.resolve(this.get(flowId) ?? ready.index);
    const pending = this.loading.get(flowId);
    if (pending) return pending.promise;
    const load = this.begin(flowId);
    const started = performance.now();
    Promise.resolve()
      .then(loader)
      .then(
        (records) => {
          this.loadSeconds += (performance.now() - started) / 1000;
          this.finish(flowId, load, records);
        },
        (error: unknown) => this.fail(flowId, load, error),
      );
    return load.promise;
  }

  /**
   * Loads the Flows among `flowIds` that want it (see wants) with one read. Flows the read does
   * not report have no segments. Resolves once every one is settled (loaded or failed); returns
   * how many were loaded.
   */
  async loadMany(flowIds: readonly string[], read: BatchReader): Promise<number> {
    const loads = new Map<string, Load>();
    for (const flowId of new Set(flowIds)) if (this.wants(flowId)) loads.set(flowId, this.begin(flowId));
    if (loads.size === 0) return 0;
    const started = performance.now();
    let count = 0;
    try {
      await read([...loads.keys()], (flowId, segments, base) => {
        const load = loads.get(flowId);
        if (!load) return;
        loads.delete(flowId);
        if (this.finish(flowId, load, segments, base)) count++;
      });
      for (const [flowId, load] of loads) if (this.finish(flowId, load, [])) count++;
    } catch (error) {
      for (const [flowId, load] of loads) this.fail(flowId, load, error);
    } finally {
      this.loadSeconds += (performance.now() - started) / 1000;
    }
    return count;
  }

  /** An index of these segments of the Flow, not kept here (see SegmentSnapshots.backfill). */
  build(flowId: string, records: readonly SegmentRecord[]): FlowSegmentIndex {
    return FlowSegmentIndex.from(flowId, records, this.storageIds);
  }

  /** Sets a Flow's index, e.g. one built by hand; a load in flight is not kept. */
  set(flowId: string, index: FlowSegmentIndex): void {
    if (index.flowId !== flowId) throw new Error(`index of Flow ${index.flowId} set for Flow ${flowId}`);
    this.forgetLoad(flowId);
    this.oversized.delete(flowId);
    this.remove(flowId);
    this.keep(flowId, index);
  }

  /**
   * Brings the Flow's index in step with a write: applies it to a loaded index and logs it for a
   * load in flight. `transaction`: the write is applied before that transaction's COMMIT, so a
   * load beginning before the COMMIT ends replays it too, until settled(transaction). If applying
   * fails (the index disagreed with the database), the index is dropped, to be loaded again, and
   * the error returned for the caller to log: the write itself stands.
   */
  afterWrite(flowId: string, ops: readonly SegmentOp[], transaction?: object): unknown {
    if (ops.length === 0) return undefined;
    this.unsaved.add(flowId);
    this.loading.get(flowId)?.ops.push(...ops);
    if (transaction) {
      let logs = this.committing.get(transaction);
      if (!logs) {
        logs = new Map();
        this.committing.set(transaction, logs);
      }
      const log = logs.get(flowId);
      if (log) log.push(...ops);
      else logs.set(flowId, [...ops]);
    }
    const entry = this.loaded.get(flowId);
    if (!entry) return undefined;
    try {
      applyOps(entry.index, ops);
    } catch (error) {
      this.remove(flowId);
      return error ?? new Error('applying a write to the segment index failed');
    }
    // A Flow being written is in use: it goes to the back of the eviction order.
    this.loaded.delete(flowId);
    this.loaded.set(flowId, entry);
    const bytes = entry.index.memoryBytes();
    this.held += bytes - entry.bytes;
    entry.bytes = bytes;
    entry.changes = Math.min(NEVER_SAVED, entry.changes + rowsOf(ops));
    this.evict();
    if (entry.changes >= SAVE_AFTER_ROWS && this.loaded.get(flowId) === entry) this.save(flowId, entry);
    return undefined;
  }

  /**
   * The transaction whose writes were applied before its COMMIT has committed (or failed): its
   * write sequence is released (see stableSeq).
   */
  settled(transaction: object): void {
    this.committing.delete(transaction);
    this.openSeqs.delete(transaction);
  }

  /** Forgets the Flow's index (and any load in flight), e.g. when the Flow is deleted. */
  drop(flowId: string): void {
    this.forgetLoad(flowId);
    this.oversized.delete(flowId);
    this.unsaved.delete(flowId);
    this.remove(flowId);
  }

  dropAll(): void {
    for (const flowId of [...this.loading.keys()]) this.forgetLoad(flowId);
    this.loaded.clear();
    this.committing.clear();
    this.oversized.clear();
    this.held = 0;
  }

  /** The Flows loaded, least recently used first. */
  loadedFlows(): string[] {
    return [...this.loaded.keys()];
  }

  memoryBytes(): number {
    return this.held;
  }

  stats(): SegmentIndexStats {
    let segments = 0;
    for (const { index } of this.loaded.values()) segments += index.size;
    return {
      flows: this.loaded.size,
      loading: this.loading.size,
      segments,
      bytes: this.held,
      budget: this.budget,
      storageIds: this.storageIds.size,
      evictions: this.evictions,
      loads: this.loads,
      loadSeconds: this.loadSeconds,
      loadFailures: this.loadFailures,
      databaseReads: this.misses,
      snapshotLoads: this.snapshotLoads,
      unsaved: this.unsaved.size,
    };
  }

  private begin(flowId: string): Load {
    let resolve!: (index: FlowSegmentIndex) => void;
    let reject!: (error: unknown) => void;
    const promise = new Promise<FlowSegmentIndex>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    // A background load nobody awaits must not fail the process when it rejects.
    promise.catch(() => undefined);
    const ops: SegmentOp[] = [];
    for (const logs of this.committing.values()) ops.push(...(logs.get(flowId) ?? []));
    const load: Load = { ops, dropped: false, promise, resolve, reject };
    this.loading.set(flowId, load);
    return load;
  }

  /**
   * Builds the index from the read (its snapshot `base` and the rows written since, or all the
   * Flow's rows), replays the log, keeps it if it may; whether it was kept.
   */
  private finish(
    flowId: string,
    load: Load,
    records: readonly SegmentRecord[],
    base?: FlowSegmentIndex,
  ): boolean {
    if (this.loading.get(flowId) === load) this.loading.delete(flowId);
    let index: FlowSegmentIndex;
    try {
      if (base) base.upsert(records);
      index = base ?? FlowSegmentIndex.from(flowId, records, this.storageIds);
      replayOps(index, load.ops);
    } catch (error) {
      this.loadFailures++;
      if (base) this.onSnapshotFailed?.(flowId);
      load.reject(error);
      return false;
    }
    this.loads++;
    if (base) this.snapshotLoads++;
    load.resolve(index);
    if (load.dropped) return false;
    this.onLoad?.(flowId, index);
    const changes = base ? records.length + rowsOf(load.ops) : NEVER_SAVED;
    this.keep(flowId, index, changes, base !== undefined && changes > 0);
    const entry = this.loaded.get(flowId);
    if (entry && entry.changes >= SAVE_AFTER_ROWS) this.save(flowId, entry);
    return entry !== undefined;
  }

  /**
   * Takes a snapshot of the entry if nothing uncommitted is in it: writes applied before their
   * COMMIT (committing) would be in the snapshot even if that COMMIT failed.
   */
  private save(flowId: string, entry: Entry): void {
    if (!this.saver) return;
    for (const logs of this.committing.values()) if (logs.has(flowId)) return;
    if (!this.saver(flowId, entry.index, () => this.unsavedAgain(flowId))) return;
    entry.changes = 0;
    entry.tail = false;
    this.unsaved.delete(flowId);
  }

  private fail(flowId: string, load: Load, error: unknown): void {
    if (this.loading.get(flowId) === load) this.loading.delete(flowId);
    this.loadFailures++;
    load.reject(error);
  }

  private keep(flowId: string, index: FlowSegmentIndex, changes = NEVER_SAVED, tail = false): void {
    const bytes = index.memoryBytes();
    this.loaded.set(flowId, { index, bytes, changes, tail });
    this.held += bytes;
    this.evict();
    if (!this.loaded.has(flowId)) this.oversized.add(flowId);
  }

  /** Drops least recently used indexes until the total is within the budget. */
  private evict(): void {
    if (this.budget === undefined) return;
    for (const [flowId, entry] of this.loaded) {
      if (this.held <= this.budget) return;
      // Written much since its snapshot (or never saved, or loaded with rows after it): saved
      // now. A few writes while it was loaded are not worth rewriting the whole file for (at
      // 100M, 350 KB a Flow): its next load reads them after the file, found by their sequence,
      // and that load's drop saves it.
      const many = entry.changes >= Math.min(SAVE_AFTER_ROWS, Math.max(MIN_SAVE_ROWS, entry.index.size / 16));
      if (entry.changes > 0 && (many || entry.tail || !this.hasSnapshot(flowId))) this.save(flowId, entry);
      this.remove(flowId);
      this.evictions++;
    }
  }

  private remove(flowId: string): void {
    const entry = this.loaded.get(flowId);
    if (!entry) return;
    this.loaded.delete(flowId);
    this.held -= entry.bytes;
  }

  private forgetLoad(flowId: string): void {
    const load = this.loading.get(flowId);
    if (!load) return;
    load.dropped = true;
    // Later callers start a fresh load, which reads after the drop.
    this.loading.delete(flowId);
  }
}

function rowsOf(ops: readonly SegmentOp[]): number {
  let rows = 0;
  for (const op of ops) rows += 'insert' in op ? op.insert.length : op.remove.length;
  return rows;
}
