/**
 * `webhook.json`, `webhook-post.json` and the event payloads of the OpenAPI `webhooks:` section.
 *
 * The spec's payload schemas have no top-level `type`; ours say `type: object`, since every event
 * we send is an object (a non-object body would be a bug, not a different event).
 */

import type { Static, TProperties } from 'typebox';
import { Type } from 'typebox';
import type { WebhookEventType } from '../events/events.types.ts';
import { Flow } from '../flows/flows.schemas.ts';
import { DateTime, describe, TimeRange, Uuid } from '../http/common.schemas.ts';
import { FlowSegment } from '../segments/segments.schemas.ts';
import { Source } from '../sources/sources.schemas.ts';
import { ApiKeyValue, SAME_AS_QUERY, type WebhookFieldWords, webhookFields } from './webhooks.fields.ts';

/** 7.0's words for a webhook's fields; `apiKeyName` differs between a registration and a listing. */
const words70 = (apiKeyName: string): WebhookFieldWords => ({
  url: 'The URL to which the API should make HTTP POST requests with event data',
  api_key_name: apiKeyName,
  flow_collected_by_ids:
    'Limit Flow and Flow Segment events to those with Flow that is collected by a Flow Collection in the given list of Flow Collection IDs',
  source_collected_by_ids:
    'Limit Flow, Flow Segment and Source events to those with Source that is collected by a Source Collection in the given list of Source Collection IDs',
  accept_get_urls: `List of labels of URLs to include in the \`get_urls\` property in \`flows/segments_added\` events. ${SAME_AS_QUERY} This option is the same as the \`accept_get_urls\` query parameter for the /flows/{flowId}/segments API endpoint, except that the labels are represented using a JSON array rather than a (comma separated list) string.`,
  accept_storage_ids: `List of labels of \`storage_id\`s to include in the \`get_urls\` property in \`flows/segments_added\` events. ${SAME_AS_QUERY} This option is the same as the \`accept_storage_ids\` query parameter for the /flows/{flowId}/segments API endpoint, except that the IDs are represented using a JSON array rather than a (comma separated list) string.`,
  presigned: `Whether to include presigned/non-presigned URLs in the \`get_urls\` property in \`flows/segments_added\` events. ${SAME_AS_QUERY} This option is the same as the \`presigned\` query parameter for the /flows/{flowId}/segments API endpoint.`,
  verbose_storage:
    'Whether to include storage metadata in the `get_urls` property in `flows/segments_added` events. This option is the same as the `verbose_storage` query parameter for the /flows/{flowId}/segments API endpoint.',
});

/** 7.0's webhook fields: the shared ones (webhooks.fields.ts) with `api_key_value` after `api_key_name`. */
function webhookProperties(apiKeyNameDescription: string) {
  const { url, api_key_name, ...rest } = webhookFields(words70(apiKeyNameDescription), Type.String());
  return {
    url,
    api_key_name,
    api_key_value: Type.Optional(ApiKeyValue),
    ...rest,
  };
}

const WEBHOOK_OPTIONS = { title: 'Register Webhook', description: 'Register to receive updates via webhook' };

/** A registered webhook as listed by `GET /service/webhooks` (which omits `api_key_value`). */
export const Webhook = Type.Object(
  {
    ...webhookProperties('The HTTP header name that is added to the event POST'),
    owner: Type.Optional(
      Type.String({
        description:
          'A tams-server extension: the principal that registered the webhook (with authentication on). Only it or an administrator can update or remove it; it receives only while its owner may read.',
      }),
    ),
    delivery_suspended: Type.Optional(
      Type.String({
        description:
          "A tams-server extension: why events are not being delivered: the owner's credential no longer grants read (API token revoked or expired, user removed, read scope gone). Events meanwhile are skipped, not kept; the owner registering the webhook again records its current credential.",
      }),
    ),
  },
  WEBHOOK_OPTIONS,
);
export type Webhook = Static<typeof Webhook>;

export const WebhooksList = Type.Array(Webhook);
export type WebhooksList = Static<typeof WebhooksList>;

export const WebhookPost = Type.Object(
  webhookProperties("The HTTP header name that is added to the event POST with value 'api_key_value'"),
  WEBHOOK_OPTIONS,
);
export type WebhookPost = Static<typeof WebhookPost>;

function eventSchema<E extends WebhookEventType, P extends TProperties>(
  eventType: E,
  timestampDescription: string,
  event: P,
  options: { title: string; description: string },
) {
  return Type.Object(
    {
      event_timestamp: describe(DateTime, timestampDescription),
      event_type: Type.Literal(eventType),
      event: Type.Object(event),
    },
    options,
  );
}

export const FlowCreatedEvent = eventSchema(
  'flows/created',
  'Timestamp at which the new Flow was created',
  { flow: Flow },
  {
    title: 'Flow Created Notification',
    description: 'Information about a Flow which has been newly created in this store instance',
  },
);
export type FlowCreatedEvent = Static<typeof FlowCreatedEvent>;

export const FlowUpdatedEvent = eventSchema(
  'flows/updated',
  'Timestamp at which the Flow was modified',
  { flow: Flow },
  {
    title: 'Flow Updated Notification',
    description: 'Information about a Flow for which the metadata has been modified.',
  },
);
export type FlowUpdatedEvent = Static<typeof FlowUpdatedEvent>;

export const FlowDeletedEvent = eventSchema(
  'flows/deleted',
  'Timestamp at which the Flow was modified',
  { flow_id: Uuid },
  {
    title: 'Flow Deleted Notification',
    description: 'Notification that a Flow has been deleted (or scheduled for deletion).',
  },
);
export type FlowDeletedEvent = Static<typeof FlowDeletedEvent>;

export const FlowSegmentsAddedEvent = eventSchema(
  'flows/segments_added',
  'Timestamp at which the most recent segment in the timerange was added (and the message generated)',
  { flow_id: Uuid, segments: Type.Array(FlowSegment) },
  { title: 'Flow Segments Added', description: 'Notification that new segments have been added to a Flow.' },
);
export type FlowSegmentsAddedEvent = Static<typeof FlowSegmentsAddedEvent>;

// 7.0 gives this event `const: flows/segments_added` (a copy-paste typo, fixed in 8.0); we send
// and validate the event type it is registered under.
export const FlowSegmentsDeletedEvent = eventSchema(
  'flows/segments_deleted',
  'Timestamp at which the most recent segment in the timerange was added (and the message generated)',
  {
    flow_id: Uuid,
    timerange: describe(
      TimeRange,
      'The timerange of segments that have been deleted. The timerange MUST intersect with a segment which has been deleted at both start and end (e.g. it cannot start or end in empty space).',
    ),
  },
  {
    title: 'Flow Segments Deleted',
    description: 'Notification that segments have been deleted from a Flow.',
  },
);
export type FlowSegmentsDeletedEvent = Static<typeof FlowSegmentsDeletedEvent>;

export const SourceCreatedEvent = eventSchema(
  'sources/created',
  'Timestamp at which the new Source was created',
  { source: Source },
  {
    title: 'Source Created Notification',
    description: 'Information about a Source which has been newly created in this store instance',
  },
);
export type SourceCreatedEvent = Static<typeof SourceCreatedEvent>;

export const SourceUpdatedEvent = eventSchema(
  'sources/updated',
  'Timestamp at which the Source was modified',
  { source: Source },
  {
    title: 'Source Updated Notification',
    description: 'Information about a Source for which the metadata has been modified.',
  },
);
export type SourceUpdatedEvent = Static<typeof SourceUpdatedEvent>;

export const SourceDeletedEvent = eventSchema(
  'sources/deleted',
  'Timestamp at which the Source was modified',
  { source_id: Uuid },
  { title: 'Source Deleted Notification', description: 'Notification that a Source has been deleted.' },
);
export type SourceDeletedEvent = Static<typeof SourceDeletedEvent>;

/** Every event payload, by the event type it is registered under. */
export const WebhookEvents = {
  'flows/created': FlowCreatedEvent,
  'flows/updated': FlowUpdatedEvent,
  'flows/deleted': FlowDeletedEvent,
  'flows/segments_added': FlowSegmentsAddedEvent,
  'flows/segments_deleted': FlowSegmentsDeletedEvent,
  'sources/created': SourceCreatedEvent,
  'sources/updated': SourceUpdatedEvent,
  'sources/deleted': SourceDeletedEvent,
} as const;

export type WebhookEvent =
  | FlowCreatedEvent
  | FlowUpdatedEvent
  | FlowDeletedEvent
  | FlowSegmentsAddedEvent
  | FlowSegmentsDeletedEvent
  | SourceCreatedEvent
  | SourceUpdatedEvent
  | SourceDeletedEvent;
