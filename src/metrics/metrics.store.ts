import type { TamsStore } from '../store/store.ts';
import type { ServerMetrics } from './metrics.registry.ts';

/**
 * Gauges of stored state, read at scrape time: a few count queries on small tables (deletion
 * requests, the GC queue, allocations) and the in-memory segment index of the embedded engine.
 */
export function bindStoreGauges(metrics: ServerMetrics, store: TamsStore): void {
  metrics.gauge(
    'tams_deletion_requests_pending',
    'Flow and segment deletion requests not finished yet (created or started)',
    () => store.deletions.countPending(),
  );
  metrics.gauge(
    'tams_media_gc_backlog',
    'Media objects whose bytes are queued for deletion from their storage backend',
    () => store.mediaGc.backlog(),
  );
  metrics.gauge(
    'tams_allocations_rows',
    'Rows of the allocations table (objects allocated and unused, or used and not tidied yet)',
    () => store.objects.allocationRows(),
  );
  metrics.gauge(
    'tams_webhooks_registered',
    'Webhook registrations',
    async () => (await store.webhooks.list()).length,
  );
  metrics.gauge(
    'tams_webhook_backlog',
    'Events the webhook furthest behind has still to pass (deliver, filter out or park)',
    async () => {
      const webhooks = await store.webhooks.list();
      if (webhooks.length === 0) return 0;
      const oldest = webhooks.reduce(
        // biome-ignore lint/complexity/useMathMinMax: bigints (Math.min takes numbers only)
        (min, w) => (w.cursor < min ? w.cursor : min),
        webhooks[0]?.cursor ?? 0n,
      );
      return store.events.countAfter(oldest);
    },
  );
  metrics.gauge(
    'tams_webhooks_failing',
    'Webhooks whose last delivery attempt failed (retrying with backoff)',
    async () => (await store.webhooks.list()).filter((w) => w.attempts > 0).length,
  );
  metrics.gauge(
    'tams_webhooks_suspended',
    'Webhooks whose owner may no longer read (credential revoked, expired or without read): their events are skipped',
    async () => (await store.webhooks.list()).filter((w) => w.suspended !== undefined).length,
  );
  metrics.gauge(
    'tams_webhook_events_parked',
    'Events given up on after every delivery attempt failed (kept in the parked_events table)',
    () => store.webhooks.parkedCount(),
  );
  if (!store.cached) return;
  // The segment index exists only in the embedded engine (one process owns the database).
  metrics.gauge(
    'tams_segment_index_flows',
    'Flows whose segment index is loaded in memory',
    () => store.segmentIndexStats()?.flows,
  );
  metrics.gauge(
    'tams_segment_index_segments',
    'Segments held by the in-memory segment index',
    () => store.segmentIndexStats()?.segments,
  );
  metrics.gauge(
    'tams_segment_index_bytes',
    'Estimated bytes held by the in-memory segment index',
    () => store.segmentIndexStats()?.bytes,
  );
  metrics.gauge('tams_segment_index_preloading', '1 while the segment index preload runs, else 0', () =>
    store.segmentIndexLoading ? 1 : 0,
  );
}
