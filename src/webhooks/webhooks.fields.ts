/**
 * The fields of a webhook that TAMS 7.0's `webhook.json` and 8.2's share: the same constraints in
 * both; what differs is the words each spec uses (WebhookFieldWords) and the schema of an event
 * type (7.0 any string, 8.2 one of the eight). Written in the order both specs list them.
 */
import type { TSchema } from 'typebox';
import { Type } from 'typebox';
import { Uuid } from '../http/common.schemas.ts';

export const SAME_AS_QUERY =
  'Where multiple `get_urls` filter query parameters are provided, the included `get_urls` will match all filters.';

/** `api_key_value`: both versions take it in a registration, neither ever answers it. */
export const ApiKeyValue = Type.String({
  description: "The value that the HTTP header 'api_key_name' will be set to",
});

/** A version's descriptions of the fields whose words differ between 7.0 and 8.2. */
export interface WebhookFieldWords {
  url: string;
  api_key_name: string;
  flow_collected_by_ids: string;
  source_collected_by_ids: string;
  accept_get_urls: string;
  accept_storage_ids: string;
  presigned: string;
  verbose_storage: string;
}

export function webhookFields<E extends TSchema>(words: WebhookFieldWords, eventType: E) {
  return {
    url: Type.String({ description: words.url }),
    api_key_name: Type.Optional(Type.String({ description: words.api_key_name })),
    events: Type.Array(eventType, { description: 'List of event types to receive' }),
    flow_ids: Type.Optional(
      Type.Array(Uuid, {
        description: 'Limit Flow and Flow Segment events to Flows in the given list of Flow IDs',
      }),
    ),
    source_ids: Type.Optional(
      Type.Array(Uuid, {
        description: 'Limit Flow, Flow Segment and Source events to Sources in the given list of Source IDs',
      }),
    ),
    flow_collected_by_ids: Type.Optional(Type.Array(Uuid, { description: words.flow_collected_by_ids })),
    source_collected_by_ids: Type.Optional(Type.Array(Uuid, { description: words.source_collected_by_ids })),
    accept_get_urls: Type.Optional(Type.Array(Type.String(), { description: words.accept_get_urls })),
    accept_storage_ids: Type.Optional(Type.Array(Uuid, { description: words.accept_storage_ids })),
    presigned: Type.Optional(Type.Boolean({ description: words.presigned })),
    verbose_storage: Type.Optional(Type.Boolean({ description: words.verbose_storage })),
  };
}
