import type { FlowSpan } from '../store/segments.repo.ts';
import type { CoreRepos, LayeredRepos, SessionLayer, TxLayer } from '../store/store.layer.ts';
import { CachedCollections } from './cache/collections.cached.ts';
import { CachedFlows } from './cache/flows.cached.ts';
import { CachedInstances } from './cache/instances.cached.ts';
import { CachedObjects } from './cache/objects.cached.ts';
import { IndexedSegments } from './cache/segments.indexed.ts';
import type { CacheView, StoreCache } from './cache/store.cache.ts';

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
 * The accelerator as one session sees it: Flows, collections, segment timelines, unused
 * allocations and the ids of objects with instances read from the cache through `view`, every
 * write going to the core repository first.
 */
export class EmbeddedSession implements SessionLayer {
  readonly spans: (flowId: string) => FlowSpan | null;
  /** The segments this session answers with, once `repos` made them (the fast lane's, for the root). */
  segments: IndexedSegments | undefined;

  constructor(protected readonly view: CacheView) {
    this.spans = cachedSpans(view);
  }

  repos(core: CoreRepos): LayeredRepos {
    this.segments = new IndexedSegments(core.segments, this.view);
    return {
      flows: new CachedFlows(core.flows, this.view),
      collections: new CachedCollections(this.view),
      segments: this.segments,
      objects: new CachedObjects(core.objects, this.view),
      instances: new CachedInstances(core.instances, this.view),
    };
  }
}

/** The accelerator as one transaction sees it: its writes reach the cache as it commits. */
export class EmbeddedTx extends EmbeddedSession implements TxLayer {
  /** Whether the cache took the transaction's writes (beforeCommit ran). */
  private applied = false;

  constructor(
    private readonly cache: StoreCache,
    /** Fills the cache again from the database. */
    private readonly rebuild: () => Promise<void>,
  ) {
    super(cache.begin());
  }

  beforeCommit(): void {
    this.applied = true;
    this.view.commit();
  }

  committed(): void {
    this.cache.settled(this.view);
  }

  /**
   * Where the COMMIT failed after the cache took the changes, the cache no longer matches the
   * database, so it is rebuilt from it. Its indexes go first, before anything else runs, so no
   * snapshot is taken of what the database does not hold.
   */
  async failed(): Promise<void> {
    if (this.applied) this.cache.forgetSegments();
    this.cache.settled(this.view);
    if (this.applied) await this.rebuild();
  }
}
