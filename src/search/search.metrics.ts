import type { FollowerRuntime } from '../feature/feature.follower.ts';
import type { ServerMetrics } from '../metrics/metrics.registry.ts';
import type { BatchReport } from './index/search.index.types.ts';
import type { SearchIndexer } from './index/search.indexer.ts';
import type { SearchService } from './search.service.ts';

/**
 * Media search on /metrics: how far the index is behind (read at scrape time) and what the
 * indexer did in this process.
 */
export function searchMetrics(
  metrics: ServerMetrics,
  service: SearchService,
  follower: FollowerRuntime<SearchIndexer, BatchReport>,
): void {
  const done = { added: 0, removed: 0, failures: 0 };
  follower.onBatch((report) => {
    done.added += report.added;
    done.removed += report.removed;
    done.failures += report.failures;
  });
  let status: ReturnType<SearchService['status']> | undefined;
  // One status read per scrape, shared by the gauges that read it.
  const read = () => {
    status ??= service.status().finally(() => {
      setTimeout(() => {
        status = undefined;
      }, 1000).unref();
    });
    return status;
  };
  metrics.gauge(
    'tams_search_pending_events',
    'Outbox events the search index has still to apply',
    async () => (await read()).pending_events,
  );
  metrics.gauge(
    'tams_search_pending_jobs',
    'Transcript publications and deletions the search index has still to apply',
    async () => (await read()).pending_jobs,
  );
  metrics.gauge(
    'tams_search_documents',
    'Documents in the search index',
    async () => (await read()).documents,
  );
  metrics.gauge(
    'tams_search_index_parts',
    'Parts of the inverted index (merged in the background)',
    async () => (await read()).parts,
  );
  metrics.gauge(
    'tams_search_cues_outside_segment',
    "Caption cues not indexed: wholly outside their segment's timerange on the Flow's timeline",
    async () => (await read()).cues_outside,
  );
  metrics.gauge(
    'tams_search_failed_items',
    'Items the search index could not index and passed over (each logged; GET /search/status lists them)',
    async () => (await read()).failed_items,
  );
  metrics.gauge(
    'tams_search_documents_unembedded',
    'Documents indexed without a vector: the embedding service refused their text',
    async () => (await read()).unembedded,
  );
  metrics.gauge(
    'tams_search_retrying',
    '1 while the search index waits for something unavailable (storage, database, embedding service)',
    async () => ((await read()).retrying === undefined ? 0 : 1),
  );
  metrics.gauge(
    'tams_search_documents_added_total',
    'Documents this process added to the search index',
    () => done.added,
  );
  metrics.gauge(
    'tams_search_documents_removed_total',
    'Documents this process removed from the search index',
    () => done.removed,
  );
  metrics.gauge(
    'tams_search_timed_text_failures_total',
    'Items this process could not index and passed over (each logged)',
    () => done.failures,
  );
}
