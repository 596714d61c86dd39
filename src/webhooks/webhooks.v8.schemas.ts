/**
 * TAMS 8.2's webhook schemas: `webhook.json` (7.0's less `api_key_value`, `events` an enum of
 * the eight types, plus `include_object_timerange` and `tags`), `webhook-get.json` (+ `id`,
 * `status`, `error`), `webhook-post.json` (+ `api_key_value`, `status` created|disabled) and
 * `webhook-put.json` (+ `id`, `api_key_value`, `status` required), each with the `allOf` of the
 * spec written out flat; (the listing's query is its route's).
 */
import type { Static } from 'typebox';
import { Type } from 'typebox';
import { WEBHOOK_EVENT_TYPES, type WebhookEventType } from '../events/events.types.ts';
import { describe, ErrorInfo, Uuid } from '../http/common.schemas.ts';
import { Tags82 } from '../http/tags.version.ts';
import { ApiKeyValue, SAME_AS_QUERY, type WebhookFieldWords, webhookFields } from './webhooks.fields.ts';

const EventType = Type.Unsafe<WebhookEventType>({ type: 'string', enum: [...WEBHOOK_EVENT_TYPES] });

const WORDS_82: WebhookFieldWords = {
  url: 'The URL to which the service instance should make HTTP POST requests with event data',
  api_key_name: 'The HTTP header name that is added to the event POST',
  flow_collected_by_ids:
    'Limit Flow and Flow Segment events to those with a Flow that is collected by a Flow Collection in the given list of Flow Collection IDs. An empty array limits events to Flows that are not collected by any Flow Collection.',
  source_collected_by_ids:
    'Limit Flow, Flow Segment and Source events to those with a Source that is collected by a Source Collection in the given list of Source Collection IDs. An empty array limits events to Sources that are not collected by any Source Collection.',
  accept_get_urls: `List of labels of URLs to include in the \`get_urls\` property in \`flows/segments_added\` events. ${SAME_AS_QUERY} The same as the \`accept_get_urls\` query parameter of GET /flows/{flowId}/segments, as a JSON array.`,
  accept_storage_ids: `List of \`storage_id\`s to include in the \`get_urls\` property in \`flows/segments_added\` events. ${SAME_AS_QUERY} The same as the \`accept_storage_ids\` query parameter of GET /flows/{flowId}/segments, as a JSON array.`,
  presigned: `Whether to include presigned/non-presigned URLs in the \`get_urls\` property in \`flows/segments_added\` events. ${SAME_AS_QUERY}`,
  verbose_storage:
    'Whether to include storage metadata in the `get_urls` property in `flows/segments_added` events.',
};

const WebhookFields = {
  ...webhookFields(WORDS_82, EventType),
  include_object_timerange: Type.Optional(
    Type.Boolean({
      description:
        "If `true`, the underlying object's timerange should appear in `flows/segments_added` events (`object_timerange` of each segment, as `include_object_timerange=true` gives it on GET segments). Assumed `false` if omitted. Refused (400) on a webhook created through TAMS 7.0, whose event payloads are 7.0's.",
    }),
  ),
  tags: Type.Optional(
    describe(Tags82, 'Tags labelling the webhook, filterable with `tag.{name}` on the listing.'),
  ),
};

const WebhookId = describe(Uuid, 'Webhook identifier');
const STATUS_TEXT =
  "`created`: registered, deliveries not begun yet (they begin with the next event committed). `started`: delivering. `disabled`: disabled by a client, sending nothing (events meanwhile are skipped, not kept). `error`: the server suspended deliveries (the owner's credential no longer grants read), `error` says why. A webhook in `error` or `disabled` is enabled again by setting `created`; one in `created` or `started` is disabled by setting `disabled`; `error` to `disabled` is refused.";

export const WebhookStatus = Type.Union(
  [Type.Literal('created'), Type.Literal('started'), Type.Literal('disabled'), Type.Literal('error')],
  { type: 'string', description: `Status of the Webhook. ${STATUS_TEXT}` },
);
export type WebhookStatus = Static<typeof WebhookStatus>;

const ClientStatus = (description: string) =>
  Type.Union([Type.Literal('created'), Type.Literal('disabled')], { type: 'string', description });

export const WebhookGet = Type.Object(
  {
    id: WebhookId,
    ...WebhookFields,
    status: WebhookStatus,
    error: Type.Optional(
      describe(ErrorInfo, 'Why the webhook is in the `error` state, as described by the Error type.'),
    ),
    owner: Type.Optional(
      Type.String({
        description:
          'A tams-server extension: the principal that registered the webhook (with authentication on). Only it or an administrator sees, changes or deletes it; it receives only while its owner may read.',
      }),
    ),
  },
  { title: 'Webhook Detail', description: 'Describes a Webhook' },
);
export type WebhookGet = Static<typeof WebhookGet>;

export const WebhookPostV8 = Type.Object(
  {
    ...WebhookFields,
    api_key_value: Type.Optional(ApiKeyValue),
    status: Type.Optional(
      ClientStatus(
        'Status of the Webhook. `created` registers it to deliver, `disabled` registers it without delivering. Assumed to be `created` if not set.',
      ),
    ),
  },
  { title: 'Register Webhook', description: 'Register to receive updates via webhook' },
);
export type WebhookPostV8 = Static<typeof WebhookPostV8>;

export const WebhookPut = Type.Object(
  {
    id: WebhookId,
    ...WebhookFields,
    api_key_value: Type.Optional(ApiKeyValue),
    status: ClientStatus(`Status of the Webhook. ${STATUS_TEXT}`),
  },
  { title: 'Modify Webhook', description: 'Modify existing webhook' },
);
export type WebhookPut = Static<typeof WebhookPut>;

export const WebhookParams = Type.Object({ webhookId: describe(Uuid, 'The Webhook identifier.') });
