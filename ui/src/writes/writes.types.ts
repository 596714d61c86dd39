import type { Tags, Webhook } from '../api/types.ts';

/** The eight event types of TAMS 8.2's webhooks. */
export const EVENT_TYPES = [
  'flows/created',
  'flows/updated',
  'flows/deleted',
  'flows/segments_added',
  'flows/segments_deleted',
  'sources/created',
  'sources/updated',
  'sources/deleted',
] as const;

/** A webhook as 8.2 answers it (webhook-get.json): every field a PUT must send back. */
export interface WebhookDoc extends Webhook {
  flow_collected_by_ids?: string[];
  source_collected_by_ids?: string[];
  accept_get_urls?: string[];
  accept_storage_ids?: string[];
  presigned?: boolean;
  verbose_storage?: boolean;
  include_object_timerange?: boolean;
  tags?: Tags;
}

/** An API token as administrators see it (GET /auth/tokens): never its value. */
export interface Token {
  id: string;
  name: string;
  principal: string;
  hint: string;
  scopes: string[];
  created: string;
  created_by?: string;
  expires?: string;
  revoked?: string;
}

/** POST /auth/tokens: the token with its value, shown this once. */
export interface IssuedToken extends Token {
  token: string;
}
