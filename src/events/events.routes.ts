import type { App } from '../http/types.ts';
import { type EventStreams, StreamQuery, streamSubscription } from './events.stream.ts';

/** GET /events: Server-Sent Events (a tams-server extension, advertised in /service). */
export async function eventsRoutes(app: App, deps: { streams: EventStreams }): Promise<void> {
  // Before the server stops accepting: a stream is a request that never ends by itself.
  app.addHook('preClose', async () => deps.streams.close());
  app.get(
    '/events',
    {
      schema: {
        operationId: 'GET_events',
        summary: 'Event Stream (Server-Sent Events)',
        description:
          'A tams-server extension: the TAMS events (the bodies webhooks receive, `{event_timestamp, event_type, event}`) as a `text/event-stream`, with the webhook filters and `get_urls` options as query parameters (comma-separated lists). Each event has the `id` to send back as `Last-Event-ID` to resume after a reconnection.',
        tags: ['Webhooks'],
        querystring: StreamQuery,
      },
    },
    async (request, reply) => deps.streams.serve(request, reply, streamSubscription(request.query)),
  );
}
