/** The event types of TAMS 7.0, which webhooks and event streams deliver (DIGEST §10). */
export const WEBHOOK_EVENT_TYPES = [
  'flows/created',
  'flows/updated',
  'flows/deleted',
  'flows/segments_added',
  'flows/segments_deleted',
  'sources/created',
  'sources/updated',
  'sources/deleted',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** Events about a Flow or its segments: they carry the Flow's filters (ADR 0026). */
export type FlowEventType = Extract<WebhookEventType, `flows/${string}`>;
/** Events about a Source. */
export type SourceEventType = Extract<WebhookEventType, `sources/${string}`>;
