import type { SegmentRecord } from '../segments.repo.ts';
import { FlowSegmentIndex } from './segment-index.flow.ts';
import { StorageIds } from './segment-index.storage-ids.ts';

export interface SegmentIndexStats {
  /** Flows whose index is loaded. */
  flows: number;
  /** Flows whose index is being loaded. */
  loading: number;
  segments: number;
  /** Estimated bytes held by the loaded indexes. */
  bytes: number;
  storageIds: number;
}

interface LoadState {
  /** Set when a write or a drop came in during the load: its snapshot may predate the write. */
  stale: boolean;
}

interface Loading {
  state: LoadState;
  promise: Promise<FlowSegmentIndex>;
}

/**
 * The per-Flow segment indexes of one store process. Correct only while this process is the only
 * writer of the database (the embedded engine): the store applies each committed write here, and
 * a Flow is loaded from the database on first use. No database code: the store passes loaders.
 */
export class SegmentIndex {
  private readonly loaded = new Map<string, FlowSegmentIndex>();
  private readonly loading = new Map<string, Loading>();

  constructor(readonly storageIds: StorageIds = new StorageIds()) {}

  get(flowId: string): FlowSegmentIndex | undefined {
    return this.loaded.get(flowId);
  }

  /**
   * The Flow's index, loading it with `loader` (all the Flow's segments) if need be; concurrent
   * callers share one load. A load overtaken by a write (see afterWrite) still answers the
   * callers that were already waiting, whose reads began before the write, but is not kept.
   */
  async load(flowId: string, loader: () => Promise<SegmentRecord[]>): Promise<FlowSegmentIndex> {
    const ready = this.loaded.get(flowId);
    if (ready) return ready;
    const pending = this.loading.get(flowId);
    if (pending) return pending.promise;
    const state: LoadState = { stale: false };
    const promise = this.fill(flowId, loader, state);
    this.loading.set(flowId, { state, promise });
    return promise;
  }

  set(flowId: string, index: FlowSegmentIndex): void {
    if (index.flowId !== flowId) throw new Error(`index of Flow ${index.flowId} set for Flow ${flowId}`);
    this.invalidateLoad(flowId);
    this.loaded.set(flowId, index);
  }

  /**
   * Brings the Flow's index in step with a write the database has committed: applies it to a
   * loaded index, or makes a load in flight (whose snapshot may predate it) be thrown away. If
   * applying fails (the index disagreed with the database), the index is dropped, to be reloaded
   * on next use, and the error returned for the caller to log: the write itself stands.
   */
  afterWrite(flowId: string, apply: (index: FlowSegmentIndex) => void): unknown {
    this.invalidateLoad(flowId);
    const index = this.loaded.get(flowId);
    if (!index) return undefined;
    try {
      apply(index);
      return undefined;
    } catch (error) {
      this.loaded.delete(flowId);
      return error ?? new Error('applying a write to the segment index failed');
    }
  }

  /** Forgets the Flow's index (and any load in flight), e.g. when the Flow is deleted. */
  drop(flowId: string): void {
    this.invalidateLoad(flowId);
    this.loaded.delete(flowId);
  }

  dropAll(): void {
    for (const flowId of [...this.loading.keys()]) this.invalidateLoad(flowId);
    this.loaded.clear();
  }

  memoryBytes(): number {
    let bytes = 0;
    for (const index of this.loaded.values()) bytes += index.memoryBytes();
    return bytes;
  }

  stats(): SegmentIndexStats {
    let segments = 0;
    for (const index of this.loaded.values()) segments += index.size;
    return {
      flows: this.loaded.size,
      loading: this.loading.size,
      segments,
      bytes: this.memoryBytes(),
      storageIds: this.storageIds.size,
    };
  }

  private async fill(
    flowId: string,
    loader: () => Promise<SegmentRecord[]>,
    state: LoadState,
  ): Promise<FlowSegmentIndex> {
    try {
      const index = FlowSegmentIndex.from(flowId, await loader(), this.storageIds);
      if (!state.stale) this.loaded.set(flowId, index);
      return index;
    } finally {
      if (this.loading.get(flowId)?.state === state) this.loading.delete(flowId);
    }
  }

  private invalidateLoad(flowId: string): void {
    const pending = this.loading.get(flowId);
    if (!pending) return;
    pending.state.stale = true;
    // Later callers start a fresh load, which reads after the write.
    this.loading.delete(flowId);
  }
}
