import { setTimeout as sleep } from 'node:timers/promises';
import type { Clock } from '../common/clock.ts';
import { failureReason } from '../store/followers/follower.failures.ts';
import type { TamsStore } from '../store/store.ts';
import type { WebhookApiVersion } from '../store/webhooks.repo.ts';
import { matches, type Subscription } from './events.filters.ts';
import type { VersionedBodies } from './events.render.ts';

const BATCH = 500;
const HEARTBEAT_MS = 15_000;
const POLL_MS = 1_000;

/** What a stream hands out: an event (its body as a webhook receives it), or a comment. */
export type StreamItem = { id: bigint; type: string; data: string } | { comment: string };

/** Why the stream's caller may no longer read (the stream then ends); undefined while it may. */
export type StreamAccess = () => Promise<string | undefined>;

export interface StreamOptions {
  /** The event id to resume after (`Last-Event-ID`); undefined: from the newest event on. */
  after: bigint | undefined;
  /** Checked before each read of the outbox; undefined without authentication. */
  access?: StreamAccess;
  /** Aborted when the client goes: the stream ends at once, even while it waits for events. */
  signal: AbortSignal;
  /** The TAMS version whose event bodies the stream sends; 7.0 when not given. */
  version?: WebhookApiVersion;
}

/**
 * Event streams: the events webhooks receive, with the same filters, for browsers and tools
 * (GET /events, src/events/events.routes.ts, writes them as Server-Sent Events). Each event's id
 * is its outbox sequence number, so a client reconnecting with it resumes where it stopped
 * (within the retention). A stream is pulled: it reads the outbox only when its consumer asks
 * for more, so a client that does not read keeps at most one batch of events in memory.
 */
export class EventStreams {
  private readonly wakers = new Set<() => void>();
  private readonly shutdown = new AbortController();
  private handedOut = 0;

  constructor(
    private readonly deps: {
      store: TamsStore;
      clock: Clock;
      /** Each version's event bodies (the same as its webhooks receive). */
      bodies: VersionedBodies;
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
    this.shutdown.abort();
    this.wake();
  }

  /**
   * Streams whose consumer has not come back for more since their last item: briefly any stream,
   * lastingly one whose client reads slower than the events come (its writer waits for it).
   */
  get waiting(): number {
    return this.handedOut;
  }

  /** Aborted once the streams are closed: a writer waiting for a client to read gives up. */
  get closed(): AbortSignal {
    return this.shutdown.signal;
  }

  /**
   * A stream of the events matching `subscription`. Where it starts is fixed before this
   * resolves, so that an event committed once the caller has answered the client is in it.
   */
  async subscribe(subscription: Subscription, options: StreamOptions): Promise<AsyncGenerator<StreamItem>> {
    const cursor = options.after ?? (await this.deps.store.events.startCursor());
    return this.read(subscription, cursor, options);
  }

  private async *read(
    subscription: Subscription,
    from: bigint,
    { access, signal, version = '7.0' }: StreamOptions,
  ): AsyncGenerator<StreamItem> {
    const { store } = this.deps;
    const renderer = this.deps.bodies[version];
    let cursor = from;
    let woken = new AbortController();
    const wake = () => woken.abort();
    this.wakers.add(wake);
    signal.addEventListener('abort', wake);
    let lastItem = Date.now();
    try {
      while (!signal.aborted && !this.shutdown.signal.aborted) {
        // Checked before each read: a stream outlives its request's authentication, and a
        // credential revoked or expired meanwhile must not keep receiving.
        const refused = await access?.();
        if (refused !== undefined) {
          yield* this.handOut({ comment: `stream ended: ${refused.replaceAll('\n', ' ')}` });
          return;
        }
        const events = await store.events.after(cursor, BATCH, await store.events.settled());
        for (const event of events) {
          cursor = event.seq;
          let data: string;
          try {
            if (!matches(subscription, event)) continue;
            data = renderer.render(event, subscription.filters);
          } catch (error) {
            // The event's own failure (a payload the renderer cannot shape): said in a comment
            // and passed over, or the stream would end there, and a client resuming with
            // Last-Event-ID would meet it again every time (store/followers/follower.failures.ts).
            const reason = failureReason(error).replaceAll('\n', ' ');
            yield* this.handOut({
              comment: `event ${event.seq} (${event.event_type}) passed over: its body could not be made: ${reason}`,
            });
            continue;
          }
          yield* this.handOut({ id: event.seq, type: event.event_type, data });
          lastItem = Date.now();
          if (signal.aborted) return;
        }
        if (events.length === BATCH) continue;
        if (Date.now() - lastItem > HEARTBEAT_MS) {
          yield* this.handOut({ comment: 'keep-alive' });
          lastItem = Date.now();
        }
        try {
          await sleep(POLL_MS, undefined, { signal: woken.signal });
        } catch {
          // Woken by a commit, a disconnect or the server closing.
        }
        if (woken.signal.aborted) woken = new AbortController();
      }
    } finally {
      signal.removeEventListener('abort', wake);
      this.wakers.delete(wake);
    }
  }

  private async *handOut(item: StreamItem): AsyncGenerator<StreamItem> {
    this.handedOut++;
    try {
      yield item;
    } finally {
      this.handedOut--;
    }
  }
}
