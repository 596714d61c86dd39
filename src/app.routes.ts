/**
 * The TAMS routes of each API mount (src/http/api.version.ts): 7.0's areas, registered at the
 * root and again under /tams/v7.0, and what 8.2 serves so far under /tams/v8.2. Each area is
 * told its mount when registered. The routes beyond the spec are app.ts's: those of Flows and
 * Sources (HLS, export) under every mount, the whole server's (search, EXR, analytics, auth
 * administration, the event stream, ...) at the root alone.
 */
import type { FastifyRequest } from 'fastify';
import { deletionRoutes } from './deletion/deletion.routes.ts';
import type { DeletionService } from './deletion/deletion.service.ts';
import { flowPropertyRoutes } from './flows/flows.properties.routes.ts';
import { flowsRoutes } from './flows/flows.routes.ts';
import type { FlowsService } from './flows/flows.service.ts';
import type { ApiMount, ApiVersion } from './http/api.version.ts';
import type { PagingSettings } from './http/paging.ts';
import { type DocumentOptions, registerMountDocument } from './http/swagger.ts';
import type { App } from './http/types.ts';
import { instancesRoutes } from './objects/objects.instances.routes.ts';
import type { InstancesService } from './objects/objects.instances.ts';
import { objectsRoutes } from './objects/objects.routes.ts';
import type { ObjectsService } from './objects/objects.service.ts';
import { profilesRoutes } from './profiles/profiles.routes.ts';
import type { ProfilesService } from './profiles/profiles.service.ts';
import { segmentsRoutes } from './segments/segments.routes.ts';
import type { SegmentsService } from './segments/segments.service.ts';
import { type ServiceRoutesDeps, serviceRoutes } from './service/service.routes.ts';
import type { ServiceInfoService } from './service/service.service.ts';
import { sourcesRoutes } from './sources/sources.routes.ts';
import type { SourcesService } from './sources/sources.service.ts';
import { storageRoutes } from './storage/storage.routes.ts';
import type { StorageService } from './storage/storage.service.ts';
import { webhooksRoutes } from './webhooks/webhooks.routes.ts';
import type { Viewer, WebhooksService } from './webhooks/webhooks.service.ts';
import { webhooksV8Routes } from './webhooks/webhooks.v8.routes.ts';

/** The services over the one store that every mount's routes are built from (app.ts's AppDeps has them). */
export interface TamsServices {
  service: ServiceInfoService;
  sources: SourcesService;
  flows: FlowsService;
  segments: SegmentsService;
  storage: StorageService;
  objects: ObjectsService;
  /** Object instances (TAMS 8.2 only). */
  instances: InstancesService;
  deletion: DeletionService;
  webhooks: WebhooksService;
  /** Flow Profiles (TAMS 8.2 only). */
  profiles: ProfilesService;
}

/** What every mount's routes are built from: the services, and the settings. */
export interface TamsRoutesDeps extends TamsServices {
  /** Who the caller is, for webhook listings and ownership. */
  webhookViewer: (request: FastifyRequest) => Viewer;
  paging: PagingSettings;
  publicUrl: string;
  presignExpirySeconds: number;
}

/** TAMS 7.0's root listing (`GET /`). */
const ROOT_ENDPOINTS_7_0 = ['service', 'flows', 'sources', 'flow-delete-requests'];
/** TAMS 8.2's root listing: the resources the mount serves so far (each area adds its own). */
const ROOT_ENDPOINTS_8_2 = ['service', 'flows', 'sources', 'flow-delete-requests'];
/**
 * What 8.2's `/service` lists in `event_stream_mechanisms`: what the mount serves of 8.2's own
 * (8.2: webhooks are available when "webhooks" is listed there).
 */
const EVENT_STREAMS_8_2 = [
  {
    name: 'webhooks',
    docs: 'https://bbc.github.io/tams/8.2/index.html#/operations/POST_webhooks (at /tams/v8.2/service/webhooks)',
  },
];

/** Each version's lists in its service routes: its root listing, 8.2's own event streams. */
const SERVICE_LISTS: Record<ApiVersion, Pick<ServiceRoutesDeps, 'rootEndpoints' | 'eventStreams'>> = {
  '7.0': { rootEndpoints: () => ROOT_ENDPOINTS_7_0 },
  '8.2': { rootEndpoints: () => ROOT_ENDPOINTS_8_2, eventStreams: () => EVENT_STREAMS_8_2 },
};

/** The areas whose routes serve both versions alike, each told its mount; registered first. */
async function sharedRoutes(app: App, deps: TamsRoutesDeps, mount: ApiMount): Promise<void> {
  const { paging, publicUrl } = deps;
  await serviceRoutes(app, {
    service: deps.service,
    mount,
    ...SERVICE_LISTS[mount.version],
    paging,
    publicUrl,
  });
  await sourcesRoutes(app, { sources: deps.sources, paging, publicUrl, mount });
  await flowsRoutes(app, { flows: deps.flows, paging, publicUrl, mount });
  await flowPropertyRoutes(app, deps.flows, mount.version);
  const { presignExpirySeconds } = deps;
  await storageRoutes(app, { storage: deps.storage, publicUrl, presignExpirySeconds, mount });
  await objectsRoutes(app, { objects: deps.objects, paging, publicUrl, presignExpirySeconds, mount });
  await segmentsRoutes(app, { segments: deps.segments, paging, publicUrl, presignExpirySeconds, mount });
}

async function tams70Routes(app: App, deps: TamsRoutesDeps, mount: ApiMount): Promise<void> {
  const { paging, publicUrl } = deps;
  await deletionRoutes(app, { deletion: deps.deletion, paging, publicUrl, mount });
  await webhooksRoutes(app, { webhooks: deps.webhooks, viewer: deps.webhookViewer });
}

async function tams82Routes(app: App, deps: TamsRoutesDeps, mount: ApiMount): Promise<void> {
  const { paging, publicUrl } = deps;
  await instancesRoutes(app, { instances: deps.instances });
  await webhooksV8Routes(app, { webhooks: deps.webhooks, viewer: deps.webhookViewer, paging, publicUrl });
  await profilesRoutes(app, { profiles: deps.profiles, paging, publicUrl });
  await deletionRoutes(app, { deletion: deps.deletion, paging, publicUrl, mount });
}

const ROUTES: Record<ApiVersion, (app: App, deps: TamsRoutesDeps, mount: ApiMount) => Promise<void>> = {
  '7.0': tams70Routes,
  '8.2': tams82Routes,
};

/** The TAMS routes of `mount`'s version, registered in `app` (the root mount's: app.ts). */
export async function tamsRoutes(app: App, deps: TamsRoutesDeps, mount: ApiMount): Promise<void> {
  await sharedRoutes(app, deps, mount);
  await ROUTES[mount.version](app, deps, mount);
}

/**
 * A versioned mount: its version's routes under its prefix, in a plugin context of their own,
 * with their own OpenAPI document at `<prefix>/openapi.json` (`document`: its components and
 * security), and `beside` them what app.ts serves beside the TAMS routes of every mount.
 */
export async function registerMount(
  app: App,
  mount: ApiMount,
  deps: TamsRoutesDeps,
  document: DocumentOptions,
  beside?: (api: App, mount: ApiMount) => Promise<void>,
): Promise<void> {
  await app.register(
    async (api) => {
      await registerMountDocument(api, mount, document);
      await tamsRoutes(api as unknown as App, deps, mount);
      await beside?.(api as unknown as App, mount);
    },
    { prefix: mount.prefix },
  );
}
