import type { JsonValue } from '../db/db.types.ts';
import type { OutboxEvent } from '../store/events.repo.ts';
import type { WebhookApiVersion, WebhookFilters } from '../store/webhooks.repo.ts';

/**
 * Shapes a stored event payload for one subscriber, from its options (accept_get_urls,
 * accept_storage_ids, presigned, verbose_storage: DIGEST §10.1). The area owning the payload
 * provides it; the composition root (src/deps.ts) registers it by event type.
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
 * created through (docs/events.md). The outbox keeps 7.0's documents; 8.2's are made from them.
 */
export type VersionedBodies = Readonly<Record<WebhookApiVersion, EventBodies>>;

/**
 * A version's payloads made from another's: each event type's `adapt` applied to what `base`
 * renders (types without one are the same in both versions).
 */
export function adaptedRenderer(
  base: Readonly<Record<string, PayloadRenderer>>,
  adapt: Readonly<Record<string, (payload: JsonValue) => JsonValue>>,
): EventRenderer {
  const payloads: Record<string, PayloadRenderer> = { ...base };
  for (const [type, change] of Object.entries(adapt)) {
    const first = base[type];
    payloads[type] = first === undefined ? (p) => change(p) : (p, options) => change(first(p, options));
  }
  return new EventRenderer(payloads);
}
