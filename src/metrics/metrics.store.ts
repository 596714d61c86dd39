import type { EmbeddedAccelerator } from '../embedded/embedded.accelerator.ts';
import type { TamsStore } from '../store/store.ts';
import type { ServerMetrics } from './metrics.registry.ts';

/**
 * Gauges of stored state, read at scrape time: a few count queries on small tables (deletion
 * requests, the GC queue, allocations) and the embedded accelerator's in-memory segment index.
 */
export function bindStoreGauges(
  metrics: ServerMetrics,
  store: TamsStore,
  accelerator: EmbeddedAccelerator | undefined,
): void {
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
  // The segment index is the embedded accelerator's (one process owns the database).
  if (!accelerator) return;
  const stats = () => accelerator.segmentIndexStats();
  metrics.gauge(
    'tams_segment_index_flows',
    'Flows whose segment index is loaded in memory',
    () => stats()?.flows,
  );
  metrics.gauge(
    'tams_segment_index_segments',
    'Segments held by the in-memory segment index',
    () => stats()?.segments,
  );
  metrics.gauge(
    'tams_segment_index_bytes',
    'Estimated bytes held by the in-memory segment index',
    () => stats()?.bytes,
  );
  metrics.gauge(
    'tams_segment_index_budget_bytes',
    'Bytes the segment index may hold (TAMS_SEGMENT_INDEX_MEMORY_MB); least recently used Flows are dropped beyond it',
    () => stats()?.budget,
  );
  metrics.gauge(
    'tams_segment_index_loading',
    'Flows whose segment index is being read from the database',
    () => stats()?.loading,
  );
  metrics.gauge(
    'tams_segment_index_queued',
    'Flows whose segment index is asked for and waits for a read of the segments table',
    () => stats()?.queued,
  );
  metrics.gauge(
    'tams_segment_index_warming',
    '1 while the start-up warm-up of the segment index runs, else 0',
    () => (accelerator.segmentIndexWarming ? 1 : 0),
  );
  metrics.counterOf(
    'tams_segment_index_loads_total',
    'Flow segment indexes loaded from the database',
    () => stats()?.loads,
  );
  metrics.counterOf(
    'tams_segment_index_load_seconds_total',
    'Time spent reading segment indexes from the database (one read loads several Flows)',
    () => stats()?.loadSeconds,
  );
  metrics.counterOf(
    'tams_segment_index_load_failures_total',
    'Segment index loads that failed (the Flow is read from the database and loaded again later)',
    () => stats()?.loadFailures,
  );
  metrics.counterOf(
    'tams_segment_index_evictions_total',
    'Flow segment indexes dropped to stay within the memory budget',
    () => stats()?.evictions,
  );
  metrics.counterOf(
    'tams_segment_index_database_reads_total',
    "Segment reads answered from the database because the Flow's index was not loaded",
    () => stats()?.databaseReads,
  );
  metrics.counterOf(
    'tams_segment_index_snapshot_loads_total',
    'Flow segment indexes loaded from their snapshot file and the rows written since (not a scan of the segments table)',
    () => stats()?.snapshotLoads,
  );
  metrics.gauge(
    'tams_segment_index_unsaved_flows',
    'Flows written since their segment index snapshot was taken (or without one)',
    () => stats()?.unsaved,
  );
  metrics.gauge(
    'tams_segment_index_snapshots',
    'Flows with a segment index snapshot file',
    () => stats()?.snapshots?.files,
  );
  metrics.counterOf(
    'tams_segment_index_snapshot_writes_total',
    'Segment index snapshot files written',
    () => stats()?.snapshots?.written,
  );
  metrics.counterOf(
    'tams_segment_index_snapshot_write_failures_total',
    'Segment index snapshots that could not be written (the Flow loads by a scan)',
    () => stats()?.snapshots?.writeFailures,
  );
  metrics.counterOf(
    'tams_segment_index_snapshots_rejected_total',
    'Segment index snapshot files read back and not used (checksum or contents wrong); the Flow loaded by a scan',
    () => stats()?.snapshots?.rejected,
  );
}
