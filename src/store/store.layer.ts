import type { CollectionsRepo } from './collections.repo.ts';
import type { FlowsRepo } from './flows.repo.ts';
import type { CollectionsReader, FlowsStore } from './flows.types.ts';
import type { InstancesStore, ObjectInstances } from './objects/instances.table.ts';
import type { ObjectsRepo, ObjectsStore } from './objects.repo.ts';
import type { FlowSpan, SegmentsRepo } from './segments.repo.ts';
import type { SegmentsStore } from './segments.types.ts';

/** The core repositories of one session: complete and correct on every engine by themselves. */
export interface CoreRepos {
  readonly flows: FlowsRepo;
  readonly collections: CollectionsRepo;
  readonly segments: SegmentsRepo;
  readonly objects: ObjectsRepo;
  readonly instances: ObjectInstances;
}

/** What a layer answers in the core repositories' place (each wraps the core one it is given). */
export interface LayeredRepos {
  readonly flows: FlowsStore;
  readonly collections: CollectionsReader;
  readonly segments: SegmentsStore;
  readonly objects: ObjectsStore;
  readonly instances: InstancesStore;
}

/** A layer as one session (the root's, or one transaction's) sees it. */
export interface SessionLayer {
  /**
   * Where the layer knows a Flow's envelope and state better than the Flow's row says (the row
   * may be written behind): SegmentsRepo's `spans`.
   */
  readonly spans?: (flowId: string) => FlowSpan | null;
  /** The repositories this session answers with, wrapping the session's core ones. */
  repos(core: CoreRepos): LayeredRepos;
}

/** A layer as one transaction sees it: its writes reach the layer when the transaction commits. */
export interface TxLayer extends SessionLayer {
  /**
   * The transaction's work is done and its COMMIT comes next. Writers are serialised where a
   * layer exists (one process owns the store), so applying here lets the next transaction see it.
   */
  beforeCommit(): void;
  /** The COMMIT went through. */
  committed(): void;
  /** The transaction failed, before its COMMIT or at it (after beforeCommit, if that ran). */
  failed(): Promise<void>;
}

/**
 * A layer over the core store: what the store composes when one process owns it (the embedded
 * accelerator, src/embedded/), consulted through these calls alone. The store never names one.
 */
export interface StoreLayer {
  /** The layer for work outside transactions (the root session): writes apply at once. */
  direct(): SessionLayer;
  /** The layer for one transaction. */
  begin(): TxLayer;
}
