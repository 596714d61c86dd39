import type { DbSession, JsonValue, Row } from '../db/db.types.ts';
import { and, col, or } from '../db/predicate.ts';
import { big, date, num, reqStr, str } from './rows.ts';
import { T } from './tables.ts';

/** The filters and get_urls transformations a webhook asked for (webhook-post.json). */
export interface WebhookFilters {
  flow_ids?: string[];
  source_ids?: string[];
  flow_collected_by_ids?: string[];
  source_collected_by_ids?: string[];
  accept_get_urls?: string[];
  accept_storage_ids?: string[];
  presigned?: boolean;
  verbose_storage?: boolean;
  /** TAMS 8.2: segments in flows/segments_added carry `object_timerange`. */
  include_object_timerange?: boolean;
}

/** The TAMS API version a webhook was created through: the version of its payloads, for life. */
export type WebhookApiVersion = '7.0' | '8.2';

/**
 * What is stored of a webhook's 8.2 `status`: `created` (registered, not delivering yet),
 * `started` (its deliveries have begun), `disabled` (by a client). 8.2's `error` is not stored:
 * it is a webhook whose deliveries the server suspended (`suspended`).
 */
export type WebhookState = 'created' | 'started' | 'disabled';

/** 8.2 tag values: a string or a list of strings (webhook tags only label the webhook). */
export type WebhookTags = Record<string, string | string[]>;

/**
 * The credential that registered a webhook: its scheme, which credential (token id, user name,
 * or JWT principal) and the scopes it granted then (src/http/principal.ts records it).
 */
export interface OwnerCredential {
  scheme: 'basic' | 'token' | 'jwt';
  id: string;
  scopes: string[];
}

export interface WebhookRecord {
  id: string;
  url: string;
  api_key_name?: string;
  api_key_value?: string;
  events: string[];
  filters: WebhookFilters;
  /** Rows from before 8.2 were created through 7.0. */
  api_version: WebhookApiVersion;
  /** Rows from before 8.2 are `started`. */
  status: WebhookState;
  tags: WebhookTags;
  /** Principal that registered it (listings show callers their own; only it or an admin changes it). */
  owner?: string;
  /** The credential that registered it; absent in rows registered before it was recorded. */
  credential?: OwnerCredential;
  /** Why deliveries are suspended (its owner may no longer read); events meanwhile are skipped. */
  suspended?: string;
  /** When `suspended` was set (absent in rows suspended before it was recorded). */
  suspended_at?: Date;
  created: Date;
  /** seq of the last event delivered, skipped or parked. */
  cursor: bigint;
  /** Failed attempts at the event after `cursor`. */
  attempts: number;
  next_attempt?: Date;
  last_error?: string;
  lease_owner?: string;
  lease_until?: Date;
}

/** `last_error` of a suspended webhook. */
export const suspensionError = (reason: string) => `deliveries suspended: ${reason}`;

export interface ParkedEvent {
  webhook_id: string;
  seq: bigint;
  event_type: string;
  attempts: number;
  error?: string;
  parked: Date;
}

/** Webhook registrations, their delivery state, and the events parked after every retry failed. */
export class WebhooksRepo {
  constructor(private readonly db: DbSession) {}

  async list(): Promise<WebhookRecord[]> {
    const rows = await this.db.select(T.webhooks, { orderBy: [{ column: 'created' }, { column: 'id' }] });
    return rows.map(fromRow);
  }

  async get(id: string): Promise<WebhookRecord | null> {
    const [row] = await this.db.select(T.webhooks, { where: and(col('id').eq(id)), limit: 1 });
    return row ? fromRow(row) : null;
  }

  async insert(webhook: WebhookRecord): Promise<void> {
    await this.db.insert(T.webhooks, [toRow(webhook)]);
  }

  /**
   * Saves only what a registration sets (URL, API key, events, filters, tags, status, owner,
   * credential; never the API version), so that the delivery state a replica's dispatcher writes
   * (cursor, attempts, lease) is never put back to what this transaction read. `resumed`: the
   * registration lifts a suspension, whose reason (and its `last_error`, when that is still the
   * suspension's) goes.
   */
  async saveRegistration(webhook: WebhookRecord, resumed: boolean): Promise<void> {
    const row = toRow(webhook);
    const changes: Row = {
      url: row.url,
      api_key_name: row.api_key_name,
      api_key_value: row.api_key_value,
      events: row.events,
      filters: row.filters,
      tags: row.tags,
      status: row.status,
      owner: row.owner,
      owner_scheme: row.owner_scheme,
      owner_credential: row.owner_credential,
      owner_scopes: row.owner_scopes,
    };
    if (resumed) {
      Object.assign(changes, {
        suspended: row.suspended,
        suspended_at: row.suspended_at,
        last_error: row.last_error,
      });
    }
    await this.db.update(T.webhooks, and(col('id').eq(webhook.id)), changes);
  }

  /**
   * `created` becomes `started` when its deliveries begin, unless a client changed the status
   * meanwhile (the condition is in the update, so a concurrent disable is never undone).
   */
  async markStarted(id: string): Promise<void> {
    await this.db.update(T.webhooks, and(col('id').eq(id), col('status').eq('created')), {
      status: 'started',
    });
  }

  /** Saves only the delivery state, so a registration updated meanwhile keeps its events and filters. */
  async saveDelivery(webhook: WebhookRecord): Promise<void> {
    const row = toRow(webhook);
    await this.db.update(T.webhooks, and(col('id').eq(webhook.id)), {
      cursor: row.cursor,
      attempts: row.attempts,
      next_attempt: row.next_attempt,
      last_error: row.last_error,
      lease_owner: row.lease_owner,
      lease_until: row.lease_until,
      suspended: row.suspended,
      suspended_at: row.suspended_at,
    });
  }

  /**
   * Frees every delivery lease not held by `owner`: for a process that knows no other can be
   * working on the store (the embedded engine admits one), such leases are a killed process's.
   */
  async releaseLeases(owner: string): Promise<number> {
    return this.db.update(
      T.webhooks,
      and(col('lease_until').isNotNull(), or(col('lease_owner').isNull(), col('lease_owner').ne(owner))),
      { lease_owner: null, lease_until: null },
    );
  }

  async delete(id: string): Promise<void> {
    await this.db.delete(T.webhooks, and(col('id').eq(id)));
  }

  async park(event: ParkedEvent): Promise<void> {
    await this.db.insert(T.parkedEvents, [
      {
        webhook_id: event.webhook_id,
        seq: event.seq,
        event_type: event.event_type,
        attempts: event.attempts,
        error: event.error ?? null,
        parked: event.parked,
      },
    ]);
  }

  async parked(limit: number): Promise<ParkedEvent[]> {
    const rows = await this.db.select(T.parkedEvents, {
      orderBy: [{ column: 'parked', direction: 'desc' }],
      limit,
    });
    return rows.map((r) => {
      const parked: ParkedEvent = {
        webhook_id: reqStr(r, 'webhook_id'),
        seq: big(r, 'seq') ?? 0n,
        event_type: reqStr(r, 'event_type'),
        attempts: num(r, 'attempts') ?? 0,
        parked: date(r, 'parked') ?? new Date(0),
      };
      const error = str(r, 'error');
      if (error !== undefined) parked.error = error;
      return parked;
    });
  }

  async parkedCount(): Promise<number> {
    return this.db.count(T.parkedEvents);
  }
}

function toRow(w: WebhookRecord): Row {
  return {
    id: w.id,
    url: w.url,
    api_key_name: w.api_key_name ?? null,
    api_key_value: w.api_key_value ?? null,
    events: w.events,
    filters: w.filters as JsonValue,
    owner: w.owner ?? null,
    created: w.created,
    cursor: w.cursor,
    attempts: w.attempts,
    next_attempt: w.next_attempt ?? null,
    last_error: w.last_error ?? null,
    lease_owner: w.lease_owner ?? null,
    lease_until: w.lease_until ?? null,
    owner_scheme: w.credential?.scheme ?? null,
    owner_credential: w.credential?.id ?? null,
    owner_scopes: w.credential?.scopes ?? null,
    suspended: w.suspended ?? null,
    suspended_at: w.suspended_at ?? null,
    api_version: w.api_version,
    status: w.status,
    tags: w.tags as JsonValue,
  };
}

const VERSIONS: readonly string[] = ['7.0', '8.2'] satisfies WebhookApiVersion[];
const STATES: readonly string[] = ['created', 'started', 'disabled'] satisfies WebhookState[];

/** Tags as stored, keeping only string and string-list values (a JSON column holds anything). */
function tagsOf(value: unknown): WebhookTags {
  const tags: WebhookTags = {};
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return tags;
  for (const [name, v] of Object.entries(value)) {
    if (typeof v === 'string') tags[name] = v;
    else if (Array.isArray(v)) tags[name] = v.filter((item): item is string => typeof item === 'string');
  }
  return tags;
}

const SCHEMES: readonly string[] = ['basic', 'token', 'jwt'] satisfies OwnerCredential['scheme'][];

function credentialOf(row: Row): OwnerCredential | undefined {
  const scheme = str(row, 'owner_scheme');
  const id = str(row, 'owner_credential');
  if (scheme === undefined || id === undefined || !SCHEMES.includes(scheme)) return undefined;
  const scopes = Array.isArray(row.owner_scopes) ? row.owner_scopes.filter((s) => typeof s === 'string') : [];
  return { scheme: scheme as OwnerCredential['scheme'], id, scopes };
}

function fromRow(row: Row): WebhookRecord {
  const webhook: WebhookRecord = {
    id: reqStr(row, 'id'),
    url: reqStr(row, 'url'),
    events: (row.events as string[] | null) ?? [],
    filters: (row.filters as WebhookFilters | null) ?? {},
    api_version: (VERSIONS.find((v) => v === str(row, 'api_version')) as WebhookApiVersion) ?? '7.0',
    status: (STATES.find((s) => s === str(row, 'status')) as WebhookState) ?? 'started',
    tags: tagsOf(row.tags),
    created: date(row, 'created') ?? new Date(0),
    cursor: big(row, 'cursor') ?? 0n,
    attempts: num(row, 'attempts') ?? 0,
  };
  const credential = credentialOf(row);
  if (credential !== undefined) webhook.credential = credential;
  for (const key of [
    'api_key_name',
    'api_key_value',
    'owner',
    'last_error',
    'lease_owner',
    'suspended',
  ] as const) {
    const v = str(row, key);
    if (v !== undefined) webhook[key] = v;
  }
  const next = date(row, 'next_attempt');
  if (next !== undefined) webhook.next_attempt = next;
  const until = date(row, 'lease_until');
  if (until !== undefined) webhook.lease_until = until;
  const suspendedAt = date(row, 'suspended_at');
  if (suspendedAt !== undefined) webhook.suspended_at = suspendedAt;
  return webhook;
}
