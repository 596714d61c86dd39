/**
 * What both versions' webhook writes check and build alike: the event types, the URL (SSRF
 * guard), the filters and transformations each version supports, the cell limits, and a new
 * registration's record. The version-specific rules are in webhooks.service.ts (7.0) and
 * webhooks.v8.service.ts (8.2).
 */
import { checkCell, checkDocument } from '../common/cells.ts';
import type { Clock } from '../common/clock.ts';
import { BadRequestError } from '../common/errors.ts';
import type { IdGenerator } from '../common/ids.ts';
import { type UrlGuard, UrlRefused } from '../common/url.guard.ts';
import { WEBHOOK_EVENT_TYPES } from '../events/events.types.ts';
import type { RecordedCredential } from '../http/principal.ts';
import type { StoreTx, TamsStore } from '../store/store.ts';
import {
  suspensionError,
  type WebhookApiVersion,
  type WebhookFilters,
  type WebhookRecord,
  type WebhookState,
  type WebhookTags,
} from '../store/webhooks.repo.ts';

export interface WebhooksServiceDeps {
  store: TamsStore;
  clock: Clock;
  ids: IdGenerator;
  guard: UrlGuard;
  /** Tells the dispatcher the registrations changed. */
  changed: () => void;
}

/**
 * Who is asking: callers see and change their own registrations, administrators everyone's
 * (with TAMS_AUTH=none everyone administers and nothing is owned).
 */
export interface Viewer {
  name?: string;
  admin: boolean;
  /** The credential of the request, recorded with what it registers. */
  credential?: RecordedCredential;
}

/** The filters and get_urls transformations of TAMS 7.0 (webhook-post.json), in its order. */
export const FILTER_KEYS_7_0 = [
  'flow_ids',
  'source_ids',
  'flow_collected_by_ids',
  'source_collected_by_ids',
  'accept_get_urls',
  'accept_storage_ids',
  'presigned',
  'verbose_storage',
] as const satisfies readonly (keyof WebhookFilters)[];

/** 8.2's: 7.0's and `include_object_timerange`. */
export const FILTER_KEYS_8_2 = [
  ...FILTER_KEYS_7_0,
  'include_object_timerange',
] as const satisfies readonly (keyof WebhookFilters)[];

/** The fields of a registration body: its identity, events, options and (8.2) tags and status. */
export interface RegistrationBody {
  url: string;
  api_key_name?: string;
  api_key_value?: string;
  events: string[];
  [option: string]: unknown;
}

/** A body property the server does not know is a filter or transformation it cannot apply: 400. */
export function refuseUnknownOptions(body: object, known: readonly string[]): void {
  const extra = Object.keys(body).filter((k) => !known.includes(k));
  if (extra.length > 0) throw new BadRequestError(`Unsupported webhook options: ${extra.join(', ')}`);
}

export function checkEventTypes(events: readonly string[]): void {
  const unknown = events.filter((e) => !(WEBHOOK_EVENT_TYPES as readonly string[]).includes(e));
  if (unknown.length > 0) {
    throw new BadRequestError(
      `Unsupported event types: ${unknown.join(', ')} (supported: ${WEBHOOK_EVENT_TYPES.join(', ')})`,
    );
  }
}

/** The URL may be called (TAMS_WEBHOOK_ALLOW, public unicast addresses): 400 otherwise. */
export async function checkUrl(guard: UrlGuard, url: string): Promise<void> {
  try {
    await guard.check(url);
  } catch (error) {
    if (error instanceof UrlRefused) throw new BadRequestError(`Webhook url refused: ${error.message}`);
    throw error;
  }
}

/** The options of `keys` the body gives, in that order. */
export function filtersOf(
  body: Record<string, unknown>,
  keys: readonly (keyof WebhookFilters)[],
): WebhookFilters {
  const filters: WebhookFilters = {};
  for (const key of keys) {
    if (body[key] !== undefined) (filters as Record<string, unknown>)[key] = body[key];
  }
  return filters;
}

/** Each is one stored value (the filters all together, the tags all together): none may exceed a cell. */
export function checkCells(body: RegistrationBody, filters: WebhookFilters, tags?: WebhookTags): void {
  for (const key of ['url', 'events', 'api_key_name', 'api_key_value'] as const) checkCell(key, body[key]);
  checkDocument("a webhook's filters", filters, 'the registration');
  if (tags !== undefined) checkDocument("a webhook's tags", tags, 'the registration');
}

/** The fields of a new registration. */
export interface NewRegistration {
  url: string;
  api_key_name?: string | undefined;
  api_key_value?: string | undefined;
  events: string[];
  filters: WebhookFilters;
  tags: WebhookTags;
  status: WebhookState;
  api_version: WebhookApiVersion;
}

/** Inserts a new webhook owned by `caller`, delivering events committed from now on. */
export async function insertRegistration(
  store: StoreTx,
  id: string,
  created: Date,
  fields: NewRegistration,
  caller: Viewer,
): Promise<WebhookRecord> {
  const { api_key_name, api_key_value, ...rest } = fields;
  const webhook: WebhookRecord = {
    id,
    ...rest,
    created,
    // Events from now on: every one committed after this transaction's snapshot comes (on a
    // shared database, one committed shortly before may come too); older ones are not replayed.
    cursor: await store.events.startCursor(),
    attempts: 0,
  };
  if (api_key_name !== undefined) webhook.api_key_name = api_key_name;
  if (api_key_value !== undefined) webhook.api_key_value = api_key_value;
  if (caller.name !== undefined) webhook.owner = caller.name;
  if (caller.credential !== undefined) webhook.credential = caller.credential;
  await store.webhooks.insert(webhook);
  return webhook;
}

/**
 * The owner registering (7.0) or updating (8.2) its webhook again renews the credential its
 * deliveries are judged by, and lifts a suspension (the dispatcher suspends it again at its next
 * pass if that credential cannot read either). Returns whether it did (someone else's change,
 * an administrator's, keeps both).
 */
export function renewCredential(updated: WebhookRecord, existing: WebhookRecord, caller: Viewer): boolean {
  const credential = existing.owner === caller.name ? caller.credential : undefined;
  if (credential === undefined) return false;
  updated.credential = credential;
  if (existing.suspended !== undefined && existing.last_error === suspensionError(existing.suspended)) {
    delete updated.last_error;
  }
  delete updated.suspended;
  delete updated.suspended_at;
  return true;
}
