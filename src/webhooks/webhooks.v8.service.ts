import { BadRequestError, NotFoundError } from '../common/errors.ts';
import type { StoreTx } from '../store/store.ts';
import type { TagFilters } from '../store/store.types.ts';
import { tagsMatch } from '../store/tags.values.ts';
import type { WebhookRecord, WebhookState } from '../store/webhooks.repo.ts';
import {
  checkCells,
  checkEventTypes,
  checkUrl,
  FILTER_KEYS_8_2,
  filtersOf,
  insertRegistration,
  type RegistrationBody,
  refuseUnknownOptions,
  renewCredential,
  type Viewer,
  type WebhooksServiceDeps,
} from './webhooks.options.ts';
import { type WebhookPageKey, webhookPage, webhookStatus } from './webhooks.v8.mapper.ts';
import type { WebhookPostV8, WebhookPut } from './webhooks.v8.schemas.ts';

const KNOWN_POST = ['url', 'api_key_name', 'api_key_value', 'events', ...FILTER_KEYS_8_2, 'tags', 'status'];
const KNOWN_PUT = ['id', ...KNOWN_POST];

export const WEBHOOK_404 = 'The requested Webhook ID in the path is invalid.';

export interface WebhookListOptions {
  tags: TagFilters;
  reverse: boolean;
  limit: number;
  after?: WebhookPageKey;
}

/**
 * TAMS 8.2's webhooks (ADR 0037): each has an id; POST always registers a new one, PUT replaces
 * one by id, DELETE removes it; `status` says whether it delivers. 8.2 lists and manages every
 * webhook the caller may see, those created through 7.0 too: each keeps the API version it was
 * created through, and with it the version of its payloads (docs/api-versions.md).
 *
 * Who sees what, as in 7.0: callers their own webhooks, administrators everyone's; another
 * principal's webhook is a 404, as if it did not exist. The owner updating its webhook renews
 * the credential its deliveries are judged by.
 */
export class WebhooksV8Service {
  constructor(private readonly deps: WebhooksServiceDeps) {}

  /** A page of the webhooks the viewer may see that pass the tag filters, in `url` order. */
  async list(viewer: Viewer, options: WebhookListOptions) {
    const visible = (await this.deps.store.webhooks.list()).filter(
      (w) => mayManage(w, viewer) && tagsMatch(w.tags, options.tags),
    );
    return webhookPage(visible, options);
  }

  async get(id: string, viewer: Viewer): Promise<WebhookRecord> {
    const found = await this.deps.store.webhooks.get(id);
    if (found === null || !mayManage(found, viewer)) throw new NotFoundError(WEBHOOK_404);
    return found;
  }

  /** POST: a new webhook, created through 8.2 (its payloads are 8.2's for life). */
  async create(body: WebhookPostV8, caller: Viewer): Promise<WebhookRecord> {
    const fields = await this.checked(body, KNOWN_POST);
    const created = await this.deps.store.transaction((store) =>
      insertRegistration(
        store,
        this.deps.ids.uuid(),
        this.deps.clock.now(),
        { ...fields, status: body.status ?? 'created', api_version: '8.2' },
        caller,
      ),
    );
    this.deps.changed();
    return created;
  }

  /**
   * PUT: replaces what a client sets (URL, API key, events, filters, tags, status); the API
   * version, owner and delivery state stay. `api_key_value` left out keeps the stored value
   * (it is never shown, so a GET-modify-PUT cannot send it back) while `api_key_name` stays the
   * same; `api_key_name` left out removes both.
   */
  async replace(id: string, body: WebhookPut, caller: Viewer): Promise<WebhookRecord> {
    if (body.id !== id) {
      throw new BadRequestError(`The id in the body (${body.id}) is not the Webhook ID in the path (${id}).`);
    }
    const fields = await this.checked(body, KNOWN_PUT);
    const updated = await this.deps.store.transaction(async (store) => {
      const existing = await this.managed(store, id, caller);
      refuseSevenTransformations(existing, body);
      const status = nextStatus(existing, body.status);
      const apiKeyValue =
        fields.api_key_name === undefined
          ? undefined
          : (fields.api_key_value ??
            (fields.api_key_name === existing.api_key_name ? existing.api_key_value : undefined));
      const { api_key_name: _name, api_key_value: _value, ...rest } = fields;
      const next: WebhookRecord = { ...existing, ...rest, status };
      delete next.api_key_name;
      delete next.api_key_value;
      if (fields.api_key_name !== undefined) next.api_key_name = fields.api_key_name;
      if (apiKeyValue !== undefined) next.api_key_value = apiKeyValue;
      // Re-enabled by its owner: the credential of this request is the one judged from now on.
      const resumed = body.status === 'created' && renewCredential(next, existing, caller);
      await store.webhooks.saveRegistration(next, resumed);
      return next;
    });
    this.deps.changed();
    return updated;
  }

  async remove(id: string, caller: Viewer): Promise<void> {
    await this.deps.store.transaction(async (store) => {
      await this.managed(store, id, caller);
      await store.webhooks.delete(id);
    });
    this.deps.changed();
  }

  private async managed(store: StoreTx, id: string, caller: Viewer): Promise<WebhookRecord> {
    const existing = await store.webhooks.get(id);
    if (existing === null || !mayManage(existing, caller)) throw new NotFoundError(WEBHOOK_404);
    return existing;
  }

  /** The registration fields of a POST or PUT body, checked as both versions check them. */
  private async checked(body: RegistrationBody, known: readonly string[]) {
    refuseUnknownOptions(body, known);
    checkEventTypes(body.events);
    await checkUrl(this.deps.guard, body.url);
    const filters = filtersOf(body, FILTER_KEYS_8_2);
    const tags = (body.tags ?? {}) as Record<string, string | string[]>;
    checkCells(body, filters, tags);
    return {
      url: body.url,
      api_key_name: body.api_key_name,
      api_key_value: body.api_key_value,
      events: [...new Set(body.events)],
      filters,
      tags,
    };
  }
}

/**
 * A webhook registered through 7.0 receives 7.0's payloads for life, and 7.0's segments have no
 * `object_timerange`: 8.2 says a transformation the webhook cannot apply is refused.
 */
function refuseSevenTransformations(existing: WebhookRecord, body: WebhookPut): void {
  if (existing.api_version === '7.0' && body.include_object_timerange === true) {
    throw new BadRequestError(
      'Unsupported webhook options: include_object_timerange: true (this webhook was registered through TAMS 7.0 and receives 7.0 event payloads, whose segments have no object_timerange)',
    );
  }
}

function mayManage(w: WebhookRecord, viewer: Viewer): boolean {
  return viewer.admin || w.owner === viewer.name;
}

/**
 * The stored status after a client asks for `wanted` (8.2's lifecycle): `disabled` disables one
 * that is `created` or `started`, and is refused for one in `error` (8.2: SHOULD be rejected);
 * `created` enables one that is `disabled` or in `error`, and leaves one that delivers as it is.
 */
function nextStatus(existing: WebhookRecord, wanted: 'created' | 'disabled'): WebhookState {
  const current = webhookStatus(existing);
  if (wanted === 'disabled') {
    if (current === 'error') {
      throw new BadRequestError(
        'A webhook in the error state cannot be disabled: set its status to "created" to enable it again, or delete it.',
      );
    }
    return 'disabled';
  }
  return existing.status === 'disabled' ? 'created' : existing.status;
}
