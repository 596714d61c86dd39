import { checkCell, checkDocument } from '../common/cells.ts';
import type { Clock } from '../common/clock.ts';
import { BadRequestError } from '../common/errors.ts';
import type { IdGenerator } from '../common/ids.ts';
import { type UrlGuard, UrlRefused } from '../events/events.ssrf.ts';
import { WEBHOOK_EVENT_TYPES } from '../events/events.types.ts';
import type { RecordedCredential } from '../http/principal.ts';
import type { TamsStore } from '../store/store.ts';
import { suspensionError, type WebhookFilters, type WebhookRecord } from '../store/webhooks.repo.ts';
import type { Webhook, WebhookPost } from './webhooks.schemas.ts';

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

const IDENTITY_KEYS = ['url', 'events', 'api_key_name', 'api_key_value'] as const;
const FILTER_KEYS = [
  'flow_ids',
  'source_ids',
  'flow_collected_by_ids',
  'source_collected_by_ids',
  'accept_get_urls',
  'accept_storage_ids',
  'presigned',
  'verbose_storage',
] as const;

/**
 * POST/GET /service/webhooks (DIGEST §10.1): a registration is identified by its URL, API key
 * name and value; posting the same identity again replaces its events and filters, an empty
 * `events` removes it. Every filter and transformation of 7.0 is supported.
 *
 * Registrations belong to the principal that made them. A caller's POST matches only its own
 * (another principal's identical URL and key make a registration of the caller's own; an empty
 * `events` then removes nothing); an administrator's matches every registration with the
 * identity, whoever owns it, and leaves each with its owner. Registering records the caller's
 * credential, which deliveries are checked against (src/events/events.dispatcher.ts).
 */
export class WebhooksService {
  constructor(private readonly deps: WebhooksServiceDeps) {}

  /** Registers, updates or (empty events) removes; returns which. */
  async register(body: WebhookPost, caller: Viewer): Promise<'registered' | 'removed'> {
    // The schema admits other properties (later versions add filters): one we do not know is a
    // filter or transformation we cannot apply, which the spec says to refuse.
    const known: readonly string[] = [...IDENTITY_KEYS, ...FILTER_KEYS];
    const extra = Object.keys(body).filter((k) => !known.includes(k));
    if (extra.length > 0) {
      throw new BadRequestError(`Unsupported webhook options: ${extra.join(', ')}`);
    }
    const unknown = body.events.filter((e) => !(WEBHOOK_EVENT_TYPES as readonly string[]).includes(e));
    if (unknown.length > 0) {
      throw new BadRequestError(
        `Unsupported event types: ${unknown.join(', ')} (supported: ${WEBHOOK_EVENT_TYPES.join(', ')})`,
      );
    }
    if (body.events.length > 0) {
      try {
        await this.deps.guard.check(body.url);
      } catch (error) {
        if (error instanceof UrlRefused) throw new BadRequestError(`Webhook url refused: ${error.message}`);
        throw error;
      }
    }
    const filters: WebhookFilters = {};
    for (const key of FILTER_KEYS) {
      if (body[key] !== undefined) (filters as Record<string, unknown>)[key] = body[key];
    }
    // Each of these is one stored value (the filters all together): none may exceed a cell.
    for (const key of IDENTITY_KEYS) checkCell(key, body[key]);
    checkDocument("a webhook's filters", filters, 'the registration');
    const outcome = await this.deps.store.transaction(async (store) => {
      const matching = (await store.webhooks.list()).filter(
        (w) =>
          w.url === body.url &&
          w.api_key_name === body.api_key_name &&
          w.api_key_value === body.api_key_value &&
          (caller.admin || w.owner === caller.name),
      );
      if (body.events.length === 0) {
        for (const w of matching) await store.webhooks.delete(w.id);
        return 'removed' as const;
      }
      const events = [...new Set(body.events)];
      for (const existing of matching) {
        const updated: WebhookRecord = { ...existing, events, filters };
        // The owner registering again renews the credential its deliveries are judged by.
        const credential = existing.owner === caller.name ? caller.credential : undefined;
        if (credential !== undefined) {
          updated.credential = credential;
          if (
            existing.suspended !== undefined &&
            existing.last_error === suspensionError(existing.suspended)
          ) {
            delete updated.last_error;
          }
          delete updated.suspended;
        }
        // The registration's fields only: a delivery's cursor and lease stay as a replica wrote them.
        await store.webhooks.saveRegistration(updated, credential !== undefined);
      }
      if (matching.length > 0) return 'registered' as const;
      // The same registration on two replicas at once: one webhook, not two delivering each event.
      await store.guards.claim([`webhook:${body.url}`]);
      const webhook: WebhookRecord = {
        id: this.deps.ids.uuid(),
        url: body.url,
        events,
        filters,
        created: this.deps.clock.now(),
        // Events from now on: every one committed after this transaction's snapshot comes (on a
        // shared database, one committed shortly before may come too); older ones are not replayed.
        cursor: await store.events.startCursor(),
        attempts: 0,
      };
      if (body.api_key_name !== undefined) webhook.api_key_name = body.api_key_name;
      if (body.api_key_value !== undefined) webhook.api_key_value = body.api_key_value;
      if (caller.name !== undefined) webhook.owner = caller.name;
      if (caller.credential !== undefined) webhook.credential = caller.credential;
      await store.webhooks.insert(webhook);
      return 'registered' as const;
    });
    this.deps.changed();
    return outcome;
  }

  /** The registrations the viewer may see, never with their `api_key_value`. */
  async list(viewer: Viewer): Promise<Webhook[]> {
    const all = await this.deps.store.webhooks.list();
    return all
      .filter((w) => viewer.admin || w.owner === viewer.name)
      .map((w) => {
        const doc: Webhook = { url: w.url, events: w.events, ...w.filters };
        if (w.api_key_name !== undefined) doc.api_key_name = w.api_key_name;
        if (w.owner !== undefined) doc.owner = w.owner;
        if (w.suspended !== undefined) doc.delivery_suspended = w.suspended;
        return doc;
      });
  }
}
