import type { AllocationState } from '../../store/objects.repo.ts';
import type { CollectionItem, FlowRecord } from '../../store/store.types.ts';
import { TimeRange } from '../../time/index.ts';
import type { FlowSegmentIndex } from '../index/segment-index.flow.ts';
import { type BatchReader, SegmentIndex } from '../index/segment-index.registry.ts';
import type { SegmentOp } from '../index/segment-index.replay.ts';
import { GroupedMap } from './grouped-map.ts';
import { OverlayMap } from './overlay.ts';
import { type PendingObject, packPending } from './pending-objects.ts';
import { SegmentIndexLoader } from './segments.loader.ts';
import { SegmentSnapshots, type SnapshotSource } from './segments.snapshots.ts';
import { SnapshotFiles } from './snapshot.files.ts';

export type { SegmentOp };

/**
 * Flows per scan of the snapshot backfill: more than a load's batch, since nothing waits on it
 * and each scan reads the whole table (at 100M segments over 10,000 Flows, 79 scans, not 313).
 */
const BACKFILL_BATCH = 128;

/** What the cache is filled from: the store's database repositories. */
export interface CacheSource {
  flows: { loadAll(): Promise<{ live: FlowRecord[]; deleting: string[] }> };
  objects: { allocationState(): Promise<AllocationState> };
  instances: { objectIds(): Promise<Set<string>> };
  segments: SnapshotSource & { lastSeq(): Promise<bigint> };
}

export interface CacheOptions {
  /** Bytes the segment indexes may hold together (undefined: no limit). */
  segmentIndexBytes?: number;
  /** Flows per read of the segments table when loading indexes. */
  loadBatch?: number;
  /** Where segment index snapshots are kept (beside the database file); none without. */
  snapshotDir?: string;
  log?: CacheLog;
}

export interface CacheLog {
  error(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}

/**
 * The embedded engine's in-memory copy of what the hot paths read: every Flow (with tags and
 * collections), the segment timelines of the Flows in use (within a memory budget), and objects
 * allocated but not yet used. Correct only because one process owns the database file
 * (DESIGN.md): the database stays the source of truth, every write goes to it first, and the copy
 * changes when the writing transaction commits.
 */
export class StoreCache {
  /** Live Flows, grouped by Source; `flow_collection` and `collected_by` live in `collections`. */
  readonly flows = new GroupedMap<string, FlowRecord, string>((flow) => [flow.source_id]);
  /** Flows taken away by an asynchronous deletion, until the worker removes them. */
  readonly deleting = new Map<string, true>();
  /** collector Flow id -> its collection, grouped by member Flow. */
  readonly collections = new GroupedMap<string, CollectionItem[], string>((items) => items.map((i) => i.id));
  /** Objects allocated by /storage and not yet registered in a segment. */
  readonly pendingObjects = new Map<string, PendingObject>();
  /** Allocations used since housekeeping last ran: their rows in the allocations table can go. */
  readonly usedAllocations: string[] = [];
  /**
   * The objects that have object instances (rows of object_instances): the objects of a segment
   * page outside it have none to read (CachedInstances). ~100 bytes an object: most stores have
   * none or a few; one that registered 7.0 `get_urls` with every segment has one per such object.
   */
  readonly instanced = new Map<string, true>();
  readonly segments: SegmentIndex;
  /** Loads segment indexes in the background for the Flows read (see IndexedSegments). */
  readonly loader: SegmentIndexLoader;
  /**
   * Flows whose segment state (timerange, segments_updated) changed since it was last written
   * to the flows table: registration keeps it here and a background flush writes it behind
   * (flushFlowStates), saving a statement per Flow on the ingest path. After a crash the
   * timeranges are recomputed from the segments (reconcileTimeranges).
   */
  readonly dirtyFlowStates = new Set<string>();
  /**
   * Whether every live Flow's timerange is its segments' envelope (a superset of it while a
   * deletion settles): true once the store knows it stopped cleanly or has reconciled the
   * timeranges after a crash (TamsStore.open). Registration then skips the overlap check of a
   * range outside the timerange (IndexedSegments).
   */
  timerangesExact = false;
  /** The warm-up in progress (see warmUp). */
  warming: Promise<void> | undefined;
  /** Snapshots of the segment indexes, when the cache has a directory for them. */
  readonly snapshots: SegmentSnapshots | undefined;
  private readonly source: CacheSource;

  private constructor(source: CacheSource, options: CacheOptions) {
    this.source = source;
    this.segments = new SegmentIndex({
      budgetBytes: options.segmentIndexBytes,
      onLoad: (flowId, index) => this.reconcileFlow(flowId, index),
      saver: (flowId, index, failed) => this.snapshots?.save(flowId, index, failed) ?? false,
      onSnapshotFailed: (flowId) => this.snapshots?.forget(flowId),
      hasSnapshot: (flowId) => this.snapshots?.has(flowId) ?? false,
    });
    const log = options.log ?? { error: () => undefined, info: () => undefined };
    this.snapshots = openSnapshots(options.snapshotDir, this.segments, log);
    const scan: BatchReader = (flowIds, onFlow) => source.segments.scanFlows(flowIds, onFlow);
    this.loader = new SegmentIndexLoader(
      this.segments,
      this.snapshots ? this.snapshots.reader(source.segments) : scan,
      options.loadBatch,
    );
  }

  static async load(source: CacheSource, options: CacheOptions = {}): Promise<StoreCache> {
    const cache = new StoreCache(source, options);
    await cache.fill(source);
    // Write sequences go on from the highest stored (rows written after a snapshot are those above it).
    cache.segments.startSeq(await source.segments.lastSeq());
    // Snapshots of Flows gone (deleted while their files stayed) are of no use.
    if (cache.snapshots)
      for (const flowId of cache.snapshots.flows()) if (!cache.knows(flowId)) cache.snapshots.forget(flowId);
    return cache;
  }

  private knows(flowId: string): boolean {
    return this.flows.has(flowId) || this.deleting.has(flowId);
  }

  private async fill(source: CacheSource): Promise<void> {
    const { live, deleting } = await source.flows.loadAll();
    for (const flow of live) {
      if (flow.flow_collection !== undefined) this.collections.set(flow.id, flow.flow_collection);
      this.flows.set(flow.id, { ...flow, flow_collection: undefined, collected_by: [] });
    }
    for (const id of deleting) this.deleting.set(id, true);
    const allocations = await source.objects.allocationState();
    const flowId = (id: string) => this.flows.get(id)?.id;
    for (const object of allocations.unregistered) {
      this.pendingObjects.set(object.id, packPending(object, flowId));
    }
    // One at a time: a spread of a million ids overflows the call stack (a store left with many
    // used allocations did not start).
    for (const id of allocations.used) this.usedAllocations.push(id);
    for (const id of await source.instances.objectIds()) this.instanced.set(id, true);
  }

  /** Starts over from the database (after a COMMIT failed with its changes already applied). */
  async rebuild(source: CacheSource): Promise<void> {
    const fresh = new StoreCache(source, {});
    await fresh.fill(source);
    for (const name of ['flows', 'deleting', 'collections', 'pendingObjects', 'instanced'] as const) {
      const target: Map<string, unknown> = this[name];
      target.clear();
      for (const [k, v] of fresh[name]) target.set(k, v);
    }
    this.usedAllocations.length = 0;
    for (const id of fresh.usedAllocations) this.usedAllocations.push(id);
    this.segments.dropAll();
    this.snapshots?.clear();
  }

  /** Drops every index and snapshot at once (a COMMIT failed after the cache took its changes). */
  forgetSegments(): void {
    this.segments.dropAll();
    this.snapshots?.clear();
  }

  /**
   * The transaction of `view` has committed or failed: its write sequence and any hold on its
   * Flows' snapshots are released.
   */
  settled(view: object): void {
    this.segments.settled(view);
    this.snapshots?.settled(view);
  }

  /**
   * A clean stop: every index written since its snapshot is saved, for the next start to load
   * Flows from their files alone.
   */
  async saveSnapshots(): Promise<void> {
    await this.snapshots?.closeClean();
  }

  /** The view for work outside transactions: writes apply at once. */
  direct(): CacheView {
    return new CacheView(this, true);
  }

  /** A view for one transaction: its writes apply at commit. */
  begin(): CacheView {
    return new CacheView(this, false);
  }

  /**
   * Loads segment indexes in the background, the Flows most recently written first, until they
   * hold `fraction` of the budget (all Flows without a budget): the Flows a restarted server is
   * likely to be asked about are in memory soon after it is ready, without delaying readiness.
   */
  warmUp(fraction: number, log: CacheLog): Promise<void> {
    this.warming ??= this.warm(fraction, log).finally(() => {
      this.warming = undefined;
    });
    return this.warming;
  }

  private async warm(fraction: number, log: CacheLog): Promise<void> {
    const started = performance.now();
    const { budget } = this.segments;
    const limit = budget === undefined ? Number.POSITIVE_INFINITY : budget * fraction;
    const written = (f: FlowRecord) => (f.segments_updated ?? f.metadata_updated)?.getTime() ?? 0;
    const order = [...this.flows.values()].filter((f) => !f.timerange.isEmpty());
    order.sort((a, b) => written(b) - written(a));
    let asked = 0;
    for (const flow of order) {
      if (this.segments.memoryBytes() >= limit) break;
      this.loader.request(flow.id);
      asked++;
      // A batch at a time, so the budget is checked between reads.
      if (this.loader.queued >= 32) await this.loader.idle();
    }
    await this.loader.idle();
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    const { flows, segments, bytes } = this.segments.stats();
    log.info({ asked, flows, segments, bytes, seconds }, 'segment index warm-up done');
    await this.backfill(order, log);
  }

  /**
   * Takes a snapshot of every Flow with segments that has none (a database written before
   * snapshots, or Flows never loaded), most recently written first, one scan per batch: each
   * Flow's first load then reads its file instead of the table.
   */
  private async backfill(order: readonly FlowRecord[], log: CacheLog): Promise<void> {
    const { snapshots } = this;
    if (!snapshots || this.loader.stopped) return;
    const missing = order
      .map((f) => f.id)
      .filter((id) => !snapshots.has(id) && this.segments.peek(id) === undefined);
    if (missing.length === 0) return;
    const started = performance.now();
    const taken = await snapshots.backfill(
      missing,
      this.source.segments,
      BACKFILL_BATCH,
      () => this.loader.stopped,
    );
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    log.info({ missing: missing.length, taken, seconds }, 'segment index snapshots taken');
  }

  /**
   * Sets the Flows' timeranges from their segments' envelopes (read from the database after the
   * process stopped without writing the states it held behind, see dirtyFlowStates): a Flow
   * missing from `envelopes` has no segments.
   */
  reconcileTimeranges(envelopes: ReadonlyMap<string, TimeRange>): number {
    let fixed = 0;
    for (const flow of this.flows.values()) {
      const actual = envelopes.get(flow.id);
      if (this.setTimerange(flow, actual)) fixed++;
    }
    return fixed;
  }

  /**
   * Moves each Flow's `segments_updated` up to its latest segment event's time (`times`, read
   * from the outbox after a stop that lost the states held behind): a registration acknowledged
   * before the crash keeps the time it gave the Flow.
   */
  reconcileSegmentTimes(times: ReadonlyMap<string, Date>): number {
    let fixed = 0;
    for (const flow of this.flows.values()) {
      const at = times.get(flow.id);
      if (at === undefined || (flow.segments_updated !== undefined && flow.segments_updated >= at)) continue;
      this.flows.set(flow.id, { ...flow, segments_updated: at });
      this.dirtyFlowStates.add(flow.id);
      fixed++;
    }
    return fixed;
  }

  /** A loaded index tells the Flow's timerange exactly: one that disagrees is set from it. */
  private reconcileFlow(flowId: string, index: FlowSegmentIndex): void {
    const flow = this.flows.get(flowId);
    if (flow) this.setTimerange(flow, index.envelope());
  }

  private setTimerange(flow: FlowRecord, actual: TimeRange | undefined): boolean {
    const range = actual ?? TimeRange.EMPTY;
    if (range.equals(flow.timerange)) return false;
    this.flows.set(flow.id, { ...flow, timerange: range });
    this.dirtyFlowStates.add(flow.id);
    return true;
  }

  /** Takes the dirty Flow states to write (see dirtyFlowStates). */
  takeDirtyFlowStates(): { id: string; range: FlowRecord['timerange']; updated: Date }[] {
    const states = [];
    for (const id of this.dirtyFlowStates) {
      const flow = this.flows.get(id);
      if (flow)
        states.push({ id, range: flow.timerange, updated: flow.segments_updated ?? flow.metadata_updated });
    }
    this.dirtyFlowStates.clear();
    return states;
  }

  /**
   * Applies a write to a Flow's segment index. `transaction`: the write's transaction, not yet
   * committed in the database (see SegmentIndex.afterWrite; settled(transaction) follows).
   */
  applySegmentOps(flowId: string, ops: readonly SegmentOp[], transaction?: object): unknown {
    return this.segments.afterWrite(flowId, ops, transaction);
  }
}

/** The cache as one unit of work sees it (see OverlayMap). */
export class CacheView {
  readonly flows: OverlayMap<string, FlowRecord>;
  readonly deleting: OverlayMap<string, true>;
  readonly collections: OverlayMap<string, CollectionItem[]>;
  readonly pendingObjects: OverlayMap<string, PendingObject>;
  readonly instanced: OverlayMap<string, true>;
  /** Segment writes of this transaction, per Flow, in order. */
  readonly segmentOps = new Map<string, SegmentOp[]>();
  private readonly dirtyFlowStates = new Set<string>();
  private readonly usedAllocations: string[] = [];

  constructor(
    readonly cache: StoreCache,
    private readonly direct: boolean,
  ) {
    this.flows = new OverlayMap(cache.flows, direct);
    this.deleting = new OverlayMap(cache.deleting, direct);
    this.collections = new OverlayMap(cache.collections, direct);
    this.pendingObjects = new OverlayMap(cache.pendingObjects, direct);
    this.instanced = new OverlayMap(cache.instanced, direct);
  }

  get segments(): SegmentIndex {
    return this.cache.segments;
  }

  /** Whether this view belongs to a transaction. */
  get transactional(): boolean {
    return !this.direct;
  }

  /** An allocated object got its first segment: its allocation row is for housekeeping now. */
  allocationUsed(objectId: string): void {
    if (this.direct) this.cache.usedAllocations.push(objectId);
    else this.usedAllocations.push(objectId);
  }

  /** The Flow's segment state changed in the cache; the flows table gets it written behind. */
  flowStateChanged(flowId: string): void {
    if (this.direct) this.cache.dirtyFlowStates.add(flowId);
    else this.dirtyFlowStates.add(flowId);
  }

  segmentWrite(flowId: string, op: SegmentOp): void {
    if (this.direct) {
      this.cache.applySegmentOps(flowId, [op]);
      return;
    }
    const ops = this.segmentOps.get(flowId);
    if (ops) ops.push(op);
    else this.segmentOps.set(flowId, [op]);
  }

  /** The Flows of a Source, as this view sees them. */
  flowsOfSource(sourceId: string): IterableIterator<[string, FlowRecord]> {
    return this.flows.matching(this.cache.flows.keysIn(sourceId), (flow) => flow.source_id === sourceId);
  }

  /** The Flows whose collection lists `flowId`, in id order, as this view sees them. */
  collectorsOf(flowId: string): string[] {
    const collectors: string[] = [];
    const lists = (items: readonly CollectionItem[]) => items.some((i) => i.id === flowId);
    for (const [collector] of this.collections.matching(this.cache.collections.keysIn(flowId), lists))
      collectors.push(collector);
    return collectors.sort();
  }

  /** Whether rows of the Flow exist, live or being deleted. */
  knowsFlow(flowId: string): boolean {
    return this.flows.has(flowId) || this.deleting.has(flowId);
  }

  /**
   * Applies the transaction's writes to the cache. Called at the end of the transaction's work,
   * before its COMMIT: writers are serialised, so the next transaction sees them.
   */
  commit(): unknown[] {
    this.flows.commit();
    this.deleting.commit();
    this.collections.commit();
    this.pendingObjects.commit();
    this.instanced.commit();
    for (const id of this.dirtyFlowStates) this.cache.dirtyFlowStates.add(id);
    this.dirtyFlowStates.clear();
    for (const id of this.usedAllocations) this.cache.usedAllocations.push(id);
    this.usedAllocations.length = 0;
    const errors: unknown[] = [];
    for (const [flowId, ops] of this.segmentOps) {
      const error = this.cache.applySegmentOps(flowId, ops, this);
      if (error !== undefined) errors.push(error);
    }
    this.segmentOps.clear();
    return errors;
  }
}

/** The snapshots in `dir`; none (Flows load by scans) when it cannot be opened, e.g. read-only. */
function openSnapshots(
  dir: string | undefined,
  index: SegmentIndex,
  log: CacheLog,
): SegmentSnapshots | undefined {
  if (dir === undefined) return undefined;
  try {
    return new SegmentSnapshots(SnapshotFiles.open(dir), index, log);
  } catch (error) {
    log.error({ err: error, dir }, 'segment index snapshots unavailable; Flows load by scanning the table');
    return undefined;
  }
}
