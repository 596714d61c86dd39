import type { Clock } from './common/clock.ts';
import type { Doorbell } from './common/doorbell.ts';
import { UrlGuard } from './common/url.guard.ts';
import type { Config } from './config.ts';
import { EventRenderer, type VersionedBodies } from './events/events.render.ts';
import { EventStreams } from './events/events.stream.ts';
import { flowChangedRenderer } from './flows/flows.events.ts';
import type { ApiVersion } from './http/api.version.ts';
import { ListeningUrl } from './http/listening.ts';
import type { MediaRegistry } from './media/media.registry.ts';
import type { UrlContext } from './media/media.types.ts';
import { segmentsAddedRenderer } from './segments/segments.events.ts';
import { GetUrlBuilder } from './segments/segments.urls.ts';
import { sourceChangedRenderer } from './sources/sources.events.ts';
import type { TamsStore } from './store/store.ts';

/** How events are rendered and read: what the event streams, the webhooks and their dispatcher share. */
export interface EventParts {
  /** The media URLs of segments (events and the TAMS areas make them alike). */
  urls: GetUrlBuilder;
  /** Where media URLs in events point without TAMS_PUBLIC_URL: told once the server listens. */
  listening: ListeningUrl;
  /** Which webhook URLs may be called (TAMS_WEBHOOK_ALLOW). */
  guard: UrlGuard;
  /** 7.0's event bodies: the event streams'. */
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
  // Event streams are not versioned: 7.0's bodies, as before 8.2 (docs/api-versions.md).
  const renderer = versionBodies('7.0', urls, urlContext);
  const bodies: VersionedBodies = { '7.0': renderer, '8.2': versionBodies('8.2', urls, urlContext) };
  const streams = new EventStreams({ store, bodies, clock });
  parts.eventsCommitted.subscribe(() => streams.wake());
  const guard = new UrlGuard(config.TAMS_WEBHOOK_ALLOW.split(','));
  return { urls, listening, guard, renderer, bodies, streams };
}

/**
 * The event bodies of `version`, made by the areas from the store's model the outbox keeps, as
 * that version's GET answers are (the event layer knows no resource's shape). Types not named
 * are sent as stored: `{flow_id}`, `{source_id}`, `{flow_id, timerange}` in every version.
 */
function versionBodies(
  version: ApiVersion,
  urls: GetUrlBuilder,
  urlContext: () => UrlContext,
): EventRenderer {
  const flow = flowChangedRenderer(version);
  const source = sourceChangedRenderer(version);
  return new EventRenderer({
    'flows/created': flow,
    'flows/updated': flow,
    'flows/segments_added': segmentsAddedRenderer(urls, urlContext, version),
    'sources/created': source,
    'sources/updated': source,
  });
}
