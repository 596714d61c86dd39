import type { FastifyRequest } from 'fastify';
import { errors } from '../http/responses.ts';
import type { App } from '../http/types.ts';
import { type EventStreams, type StreamAccess, StreamQuery, streamSubscription } from './events.stream.ts';

export interface EventsRoutesDeps {
  streams: EventStreams;
  /** How a stream re-checks that its caller may still read; undefined without authentication. */
  access: (request: FastifyRequest) => StreamAccess | undefined;
}

const StreamEvent = {
  type: 'object',
  properties: {
    id: { type: 'string', description: 'Send it back as `Last-Event-ID` to resume after a reconnection.' },
    event: { type: 'string', description: 'The event type, as `event_type` in the data.' },
    data: {
      type: 'string',
      contentMediaType: 'application/json',
      description: 'The body a webhook would receive: `{event_timestamp, event_type, event}`.',
    },
  },
  required: ['id', 'event', 'data'],
};

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
          'A tams-server extension: the TAMS events (the bodies webhooks receive, `{event_timestamp, event_type, event}`) as a `text/event-stream`, with the webhook filters and `get_urls` options as query parameters (comma-separated lists). Each event has the `id` to send back as `Last-Event-ID` to resume after a reconnection. With authentication on, the stream ends when the credential it was opened with stops granting read (revoked or expired token or JWT, removed user).',
        tags: ['Webhooks'],
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
    async (request, reply) =>
      deps.streams.serve(request, reply, streamSubscription(request.query), deps.access(request)),
  );
}
