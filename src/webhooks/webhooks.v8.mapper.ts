/**
 * A stored webhook as TAMS 8.2 shows it (`webhook-get.json`), whichever version created it, and
 * the order and pages of 8.2's listing.
 *
 * `status`: the stored `created`, `started` or `disabled`, except that a webhook whose deliveries
 * the server suspended (its owner's credential no longer grants read) is `error`, with `error`
 * saying why. A webhook whose receiver fails is retried, and events that fail every retry are
 * parked: it stays `started` (8.2: services "SHOULD implement appropriate retries and only enter
 * the `error` state when absolutely necessary").
 */
import type { WebhookEventType } from '../events/events.types.ts';
import type { WebhookRecord } from '../store/webhooks.repo.ts';
import { FILTER_KEYS_8_2 } from './webhooks.options.ts';
import type { WebhookGet, WebhookStatus } from './webhooks.v8.schemas.ts';

/** The `type` of the `error` of a webhook in the `error` state. */
export const SUSPENDED_ERROR_TYPE = 'DeliveriesSuspended';

export function webhookStatus(w: WebhookRecord): WebhookStatus {
  if (w.status === 'disabled') return 'disabled';
  if (w.suspended !== undefined) return 'error';
  return w.status;
}

/** The 8.2 document of a webhook: never its `api_key_value`. */
export function webhookGetDocument(w: WebhookRecord): WebhookGet {
  // Stored only after checkEventTypes (webhooks.options.ts): the eight types.
  const events = w.events as WebhookEventType[];
  const doc: WebhookGet = { id: w.id, url: w.url, events, status: webhookStatus(w) };
  if (w.api_key_name !== undefined) doc.api_key_name = w.api_key_name;
  for (const key of FILTER_KEYS_8_2) {
    const value = w.filters[key];
    if (value !== undefined) Object.assign(doc, { [key]: value });
  }
  if (Object.keys(w.tags).length > 0) doc.tags = w.tags;
  if (doc.status === 'error') {
    doc.error = {
      type: SUSPENDED_ERROR_TYPE,
      summary: `Deliveries suspended: ${w.suspended ?? ''}. Events meanwhile are skipped; the owner updating the webhook (status "created") with a credential that grants read resumes them.`,
      // Rows suspended before the time was recorded: the webhook's creation, the earliest it can be.
      time: (w.suspended_at ?? w.created).toISOString(),
    };
  }
  if (w.owner !== undefined) doc.owner = w.owner;
  return doc;
}

/** 8.2's order: by `url` (then `id`, so that pages are stable), A→Z or Z→A. */
export function byUrl(a: WebhookRecord, b: WebhookRecord): number {
  return compare(a.url, b.url) || compare(a.id, b.id);
}

/** Code-unit order, the same on every engine and in every locale. */
const compare = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);

/** Where a page of the listing starts: after the webhook with this url and id. */
export interface WebhookPageKey {
  url: string;
  id: string;
}

export function encodeWebhookCursor(w: WebhookPageKey): string {
  return JSON.stringify(['webhooks', w.url, w.id]);
}

/** The key in a cursor, or undefined when it is not one of this listing's. */
export function decodeWebhookCursor(cursor: string): WebhookPageKey | undefined {
  try {
    const parsed: unknown = JSON.parse(cursor);
    if (!Array.isArray(parsed) || parsed.length !== 3 || parsed[0] !== 'webhooks') return undefined;
    const [, url, id] = parsed as unknown[];
    return typeof url === 'string' && typeof id === 'string' ? { url, id } : undefined;
  } catch {
    return undefined;
  }
}

export interface WebhookPage {
  items: WebhookRecord[];
  /** The key of the next page; undefined on the last. */
  next?: WebhookPageKey;
}

/** One page of `all` (already filtered) in 8.2's order. */
export function webhookPage(
  all: readonly WebhookRecord[],
  options: { reverse: boolean; limit: number; after?: WebhookPageKey },
): WebhookPage {
  const direction = options.reverse ? -1 : 1;
  const sorted = [...all].sort((a, b) => direction * byUrl(a, b));
  const { after } = options;
  const rest =
    after === undefined
      ? sorted
      : sorted.filter((w) => direction * byUrl(w, { ...w, url: after.url, id: after.id }) > 0);
  const items = rest.slice(0, options.limit);
  const last = items.at(-1);
  return rest.length > options.limit && last !== undefined
    ? { items, next: { url: last.url, id: last.id } }
    : { items };
}
