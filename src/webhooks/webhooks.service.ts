import type { WebhookRecord } from '../store/webhooks.repo.ts';
import {
  checkCells,
  checkEventTypes,
  checkUrl,
  FILTER_KEYS_7_0,
  filtersOf,
  insertRegistration,
  refuseUnknownOptions,
  renewCredential,
  type Viewer,
  type WebhooksServiceDeps,
} from './webhooks.options.ts';
import type { Webhook, WebhookPost } from './webhooks.schemas.ts';
import { WebhooksV8Service } from './webhooks.v8.service.ts';

export type { Viewer, WebhooksServiceDeps } from './webhooks.options.ts';

const IDENTITY_KEYS = ['url', 'events', 'api_key_name', 'api_key_value'] as const;

/** What 7.0's list says of a webhook a TAMS 8.2 client disabled (7.0 has no status). */
export const DISABLED_THROUGH_8_2 = 'disabled by a TAMS 8.2 client (its status is "disabled")';

/**
 * POST/GET /service/webhooks of TAMS 7.0 (DIGEST §10.1): a registration is identified by its
 * URL, API key name and value; posting the same identity again replaces its events and filters,
 * an empty `events` removes it. Every filter and transformation of 7.0 is supported.
 *
 * 7.0 sees and manages only the webhooks created through 7.0 (docs/api-versions.md): those made
 * through 8.2 have ids, tags and options 7.0 cannot express, and are never matched, changed or
 * removed here. A 7.0 webhook an 8.2 client disabled is enabled again by registering it again
 * (7.0's "register" means "deliver").
 *
 * Registrations belong to the principal that made them. A caller's POST matches only its own
 * (another principal's identical URL and key make a registration of the caller's own; an empty
 * `events` then removes nothing); an administrator's matches every registration with the
 * identity, whoever owns it, and leaves each with its owner. Registering records the caller's
 * credential, which deliveries are checked against (src/events/events.dispatcher.ts).
 */
export class WebhooksService {
  /** TAMS 8.2's operations over the same registrations (webhooks.v8.service.ts). */
  readonly v8: WebhooksV8Service;

  constructor(private readonly deps: WebhooksServiceDeps) {
    this.v8 = new WebhooksV8Service(deps);
  }

  /** Registers, updates or (empty events) removes; returns which. */
  async register(body: WebhookPost, caller: Viewer): Promise<'registered' | 'removed'> {
    // The schema admits other properties (later versions add filters): one we do not know is a
    // filter or transformation we cannot apply, which the spec says to refuse.
    refuseUnknownOptions(body, [...IDENTITY_KEYS, ...FILTER_KEYS_7_0]);
    checkEventTypes(body.events);
    if (body.events.length > 0) await checkUrl(this.deps.guard, body.url);
    const filters = filtersOf(body, FILTER_KEYS_7_0);
    checkCells(body, filters);
    const outcome = await this.deps.store.transaction(async (store) => {
      const matching = (await store.webhooks.list()).filter(
        (w) =>
          w.api_version === '7.0' &&
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
        // Registering again means delivering again, whatever an 8.2 client set.
        if (updated.status === 'disabled') updated.status = 'created';
        const resumed = renewCredential(updated, existing, caller);
        // The registration's fields only: a delivery's cursor and lease stay as a replica wrote them.
        await store.webhooks.saveRegistration(updated, resumed);
      }
      if (matching.length > 0) return 'registered' as const;
      // The same registration on two replicas at once: one webhook, not two delivering each event.
      await store.guards.claim([`webhook:${body.url}`]);
      await insertRegistration(
        store,
        this.deps.ids.uuid(),
        this.deps.clock.now(),
        {
          url: body.url,
          api_key_name: body.api_key_name,
          api_key_value: body.api_key_value,
          events,
          filters,
          tags: {},
          // 7.0 has no status: its webhooks deliver from the start.
          status: 'started',
          api_version: '7.0',
        },
        caller,
      );
      return 'registered' as const;
    });
    this.deps.changed();
    return outcome;
  }

  /** The 7.0 registrations the viewer may see, never with their `api_key_value`. */
  async list(viewer: Viewer): Promise<Webhook[]> {
    const all = await this.deps.store.webhooks.list();
    return all
      .filter((w) => w.api_version === '7.0' && (viewer.admin || w.owner === viewer.name))
      .map((w) => {
        const doc: Webhook = { url: w.url, events: w.events };
        // 7.0's options alone, in the order stored (an 8.2 client may have set 8.2's).
        for (const [key, value] of Object.entries(w.filters)) {
          if ((FILTER_KEYS_7_0 as readonly string[]).includes(key)) Object.assign(doc, { [key]: value });
        }
        if (w.api_key_name !== undefined) doc.api_key_name = w.api_key_name;
        if (w.owner !== undefined) doc.owner = w.owner;
        if (w.suspended !== undefined) doc.delivery_suspended = w.suspended;
        else if (w.status === 'disabled') doc.delivery_suspended = DISABLED_THROUGH_8_2;
        return doc;
      });
  }
}
