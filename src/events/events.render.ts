import type { JsonValue } from '../db/db.types.ts';
import type { OutboxEvent } from '../store/outbox/events.repo.ts';
import type { WebhookApiVersion, WebhookFilters } from '../store/webhooks.repo.ts';

/**
 * Makes the `event` of a body from a stored payload, for one subscriber: in the document of one
 * API version, shaped by the subscriber's options (accept_get_urls, accept_storage_ids,
 * presigned, verbose_storage: DIGEST §10.1; 8.2's include_object_timerange). The area owning the
 * payload provides it; the composition root (src/deps.events.ts) registers it by event type. A
 * type without one is sent as stored (its payload is the same in every version: `{flow_id}`).
 */
export type PayloadRenderer = (payload: JsonValue, options: WebhookFilters) => JsonValue;

/** Makes the body of one event for one subscriber. */
export interface EventBodies {
  render(event: OutboxEvent, options: WebhookFilters): string;
}

/** Event bodies as sent to webhooks and event streams: `{event_timestamp, event_type, event}`. */
export class EventRenderer implements EventBodies {
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

/**
 * The event bodies of each TAMS API version: a webhook receives those of the version it was
 * created through (docs/events.md). Each version's payload renderers make its documents from the
 * store's model the outbox keeps (events.model.ts), as its GET answers are made.
 */
export type VersionedBodies = Readonly<Record<WebhookApiVersion, EventBodies>>;
