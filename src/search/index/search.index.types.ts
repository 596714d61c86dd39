import type { Clock } from '../../common/clock.ts';
import type { WorkerLog } from '../../common/worker.ts';
import type { JsonValue } from '../../db/db.types.ts';
import type { Topology } from '../../db/topology.ts';
import type { MediaRegistry } from '../../media/media.registry.ts';
import type { TamsStore } from '../../store/store.ts';
import type { EmbeddingProvider } from '../embed/embed.types.ts';
import type { IndexText } from '../search.text.ts';
import type { IndexPlan } from './search.indexplan.ts';
import type { IndexState } from './search.state.ts';

export interface IndexerDeps {
  store: TamsStore;
  media: MediaRegistry;
  /** Undefined: keyword search only; documents get no vectors. */
  embedder: EmbeddingProvider | undefined;
  text: IndexText;
  clock: Clock;
  log: WorkerLog;
  /** Identifies this process among replicas (the `search-index` lease). */
  owner: string;
  leaseMs?: number;
  /** Who uses the store: without leasesNeeded, a lease found at start is stale. */
  topology: Topology;
  /** Vectors a refiling step moves at most (search.refile.ts REFILE_VECTORS; tests make it small). */
  refileVectors?: number;
  /**
   * The pause after a transient failure: `first` ms, doubling up to `max` (search.retry.ts).
   * Default 1 s to 60 s.
   */
  retryMs?: { first: number; max: number };
  /** Called after each committed batch (metrics, tests waiting for the index). */
  onBatch?: (report: BatchReport) => void;
}

export interface BatchReport {
  /** Items of the tables a build read in this batch (Sources, Flows, timed-text segments, transcripts). */
  scanned?: number;
  events: number;
  jobs: number;
  added: number;
  removed: number;
  failures: number;
  cursor: bigint;
}

/** What a batch moves besides the documents: the outbox cursor, the jobs done, a build's progress. */
export interface Progress {
  cursor?: bigint;
  jobs?: string[];
  rebuild?: JsonValue | null;
}

/**
 * Writes a plan in one transaction with its progress, if the index is still where `planned`
 * says; what it added and removed, or undefined when another indexer moved on first.
 */
export type CommitPlan = (
  plan: IndexPlan,
  planned: IndexState,
  progress: Progress,
) => Promise<{ added: number; removed: number } | undefined>;
