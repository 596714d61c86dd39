import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { Clock } from '../common/clock.ts';
import { UUID_PATTERN } from '../common/ids.ts';
import type { UrlContext } from '../media/media.types.ts';
import type { GetUrlBuilder } from '../segments/segments.urls.ts';
import { settledSeq } from '../store/events.repo.ts';
import type { TamsStore } from '../store/store.ts';
import type { WebhookFilters } from '../store/webhooks.repo.ts';
import { WEBHOOK_EVENT_TYPES } from '../webhooks/webhooks.schemas.ts';
import { matches, type Subscription } from './events.filters.ts';
import { renderEvent } from './events.render.ts';

const BATCH = 500;
const HEARTBEAT_MS = 15_000;
const POLL_MS = 1_000;
const list = (pattern: string) => `^(${pattern}(,${pattern})*)?$`;
const UUID = UUID_PATTERN.slice(1, -1);

/** The query of GET /events: the webhook filters and transformations, as comma lists. */
export const StreamQuery = Type.Object({
  events: Type.Optional(
    Type.String({ pattern: list('[a-z_]+/[a-z_]+'), description: 'Event types to receive (default: all).' }),
  ),
  flow_ids: Type.Optional(Type.String({ pattern: list(UUID), description: 'Only events of these Flows.' })),
  source_ids: Type.Optional(
    Type.String({ pattern: list(UUID), description: 'Only events of these Sources.' }),
  ),
  flow_collected_by_ids: Type.Optional(
    Type.String({ pattern: list(UUID), description: 'Only events of Flows collected by these Flows.' }),
  ),
  source_collected_by_ids: Type.Optional(
    Type.String({ pattern: list(UUID), description: 'Only events of Sources collected by these Sources.' }),
  ),
  accept_get_urls: Type.Optional(
    Type.String({ description: 'As the segments endpoint, for flows/segments_added.' }),
  ),
  accept_storage_ids: Type.Optional(
    Type.String({ pattern: list(UUID), description: 'As the segments endpoint, for flows/segments_added.' }),
  ),
  presigned: Type.Optional(
    Type.Boolean({ description: 'As the segments endpoint, for flows/segments_added.' }),
  ),
  verbose_storage: Type.Optional(
    Type.Boolean({ description: 'As the segments endpoint, for flows/segments_added.' }),
  ),
});

/** Event ids are signed 64-bit sequence numbers. */
const MAX_SEQ = (1n << 63n) - 1n;

/**
 * The event id a client resumes after (`Last-Event-ID`), or undefined for none: a value that is
 * no event id (not digits, or past the largest one) counts as none, and the stream starts now.
 */
function resumeFrom(lastId: string | string[] | undefined): bigint | undefined {
  if (typeof lastId !== 'string' || !/^\d{1,19}$/.test(lastId)) return undefined;
  const seq = BigInt(lastId);
  return seq <= MAX_SEQ ? seq : undefined;
}

type Query = {
  events?: string;
  flow_ids?: string;
  source_ids?: string;
  flow_collected_by_ids?: string;
  source_collected_by_ids?: string;
  accept_get_urls?: string;
  accept_storage_ids?: string;
  presigned?: boolean;
  verbose_storage?: boolean;
};

/** Why the stream's caller may no longer read (the stream then ends); undefined while it may. */
export type StreamAccess = () => Promise<string | undefined>;

const split = (v: string | undefined) => (v === undefined ? undefined : v === '' ? [] : v.split(','));

export function streamSubscription(q: Query): Subscription {
  const filters: WebhookFilters = {};
  const set = <K extends keyof WebhookFilters>(key: K, value: WebhookFilters[K] | undefined) => {
    if (value !== undefined) filters[key] = value;
  };
  set('flow_ids', split(q.flow_ids));
  set('source_ids', split(q.source_ids));
  set('flow_collected_by_ids', split(q.flow_collected_by_ids));
  set('source_collected_by_ids', split(q.source_collected_by_ids));
  set('accept_get_urls', split(q.accept_get_urls));
  set('accept_storage_ids', split(q.accept_storage_ids));
  set('presigned', q.presigned);
  set('verbose_storage', q.verbose_storage);
  return { events: split(q.events) ?? [...WEBHOOK_EVENT_TYPES], filters };
}

/**
 * Server-Sent Events: the same event bodies webhooks receive, with the same filters as query
 * parameters, for browsers and tools. Each event's `id` is its outbox sequence number, so a
 * client reconnecting with `Last-Event-ID` resumes where it stopped (within the retention).
 */
export class EventStreams {
  private wakers = new Set<() => void>();
  private closing = false;

  constructor(
    private readonly deps: {
      store: TamsStore;
      urls: GetUrlBuilder;
      urlContext: () => UrlContext;
      clock: Clock;
      /** As the webhook dispatcher's. */
      settleMs: number;
    },
  ) {}

  /** New events were committed. */
  wake(): void {
    for (const wake of this.wakers) wake();
  }

  /** Streams open now. */
  get open(): number {
    return this.wakers.size;
  }

  /** Ends every stream (the server is shutting down: open streams would hold it up). */
  close(): void {
    this.closing = true;
    this.wake();
  }

  async serve(
    request: FastifyRequest,
    reply: FastifyReply,
    subscription: Subscription,
    access?: StreamAccess,
  ): Promise<void> {
    const { store } = this.deps;
    let cursor = resumeFrom(request.headers['last-event-id']) ?? (await store.events.lastSeq());
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      // A stream ends only when one side goes: its connection goes with it, so a server shutting
      // down is not kept waiting by a connection left idle.
      connection: 'close',
      'x-accel-buffering': 'no',
    });
    // HEAD: the headers a GET would get, and no stream.
    if (request.method === 'HEAD') {
      res.end();
      return;
    }
    res.write(': tams-server event stream\n\n');
    let open = true;
    let signal = new AbortController();
    const wake = () => signal.abort();
    this.wakers.add(wake);
    // The response's 'close' (the request's fires once its body is read, i.e. at once for a GET).
    res.on('close', () => {
      open = false;
      wake();
    });
    let lastWrite = Date.now();
    try {
      while (open && !this.closing) {
        // Checked before each read: a stream outlives its request's authentication, and a
        // credential revoked or expired meanwhile must not keep receiving.
        const refused = await access?.();
        if (refused !== undefined) {
          res.write(`: stream ended: ${refused.replaceAll('\n', ' ')}\n\n`);
          break;
        }
        const upTo = settledSeq(this.deps.clock.now(), this.deps.settleMs);
        const events = await store.events.after(cursor, BATCH, upTo);
        for (const event of events) {
          cursor = event.seq;
          if (!matches(subscription, event)) continue;
          const body = renderEvent(event, subscription.filters, this.deps.urls, this.deps.urlContext());
          res.write(`id: ${event.seq}\nevent: ${event.event_type}\ndata: ${body}\n\n`);
          lastWrite = Date.now();
        }
        if (events.length === BATCH) continue;
        if (Date.now() - lastWrite > HEARTBEAT_MS) {
          res.write(': keep-alive\n\n');
          lastWrite = Date.now();
        }
        try {
          await sleep(POLL_MS, undefined, { signal: signal.signal });
        } catch {
          // Woken by a commit or a disconnect.
        }
        if (signal.signal.aborted) signal = new AbortController();
      }
    } finally {
      this.wakers.delete(wake);
      res.end();
    }
  }
}
