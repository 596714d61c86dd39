import { FlowSegmentIndex } from '../index/segment-index.flow.ts';
import { SegmentIndex } from '../index/segment-index.registry.ts';
import type { AllocationState } from '../objects.repo.ts';
import type { SegmentKey, SegmentRecord } from '../segments.repo.ts';
import type { CollectionItem, FlowRecord } from '../store.types.ts';
import { GroupedMap } from './grouped-map.ts';
import { OverlayMap } from './overlay.ts';
import { type PendingObject, packPending } from './pending-objects.ts';

export type SegmentOp = { insert: readonly SegmentRecord[] } | { remove: readonly SegmentKey[] };

/** What the cache is filled from: the store's database repositories. */
export interface CacheSource {
  flows: { loadAll(): Promise<{ live: FlowRecord[]; deleting: string[] }> };
  objects: { allocationState(): Promise<AllocationState> };
  segments: { scanAll(onBatch: (segments: SegmentRecord[]) => void): Promise<void> };
}

export interface CacheLog {
  error(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}

/**
 * The embedded engine's in-memory copy of what the hot paths read: every Flow (with tags and
 * collections), the segment timelines, and objects allocated but not yet used. Correct only
 * because one process owns the database file (DESIGN.md): the database stays the source of truth,
 * every write goes to it first, and the copy changes when the writing transaction commits.
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
  readonly segments = new SegmentIndex();
  /**
   * Flows whose segment state (timerange, segments_updated) changed since it was last written
   * to the flows table: registration keeps it here and a background flush writes it behind
   * (flushFlowStates), saving a statement per Flow on the ingest path. After a crash the
   * timeranges are recomputed from the segments (reconcileTimeranges).
   */
  readonly dirtyFlowStates = new Set<string>();
  private preloading: Set<string> | undefined;
  /** The preload in progress: Flows read meanwhile wait for it rather than each scanning the table. */
  preload: Promise<void> | undefined;

  static async load(source: CacheSource): Promise<StoreCache> {
    const cache = new StoreCache();
    const { live, deleting } = await source.flows.loadAll();
    for (const flow of live) {
      if (flow.flow_collection !== undefined) cache.collections.set(flow.id, flow.flow_collection);
      cache.flows.set(flow.id, { ...flow, flow_collection: undefined, collected_by: [] });
    }
    for (const id of deleting) cache.deleting.set(id, true);
    const allocations = await source.objects.allocationState();
    const flowId = (id: string) => cache.flows.get(id)?.id;
    for (const object of allocations.unregistered) {
      cache.pendingObjects.set(object.id, packPending(object, flowId));
    }
    cache.usedAllocations.push(...allocations.used);
    return cache;
  }

  /** Starts over from the database (after a COMMIT failed with its changes already applied). */
  async rebuild(source: CacheSource): Promise<void> {
    const fresh = await StoreCache.load(source);
    for (const name of ['flows', 'deleting', 'collections', 'pendingObjects'] as const) {
      const target: Map<string, unknown> = this[name];
      target.clear();
      for (const [k, v] of fresh[name]) target.set(k, v);
    }
    this.usedAllocations.splice(0, this.usedAllocations.length, ...fresh.usedAllocations);
    this.segments.dropAll();
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
   * Fills the segment index of every Flow in one pass over the segments table, in the
   * background. A Flow written (or loaded on demand) meanwhile keeps what it has: its part of
   * this snapshot may predate the write.
   */
  preloadSegments(source: CacheSource, log: CacheLog): Promise<void> {
    this.preload ??= this.fillSegments(source, log).finally(() => {
      this.preload = undefined;
    });
    return this.preload;
  }

  private async fillSegments(source: CacheSource, log: CacheLog): Promise<void> {
    const started = performance.now();
    const written = new Set<string>();
    this.preloading = written;
    let count = 0;
    let flows = 0;
    let current: SegmentRecord[] = [];
    // Rows come Flow after Flow: each Flow's index is built once, sized for it, and becomes
    // usable at once; a Flow written meanwhile keeps what it has (this snapshot may predate it).
    const finish = () => {
      const first = current[0];
      if (!first) return;
      const flowId = first.flow_id;
      if (!written.has(flowId) && !this.segments.get(flowId)) {
        this.segments.set(flowId, FlowSegmentIndex.from(flowId, current, this.segments.storageIds));
      }
      flows++;
      current = [];
    };
    try {
      await source.segments.scanAll((segments) => {
        for (const s of segments) {
          if (current.length > 0 && current[0]?.flow_id !== s.flow_id) finish();
          current.push(s);
        }
        count += segments.length;
      });
      finish();
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      const fixed = this.reconcileTimeranges();
      log.info({ segments: count, flows, seconds, timerangesFixed: fixed }, 'segment index loaded');
    } catch (error) {
      log.error({ err: error }, 'segment index preload failed; Flows load on first use instead');
    } finally {
      this.preloading = undefined;
    }
  }

  /**
   * After the segment index is loaded: a Flow whose stored timerange disagrees with its segments
   * (the process stopped before its state was written behind) gets the one its segments give.
   */
  reconcileTimeranges(): number {
    let fixed = 0;
    for (const flow of this.flows.values()) {
      const index = this.segments.get(flow.id);
      if (!index) continue;
      const actual = index.envelope();
      if (actual.equals(flow.timerange)) continue;
      this.flows.set(flow.id, { ...flow, timerange: actual });
      this.dirtyFlowStates.add(flow.id);
      fixed++;
    }
    return fixed;
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

  /** Applies a committed write to a Flow's segment index. */
  applySegmentOps(flowId: string, ops: readonly SegmentOp[]): unknown {
    this.preloading?.add(flowId);
    return this.segments.afterWrite(flowId, (index) => {
      for (const op of ops) {
        if ('insert' in op) index.insert(op.insert);
        else index.remove(op.remove);
      }
    });
  }
}

/** The cache as one unit of work sees it (see OverlayMap). */
export class CacheView {
  readonly flows: OverlayMap<string, FlowRecord>;
  readonly deleting: OverlayMap<string, true>;
  readonly collections: OverlayMap<string, CollectionItem[]>;
  readonly pendingObjects: OverlayMap<string, PendingObject>;
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
    for (const id of this.dirtyFlowStates) this.cache.dirtyFlowStates.add(id);
    this.dirtyFlowStates.clear();
    this.cache.usedAllocations.push(...this.usedAllocations);
    this.usedAllocations.length = 0;
    const errors: unknown[] = [];
    for (const [flowId, ops] of this.segmentOps) {
      const error = this.cache.applySegmentOps(flowId, ops);
      if (error !== undefined) errors.push(error);
    }
    this.segmentOps.clear();
    return errors;
  }
}
