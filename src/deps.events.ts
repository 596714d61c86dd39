import type { Clock } from './common/clock.ts';
import type { Doorbell } from './common/doorbell.ts';
import type { Config } from './config.ts';
import { adaptedRenderer, EventRenderer, type VersionedBodies } from './events/events.render.ts';
import { UrlGuard } from './events/events.ssrf.ts';
import { EventStreams } from './events/events.stream.ts';
import { flowPayloadV8 } from './flows/flows.events.v8.ts';
import { ListeningUrl } from './http/listening.ts';
import type { MediaRegistry } from './media/media.registry.ts';
import { segmentsAddedRenderer } from './segments/segments.events.ts';
import { GetUrlBuilder } from './segments/segments.urls.ts';
import type { TamsStore } from './store/store.ts';

/** How events are rendered and read: what the event streams, the webhooks and their dispatcher share. */
export interface EventParts {
  /** The media URLs of segments (events and the TAMS areas make them alike). */
  urls: GetUrlBuilder;
  /** Where media URLs in events point without TAMS_PUBLIC_URL: told once the server listens. */
  listening: ListeningUrl;
  /** Which webhook URLs may be called (TAMS_WEBHOOK_ALLOW). */
  guard: UrlGuard;
  /** 7.0's event bodies: the event streams' and 7.0 webhooks'. */
  renderer: EventRenderer;
  /** Each API version's event bodies: a webhook receives those of the version it was made through. */
  bodies: VersionedBodies;
  /** Server-Sent Events at /events, woken by `eventsCommitted` from now on. */
  streams: EventStreams;
}

export function buildEvents(
  config: Config,
  parts: { store: TamsStore; media: MediaRegistry; clock: Clock; eventsCommitted: Doorbell },
): EventParts {
  const { store, media, clock } = parts;
  const urls = new GetUrlBuilder(media);
  // Where media URLs in events point when no request tells: the public URL, else the address
  // the server listens on (known once it listens).
  const listening = new ListeningUrl(`http://localhost:${config.TAMS_PORT}`);
  const urlContext = () => ({
    baseUrl: config.TAMS_PUBLIC_URL !== '' ? config.TAMS_PUBLIC_URL : listening.url(),
    expiresIn: config.TAMS_PRESIGN_EXPIRY_SECONDS,
  });
  // The areas' per-delivery parts of event bodies (the event layer knows no resource's shape).
  const payloads = { 'flows/segments_added': segmentsAddedRenderer(urls, urlContext) };
  const renderer = new EventRenderer(payloads);
  // 8.2's from 7.0's, adjusted where 8.2's payload schemas differ (flows.events.v8.ts).
  const bodies: VersionedBodies = {
    '7.0': renderer,
    '8.2': adaptedRenderer(payloads, { 'flows/created': flowPayloadV8, 'flows/updated': flowPayloadV8 }),
  };
  const streams = new EventStreams({ store, renderer, clock });
  parts.eventsCommitted.subscribe(() => streams.wake());
  const guard = new UrlGuard(config.TAMS_WEBHOOK_ALLOW.split(','));
  return { urls, listening, guard, renderer, bodies, streams };
}
