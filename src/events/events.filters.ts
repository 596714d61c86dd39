import type { OutboxEvent } from '../store/outbox/events.repo.ts';
import type { WebhookApiVersion, WebhookFilters } from '../store/webhooks.repo.ts';
import { WEBHOOK_EVENT_TYPES } from './events.types.ts';

export interface Subscription {
  /** Event types wanted. */
  events: readonly string[];
  filters: WebhookFilters;
  /**
   * TAMS 8.2 (ADR 0049): an empty `flow_collected_by_ids` / `source_collected_by_ids` passes only
   * what no collection collects. Without it (7.0, and event streams) an empty list passes nothing.
   */
  emptyCollectedByMeansNone?: boolean;
}

const intersects = (a: readonly string[] | undefined, b: readonly string[]) =>
  (a ?? []).some((x) => b.includes(x));

/** Whether `collectedBy` passes a `*_collected_by_ids` filter. */
function collected(
  collectedBy: readonly string[] | undefined,
  wanted: readonly string[],
  noneOnEmpty: boolean,
) {
  if (wanted.length === 0 && noneOnEmpty) return (collectedBy ?? []).length === 0;
  return intersects(collectedBy, wanted);
}

/**
 * Whether an event passes a subscription's filters (ADR 0026): every filter set must pass.
 * flow_ids and flow_collected_by_ids concern Flow and segment events only; source_ids and
 * source_collected_by_ids concern Source events too (for Flow events: the Flow's Source).
 */
export function matches(subscription: Subscription, event: OutboxEvent): boolean {
  if (!subscription.events.includes(event.event_type)) return false;
  const f = subscription.filters;
  const flowEvent = event.event_type.startsWith('flows/');
  if (flowEvent && f.flow_ids && !(event.flow_id !== undefined && f.flow_ids.includes(event.flow_id)))
    return false;
  if (f.source_ids && !(event.source_id !== undefined && f.source_ids.includes(event.source_id)))
    return false;
  const none = subscription.emptyCollectedByMeansNone === true;
  if (
    flowEvent &&
    f.flow_collected_by_ids &&
    !collected(event.flow_collected_by, f.flow_collected_by_ids, none)
  ) {
    return false;
  }
  if (f.source_collected_by_ids && !collected(event.source_collected_by, f.source_collected_by_ids, none))
    return false;
  return true;
}

const split = (v: string | undefined) => (v === undefined ? undefined : v === '' ? [] : v.split(','));

/** The webhook filters and options as an event stream's query gives them: comma lists. */
export interface StreamLists {
  events?: string;
  flow_ids?: string;
  source_ids?: string;
  flow_collected_by_ids?: string;
  source_collected_by_ids?: string;
  accept_get_urls?: string;
  accept_storage_ids?: string;
  presigned?: boolean;
  verbose_storage?: boolean;
  /** The TAMS version of the bodies: 7.0's by default (docs/events.md). */
  api_version?: WebhookApiVersion;
  include_object_timerange?: boolean;
}

/** An event stream's subscription: every event type unless the query names some. */
export function streamSubscription(q: StreamLists): Subscription {
  const filters: WebhookFilters = {};
  const set = <K extends keyof WebhookFilters>(key: K, value: WebhookFilters[K] | undefined) => {
    if (value !== undefined) filters[key] = value;
  };
  set('flow_ids', split(q.flow_ids));
  set('source_ids', split(q.source_ids));
  set('flow_collected_by_ids', split(q.flow_collected_by_ids));
  set('source_collected_by_ids', split(q.source_collected_by_ids));
  set('accept_get_urls', split(q.accept_get_urls));
  set('accept_storage_ids', split(q.accept_storage_ids));
  set('presigned', q.presigned);
  set('verbose_storage', q.verbose_storage);
  set('include_object_timerange', q.include_object_timerange);
  // Only the TAMS event types: the outbox holds the store's own too (objects/deleted), never delivered.
  const known = (type: string) => (WEBHOOK_EVENT_TYPES as readonly string[]).includes(type);
  const events = (split(q.events) ?? [...WEBHOOK_EVENT_TYPES]).filter(known);
  // 8.2's reading of an empty *_collected_by_ids (ADR 0049), as for an 8.2 webhook.
  return q.api_version === '8.2' ? { events, filters, emptyCollectedByMeansNone: true } : { events, filters };
}
