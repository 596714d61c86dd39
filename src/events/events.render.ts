import type { JsonValue } from '../db/db.types.ts';
import type { OutboxEvent } from '../store/events.repo.ts';
import type { WebhookFilters } from '../store/webhooks.repo.ts';

/**
 * Shapes a stored event payload for one subscriber, from its options (accept_get_urls,
 * accept_storage_ids, presigned, verbose_storage: DIGEST §10.1). The area owning the payload
 * provides it; the composition root (src/deps.ts) registers it by event type.
 */
export type PayloadRenderer = (payload: JsonValue, options: WebhookFilters) => JsonValue;

/** Event bodies as sent to webhooks and event streams: `{event_timestamp, event_type, event}`. */
export class EventRenderer {
  private readonly payloads: ReadonlyMap<string, PayloadRenderer>;

  constructor(payloads: Readonly<Record<string, PayloadRenderer>> = {}) {
    this.payloads = new Map(Object.entries(payloads));
  }

  render(event: OutboxEvent, options: WebhookFilters): string {
    const shape = this.payloads.get(event.event_type);
    return JSON.stringify({
      event_timestamp: event.event_timestamp.toISOString(),
      event_type: event.event_type,
      event: shape === undefined ? event.payload : shape(event.payload, options),
    });
  }
}
