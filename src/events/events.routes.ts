import { once } from 'node:events';
import type { ServerResponse } from 'node:http';
import type { FastifyRequest } from 'fastify';
import { errors } from '../http/responses.ts';
import type { App } from '../http/types.ts';
import { streamSubscription } from './events.filters.ts';
import { StreamEvent, StreamQuery } from './events.schemas.ts';
import type { EventStreams, StreamAccess, StreamItem } from './events.stream.ts';

export interface EventsRoutesDeps {
  streams: EventStreams;
  /** How a stream re-checks that its caller may still read; undefined without authentication. */
  access: (request: FastifyRequest) => StreamAccess | undefined;
}

const HEADERS = {
  'content-type': 'text/event-stream',
  'cache-control': 'no-cache',
  // A stream ends only when one side goes: its connection goes with it, so a server shutting
  // down is not kept waiting by a connection left idle.
  connection: 'close',
  'x-accel-buffering': 'no',
};

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

const frame = (item: StreamItem) =>
  'comment' in item ? `: ${item.comment}\n\n` : `id: ${item.id}\nevent: ${item.type}\ndata: ${item.data}\n\n`;

/**
 * Writes the stream as `text/event-stream`, honouring back-pressure: when the response's buffer
 * is full (write returns false) it waits for 'drain' before asking the stream for more, so a
 * client that stops reading stops the stream's reads of the outbox too. Resolves when the stream
 * ends, the client goes or the server closes (`stop`).
 */
async function send(
  res: ServerResponse,
  items: AsyncGenerator<StreamItem>,
  stop: AbortSignal,
): Promise<void> {
  for await (const item of items) {
    if (res.write(frame(item))) continue;
    try {
      await once(res, 'drain', { signal: stop });
    } catch {
      // Gone, or the server is closing: leaving the loop ends the stream.
      break;
    }
  }
}

/** GET /events: Server-Sent Events (a tams-server extension, advertised in /service). */
export async function eventsRoutes(app: App, deps: EventsRoutesDeps): Promise<void> {
  // Before the server stops accepting: a stream is a request that never ends by itself.
  app.addHook('preClose', async () => deps.streams.close());
  app.get(
    '/events',
    {
      schema: {
        operationId: 'GET_events',
        summary: 'Event Stream (Server-Sent Events)',
        description:
          "A tams-server extension: the TAMS events (the bodies webhooks receive, `{event_timestamp, event_type, event}`) as a `text/event-stream`, with the webhook filters and `get_urls` options as query parameters (comma-separated lists). The bodies are TAMS 7.0's unless `api_version=8.2` asks for 8.2's, as an 8.2 webhook receives them (with 8.2's `include_object_timerange`, and its reading of an empty `*_collected_by_ids`: what no collection collects). Each event has the `id` to send back as `Last-Event-ID` to resume after a reconnection. With authentication on, the stream ends when the credential it was opened with stops granting read (revoked or expired token or JWT, removed user).",
        tags: ['Events'],
        querystring: StreamQuery,
        response: {
          // The handler writes the stream itself (no serializer runs): this documents it. In
          // OpenAPI 3.1 the schema of an event stream describes one event.
          200: {
            description: 'The event stream, one event per TAMS event (comments keep the connection alive).',
            content: { 'text/event-stream': { schema: StreamEvent } },
          },
          ...errors({ 400: 'Bad request. Invalid query options.' }),
        },
      },
    },
    async (request, reply) => {
      const gone = new AbortController();
      // HEAD: the headers a GET would get, and no stream.
      const items =
        request.method === 'HEAD'
          ? undefined
          : await deps.streams.subscribe(streamSubscription(request.query), {
              after: resumeFrom(request.headers['last-event-id']),
              access: deps.access(request),
              signal: gone.signal,
              version: request.query.api_version ?? '7.0',
            });
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, HEADERS);
      if (items === undefined) {
        res.end();
        return;
      }
      // The response's 'close' (the request's fires once its body is read, i.e. at once for a GET).
      res.on('close', () => gone.abort());
      res.write(': tams-server event stream\n\n');
      try {
        await send(res, items, AbortSignal.any([gone.signal, deps.streams.closed]));
      } finally {
        await items.return(undefined);
        // Ended, the response no longer holds up the server's close, even with a client that
        // stopped reading (its connection is then closed with what it has not read).
        res.end();
      }
    },
  );
}
