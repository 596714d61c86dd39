import type { OutboxEvent } from '../store/events.repo.ts';
import type { WebhookFilters } from '../store/webhooks.repo.ts';

export interface Subscription {
  /** Event types wanted. */
  events: readonly string[];
  filters: WebhookFilters;
}

const intersects = (a: readonly string[] | undefined, b: readonly string[]) =>
  (a ?? []).some((x) => b.includes(x));

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
  if (flowEvent && f.flow_collected_by_ids && !intersects(event.flow_collected_by, f.flow_collected_by_ids)) {
    return false;
  }
  if (f.source_collected_by_ids && !intersects(event.source_collected_by, f.source_collected_by_ids))
    return false;
  return true;
}
