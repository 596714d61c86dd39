/**
 * Shared pieces of the event tests: a server whose webhooks may reach the loopback receiver and
 * whose workers react within milliseconds, and registration helpers.
 */
import { type IncomingMessage, request } from 'node:http';
import { afterEach, expect } from 'vitest';
import { WEBHOOK_EVENT_TYPES } from '../../src/events/events.types.ts';
import { WAIT_MS } from '../helpers/deadlines.ts';
import { mountClient } from '../helpers/mounts.ts';
import { type ReceivedEvent, type Receiver, startReceiver } from '../helpers/receiver.ts';
import { sharedServer } from '../helpers/server.shared.ts';
import { type HttpClient, startServer, type TestServer, type TestServerOptions } from '../helpers/server.ts';
import { assertSpecValid } from '../helpers/spec-schemas.ts';
import { waitFor } from '../segments/helpers.ts';

/** The eight event types of 7.0 (the test of each is in events.types.test.ts). */
export const ALL_EVENTS = WEBHOOK_EVENT_TYPES;

/** Loopback allowed for the receiver; quick retries so retry tests take milliseconds. */
export const EVENT_ENV = {
  TAMS_WEBHOOK_ALLOW: '127.0.0.1',
  TAMS_WORKER_IDLE_MS: '20',
  TAMS_WEBHOOK_BACKOFF_MS: '20',
  TAMS_WEBHOOK_TIMEOUT_MS: '2000',
};

export function eventServer(options: TestServerOptions = {}): Promise<TestServer> {
  return startServer({ ...options, env: { ...EVENT_ENV, ...options.env } });
}

/**
 * The eventServer a test file's tests share (sharedServer), its API at /tams/v8.2, and receivers
 * that last one test: after each test its webhooks are deleted (through 8.2, which manages both
 * versions') and its receivers closed.
 */
export function sharedEventServer(): {
  server: TestServer;
  v8: HttpClient;
  receiver(): Promise<Receiver>;
} {
  const server = sharedServer(() => eventServer());
  const v8 = mountClient(server, '/tams/v8.2');
  const receivers: Receiver[] = [];
  afterEach(async () => {
    const listed = await v8.get<{ id: string }[]>('/service/webhooks');
    for (const w of listed.body) expect((await v8.delete(`/service/webhooks/${w.id}`)).status).toBe(204);
    for (const r of receivers.splice(0)) await r.close();
  });
  const receiver = async () => {
    const r = await startReceiver();
    receivers.push(r);
    return r;
  };
  return { server, v8, receiver };
}

export interface Registration {
  url: string;
  events?: readonly string[];
  api_key_name?: string;
  api_key_value?: string;
  [filter: string]: unknown;
}

/** POSTs a registration that must be accepted (201). */
export async function register(server: TestServer, registration: Registration): Promise<void> {
  const res = await server.post('/service/webhooks', { events: ALL_EVENTS, ...registration });
  expect(res.status, res.text).toBe(201);
}

/** A receiver plus a webhook for it on `server`, with an API key. */
export async function subscribe(
  server: TestServer,
  filters: Omit<Registration, 'url'> = {},
): Promise<Receiver> {
  const receiver = await startReceiver();
  await register(server, { url: receiver.url, api_key_name: 'X-Api-Key', api_key_value: 'k3y', ...filters });
  return receiver;
}

/**
 * Waits until every webhook of `server` has passed the newest event so far (delivered it, skipped
 * it by its filters, or parked it): from then on no event up to that one is still to come, so an
 * event a receiver has not got is one it will never get. How tests prove an absence.
 */
export async function everyWebhookCaughtUp(server: TestServer): Promise<void> {
  const { store } = server.runtime;
  const seq = await store.events.lastSeq();
  await waitFor(`every webhook to pass event ${seq}`, async () =>
    (await store.webhooks.list()).every((webhook) => webhook.cursor >= seq),
  );
}

/** Checks an event body against the spec's webhook payload schema of its type. */
export function assertEventValid(event: ReceivedEvent): void {
  assertSpecValid(`webhooks/${event.event_type}`, event);
}

/** The event types of a list of events. */
export const typesOf = (events: readonly ReceivedEvent[]): string[] => events.map((e) => e.event_type);

/** A server with the default (empty) webhook allow-list: private and loopback URLs are refused. */
export function startServerWithoutAllowList(): Promise<TestServer> {
  return startServer({ env: { ...EVENT_ENV, TAMS_WEBHOOK_ALLOW: '' } });
}

/** An event of a stream (GET /events). */
export interface StreamedEvent {
  id: string;
  type: string;
  data: ReceivedEvent;
}

/**
 * An open event stream, parsed as it arrives. node:http rather than fetch: undici opens a spare
 * connection after an aborted body, which then holds up the server's close until it times out.
 */
export async function openStream(
  server: TestServer,
  query = '',
  headers: Record<string, string> = {},
): Promise<{
  events: StreamedEvent[];
  /** The comment lines, without their colon. */
  comments: string[];
  contentType: string | undefined;
  next(n: number): Promise<StreamedEvent[]>;
  close(): void;
}> {
  const res = await new Promise<IncomingMessage>((resolve, reject) => {
    const req = request(`${server.url}/events${query}`, { headers, agent: false }, resolve);
    req.on('error', reject);
    req.end();
  });
  expect(res.statusCode).toBe(200);
  const events: StreamedEvent[] = [];
  const comments: string[] = [];
  let buffer = '';
  let done = false;
  res.setEncoding('utf8');
  res.on('data', (chunk: string) => {
    buffer += chunk;
    let end = buffer.indexOf('\n\n');
    while (end >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const fields = new Map<string, string>();
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) {
          comments.push(line.slice(1).trim());
          continue;
        }
        const colon = line.indexOf(': ');
        fields.set(line.slice(0, colon), line.slice(colon + 2));
      }
      if (fields.has('data')) {
        events.push({
          id: fields.get('id') ?? '',
          type: fields.get('event') ?? '',
          data: JSON.parse(fields.get('data') ?? 'null') as ReceivedEvent,
        });
      }
      end = buffer.indexOf('\n\n');
    }
  });
  res.on('close', () => {
    done = true;
  });
  return {
    events,
    comments,
    contentType: res.headers['content-type'],
    async next(n) {
      const deadline = Date.now() + WAIT_MS;
      while (events.length < n) {
        if (done || Date.now() > deadline) throw new Error(`stream: ${events.length} of ${n} events`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      return events.slice(0, n);
    },
    close() {
      res.destroy();
    },
  };
}
