import type { StoreLayer } from '../store/store.layer.ts';
import type { TamsStore } from '../store/store.ts';
import type { TimeRange } from '../time/index.ts';
import type { SnapshotStats } from './cache/segments.snapshots.ts';
import { type CacheLog, type CacheOptions, StoreCache } from './cache/store.cache.ts';
import { EmbeddedSession, EmbeddedTx } from './embedded.layer.ts';
import type { SegmentIndexLane } from './embedded.types.ts';
import type { SegmentIndexStats } from './index/segment-index.registry.ts';

/** The settings key saying the last stop wrote everything held behind (see markCleanStop). */
const CLEAN_STOP = 'store.clean_stop';

export interface AcceleratorOptions extends CacheOptions {
  /**
   * Every Flow's segment envelope, read from the database in one pass: the Flows' timeranges are
   * checked against it at start after a stop that may have lost the states held behind. Without
   * it they are checked as each Flow's index loads.
   */
  envelopes?: () => Promise<Map<string, TimeRange>>;
  /** Each Flow's latest segment change the outbox holds (read with `envelopes`, after a crash). */
  segmentTimes?: () => Promise<Map<string, Date>>;
}

/**
 * The embedded accelerator: the layer the store composes where one process owns the database
 * (the DuckDB file). It keeps in memory what the hot paths read (every Flow with its tags and
 * collections, the segment timelines of the Flows in use within a budget, with their snapshot
 * files, objects allocated but not yet used, the ids of objects with instances) and writes the
 * Flows' segment states behind. Correct only because one process owns the database: it stays the
 * source of truth, every write goes to it first, and the memory changes as its transaction
 * commits. The core store answers the same without it (the `core` test project).
 */
export class EmbeddedAccelerator implements StoreLayer {
  private readonly root: EmbeddedSession;
  private stoppedClean = false;

  private constructor(
    /** The core store under the layer: what the cache loads from and writes behind through. */
    private readonly core: TamsStore,
    private readonly cache: StoreCache,
  ) {
    this.root = new EmbeddedSession(cache.direct());
  }

  /**
   * Fills the cache from the core store, then, after a stop that did not write the Flows' states
   * held behind (a crash), sets their timeranges again from the segments' envelopes.
   */
  static async open(core: TamsStore, options: AcceleratorOptions = {}): Promise<EmbeddedAccelerator> {
    const cache = await StoreCache.load(core.core, options);
    const accelerator = new EmbeddedAccelerator(core, cache);
    const clean = (await core.settings.get(CLEAN_STOP)) === true;
    if (!clean && options.envelopes) {
      const fixed = cache.reconcileTimeranges(await options.envelopes());
      const times = options.segmentTimes ? cache.reconcileSegmentTimes(await options.segmentTimes()) : 0;
      await accelerator.flushFlowStates();
      options.log?.info(
        { timerangesFixed: fixed, segmentsUpdatedFixed: times },
        'Flow timeranges and segments_updated checked against their segments and events',
      );
    }
    cache.timerangesExact = clean || options.envelopes !== undefined;
    // From here on the states held behind may be lost: until a clean stop says otherwise.
    if (clean || options.envelopes) await core.transaction((tx) => tx.settings.set(CLEAN_STOP, false));
    return accelerator;
  }

  direct(): EmbeddedSession {
    return this.root;
  }

  begin(): EmbeddedTx {
    return new EmbeddedTx(this.cache, () => this.cache.rebuild(this.core.core));
  }

  /**
   * The segments' in-memory indexes, for the embedded fast lane of segment pages
   * (segments/segments.fastlane.ts); undefined until the store composed the layer.
   */
  get segmentIndex(): SegmentIndexLane | undefined {
    return this.root.segments;
  }

  /** The ids of the objects that have object instances: for the fast lane of segment pages. */
  get instancedObjects(): ReadonlyMap<string, true> {
    return this.cache.instanced;
  }

  /**
   * Writes the Flow segment states the cache holds behind to the flows table (see
   * StoreCache.dirtyFlowStates). Returns whether there was anything to write.
   */
  async flushFlowStates(): Promise<boolean> {
    const states = this.cache.takeDirtyFlowStates();
    if (states.length === 0) return false;
    try {
      await this.core.core.flows.setSegmentsStates(states);
    } catch (error) {
      for (const s of states) this.cache.dirtyFlowStates.add(s.id);
      throw error;
    }
    return true;
  }

  /**
   * Records that everything held behind is written (the last thing the server does before it
   * closes the database), so the next start need not check the Flows' timeranges.
   */
  async markCleanStop(): Promise<void> {
    if (this.stoppedClean) return;
    await this.cache.saveSnapshots();
    await this.flushFlowStates();
    await this.core.transaction((tx) => tx.settings.set(CLEAN_STOP, true));
    this.stoppedClean = true;
  }

  /**
   * Loads segment indexes in the background, most recently written Flows first, up to
   * `fraction` of the budget; readiness does not wait for it.
   */
  async warmUpSegments(fraction: number, log: CacheLog): Promise<void> {
    await this.cache.warmUp(fraction, log);
  }

  /** Whether the warm-up runs (metrics). */
  get segmentIndexWarming(): boolean {
    return this.cache.warming !== undefined;
  }

  /** Whether the Flow's segment index is in memory. */
  segmentIndexHolds(flowId: string): boolean {
    return this.cache.segments.peek(flowId) !== undefined;
  }

  /** Resolves once no segment index is queued or loading, nor snapshot waiting to be written (tests). */
  async segmentLoadsIdle(): Promise<void> {
    await this.cache.loader.idle();
    await this.cache.snapshots?.idle();
  }

  /** Stops loading segment indexes (the store is closing). */
  async stopSegmentLoads(): Promise<void> {
    await this.cache.loader.stop();
    // The warm-up's snapshot backfill stops after its current batch.
    await this.cache.warming?.catch(() => undefined);
  }

  /** Sizes of the in-memory segment index (metrics). */
  segmentIndexStats(): SegmentIndexStats & { queued: number; snapshots?: SnapshotStats } {
    const { cache } = this;
    return { ...cache.segments.stats(), queued: cache.loader.queued, snapshots: cache.snapshots?.stats() };
  }
}
