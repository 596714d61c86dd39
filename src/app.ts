import Fastify, { type FastifyPluginAsync, type FastifyServerOptions } from 'fastify';
import { MOUNT_COMPONENTS, OPENAPI_COMPONENTS } from './app.openapi.ts';
import { registerMount, type TamsRoutesDeps, type TamsServices, tamsRoutes } from './app.routes.ts';
import { registerAuth } from './auth/auth.hook.ts';
import type { AuthModule } from './auth/auth.module.ts';
import { GLOBAL_SECURITY, SECURITY_SCHEMES } from './auth/auth.openapi.ts';
import { authRoutes } from './auth/auth.routes.ts';
import { backupRoutes } from './backup/backup.routes.ts';
import type { BackupService } from './backup/backup.service.ts';
import type { ClientActivity } from './common/pacer.ts';
import type { Config } from './config.ts';
import { eventsRoutes } from './events/events.routes.ts';
import type { EventStreams } from './events/events.stream.ts';
import { exportRoutes } from './export/export.routes.ts';
import type { ExportService } from './export/export.service.ts';
import type { FeatureSet } from './feature/feature.set.ts';
import { hlsRoutes } from './hls/hls.routes.ts';
import type { HlsService } from './hls/hls.service.ts';
import { type ApiMount, ROOT_MOUNT, VERSION_MOUNTS } from './http/api.version.ts';
import { clientErrorHandler } from './http/client-errors.ts';
import { registerClientActivity } from './http/clients.ts';
import { registerConnectionDrain } from './http/connections.ts';
import { frameworkErrorHandler, registerErrorHandling } from './http/errors.ts';
import { registerJson } from './http/json.ts';
import { loggerOptions } from './http/logging.ts';
import { rootRoutesFor } from './http/mount.elsewhere.ts';
import type { PagingSettings } from './http/paging.ts';
import { actorOf, isAdmin, recordedCredential } from './http/principal.ts';
import { registerQueryGuard } from './http/query.guard.ts';
import { registerSwagger } from './http/swagger.ts';
import type { App } from './http/types.ts';
import { registerValidation } from './http/validation.ts';
import { isPresignedMediaRequest } from './media/fs/fs.routes.ts';
import { registerHttpMetrics } from './metrics/metrics.http.ts';
import type { ServerMetrics } from './metrics/metrics.registry.ts';
import type { Readiness } from './ops/ops.readiness.ts';
import { opsRoutes } from './ops/ops.routes.ts';
import { type LogRing, teeDestination } from './support/support.logring.ts';
import { supportRoutes } from './support/support.routes.ts';
import type { SupportBundles } from './support/support.service.ts';
import { uiBootstrap } from './ui/ui.bootstrap.ts';
import { uiDirectory } from './ui/ui.dir.ts';
import { registerBrowserLanding } from './ui/ui.landing.ts';
import { uiRoutes } from './ui/ui.routes.ts';
import { uiSourcesRoutes } from './ui/ui.sources.routes.ts';

/** Everything the HTTP layer needs, built once by the composition root (deps.ts). */
export interface AppDeps extends TamsServices {
  /** Authentication (src/auth): credentials, scopes, users and tokens. */
  auth: AuthModule;
  config: Config;
  streams: EventStreams;
  /** The wings beyond the spec switched on (src/features.ts): their routes and OpenAPI components. */
  features?: FeatureSet;
  /** HLS playlists of Flows and Sources (src/hls). */
  hls?: HlsService;
  /** Downloads of a timerange of a Flow as one file (src/export). */
  exports?: ExportService;
  /** Backups of the embedded store taken by the running server (src/backup); POST /backups with it. */
  backups?: BackupService;
  /** Routes of media backends this server serves itself (the embedded fs store). */
  mediaRoutes?: FastifyPluginAsync;
  /** /ready's checks; with it the app serves /health and /ready (hidden from OpenAPI). */
  readiness?: Readiness;
  /** Request metrics, and /metrics when TAMS_METRICS is on. */
  metrics?: ServerMetrics;
  /** Where the requests being served are counted, for background work that gives way to them. */
  clients?: ClientActivity;
  /** The support bundle (GET /support/bundle, admin scope, root mount). */
  support?: SupportBundles;
  /** Where the logger also keeps its last lines, for the support bundle. */
  logRing?: LogRing;
  /** Overrides the logger (tests pass `false`). */
  logger?: FastifyServerOptions['logger'];
}

export async function buildApp(deps: AppDeps): Promise<App> {
  const { config } = deps;
  const app = Fastify({
    logger:
      deps.logger ??
      (deps.logRing
        ? { ...loggerOptions(config.TAMS_LOG_LEVEL), stream: teeDestination(deps.logRing) }
        : loggerOptions(config.TAMS_LOG_LEVEL)),
    trustProxy: config.TAMS_TRUST_PROXY,
    // Bulk segment registration sends thousands of segments in one body.
    bodyLimit: 64 * 1024 * 1024,
    exposeHeadRoutes: true,
    // Object ids and tag names are path parameters and can be long.
    routerOptions: { maxParamLength: 2048 },
    frameworkErrors: frameworkErrorHandler,
    clientErrorHandler,
    // Start-up hooks write to the database (auth's bootstrap, onReady): on a loaded or distant
    // one, re-running conflicts, that can pass Fastify's 10 s, which then ends the process (a
    // server on the fake VAST with 2M segments, on a loaded machine). It listens once they are
    // done; past this limit it still ends, saying which hook timed out.
    pluginTimeout: 120_000,
  }).withTypeProvider() as unknown as App;

  // First: its preClose hook starts ending idle connections before the other hooks run.
  registerConnectionDrain(app);
  app.decorateRequest('principal', null);
  registerValidation(app);
  registerJson(app);
  // Before any route: it learns the root's routes as they are registered.
  registerErrorHandling(app, rootRoutesFor(app));
  if (deps.metrics) registerHttpMetrics(app, deps.metrics);
  if (deps.clients) registerClientActivity(app, deps.clients);
  registerQueryGuard(app);
  // Before authentication: a browser opening / has no credentials to send yet.
  if (config.TAMS_UI) registerBrowserLanding(app);
  // Before any route: it gives every route registered from here on its authorisation policy.
  registerAuth(app, deps.auth, isPresignedMediaRequest);
  await registerSwagger(app, {
    ui: config.TAMS_SWAGGER_UI,
    mounts: VERSION_MOUNTS,
    security: { schemes: SECURITY_SCHEMES, global: GLOBAL_SECURITY },
    components: { ...OPENAPI_COMPONENTS, ...deps.features?.components() },
  });

  const paging: PagingSettings = {
    defaultLimit: config.TAMS_PAGE_LIMIT_DEFAULT,
    maxLimit: config.TAMS_PAGE_LIMIT_MAX,
  };
  const publicUrl = config.TAMS_PUBLIC_URL;
  const presignExpirySeconds = config.TAMS_PRESIGN_EXPIRY_SECONDS;
  // The TAMS areas, built into routes once per API mount (src/app.routes.ts).
  const tams: TamsRoutesDeps = {
    ...deps,
    webhookViewer: (request) => ({
      name: actorOf(request),
      admin: isAdmin(request),
      credential: request.principal ? recordedCredential(request.principal) : undefined,
    }),
    paging,
    publicUrl,
    presignExpirySeconds,
  };

  // What tams-server adds to the Flows and Sources of the API: a client reaches them from its
  // base URL, so every mount serves them (docs/api.md, "API versions").
  const besideTams = async (api: App, mount: ApiMount) => {
    if (deps.hls) await hlsRoutes(api, { hls: deps.hls, publicUrl, presignExpirySeconds, mount });
    if (deps.exports) await exportRoutes(api, { exports: deps.exports, mount });
    await uiSourcesRoutes(api, { flows: deps.flows });
  };

  await app.register(async (api) => {
    const typed = api as unknown as App;
    // TAMS 7.0 at the root, exactly as it always was, and the wings beside it; what is the whole
    // server's (users and tokens, the event stream, the wings' own areas) is at the root alone.
    await tamsRoutes(typed, tams, ROOT_MOUNT);
    await besideTams(typed, ROOT_MOUNT);
    await authRoutes(typed, deps.auth);
    if (deps.support) await supportRoutes(typed, { support: deps.support });
    if (deps.backups) await backupRoutes(typed, deps.backups);
    await deps.features?.routes(typed, { paging, publicUrl });
    await eventsRoutes(typed, {
      streams: deps.streams,
      // An open stream ends when its caller's credential stops granting read.
      access: (request) => {
        const principal = request.principal;
        return principal ? () => deps.auth.grants.liveRefusal(principal) : undefined;
      },
    });
  });
  // Each version again under its own base path, documented on its own (/tams/v7.0, /tams/v8.2).
  for (const mount of VERSION_MOUNTS) {
    const document = {
      security: { schemes: SECURITY_SCHEMES, global: GLOBAL_SECURITY },
      components: MOUNT_COMPONENTS[mount.version],
    };
    await registerMount(app, mount, tams, document, besideTams);
  }
  if (deps.mediaRoutes) await app.register(deps.mediaRoutes);
  if (config.TAMS_UI)
    await uiRoutes(app, { dir: uiDirectory(config.TAMS_UI_DIR), bootstrap: uiBootstrap(config) });
  if (deps.readiness) {
    await opsRoutes(app, {
      readiness: deps.readiness,
      metrics: config.TAMS_METRICS ? deps.metrics : undefined,
    });
  }
  return app;
}
