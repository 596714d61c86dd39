import type { JsonValue } from '../db/db.types.ts';
import type { UrlContext } from '../media/media.types.ts';
import type { GetUrlBuilder } from '../segments/segments.urls.ts';
import type { OutboxEvent } from '../store/events.repo.ts';
import type { WebhookFilters } from '../store/webhooks.repo.ts';
import { type StoredSegment, storedStorage } from './events.log.ts';

/**
 * An event's body as sent: `{event_timestamp, event_type, event}`. The segments of
 * flows/segments_added get their get_urls now, shaped by the subscriber's own
 * accept_get_urls / accept_storage_ids / presigned / verbose_storage (DIGEST §10.1).
 */
export function renderEvent(
  event: OutboxEvent,
  filters: WebhookFilters,
  urls: GetUrlBuilder,
  ctx: UrlContext,
): string {
  let payload = event.payload;
  if (event.event_type === 'flows/segments_added') {
    const { flow_id, segments } = payload as { flow_id: string; segments: StoredSegment[] };
    const filter = {
      verbose: filters.verbose_storage ?? false,
      labels: filters.accept_get_urls === undefined ? undefined : new Set(filters.accept_get_urls),
      storageIds: filters.accept_storage_ids === undefined ? undefined : new Set(filters.accept_storage_ids),
      presigned: filters.presigned,
    };
    const made = urls.buildMany(
      segments.map((s) => ({ storage: storedStorage(flow_id, s), get_urls: s.get_urls })),
      filter,
      ctx,
    );
    payload = {
      flow_id,
      segments: segments.map(({ storage: _storage, get_urls: _urls, ...fields }, i) => ({
        ...fields,
        get_urls: made[i],
      })) as unknown as JsonValue,
    };
  }
  return JSON.stringify({
    event_timestamp: event.event_timestamp.toISOString(),
    event_type: event.event_type,
    event: payload,
  });
}
