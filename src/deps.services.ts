import type { AuthModule } from './auth/auth.module.ts';
import type { Clock } from './common/clock.ts';
import type { Doorbell } from './common/doorbell.ts';
import type { IdGenerator } from './common/ids.ts';
import { packageVersion } from './common/package-info.ts';
import type { Config } from './config.ts';
import { DeletionService } from './deletion/deletion.service.ts';
import type { Core } from './deps.core.ts';
import type { EventParts } from './deps.events.ts';
import type { MediaParts } from './deps.media.ts';
import { ExportService } from './export/export.service.ts';
import { featureContentTables } from './feature/feature.set.ts';
import { FlowsService } from './flows/flows.service.ts';
import { HlsService } from './hls/hls.service.ts';
import { ClientUrlRule } from './media/media.client-urls.ts';
import type { ServerMetrics } from './metrics/metrics.registry.ts';
import { InstancesService } from './objects/objects.instances.ts';
import { ObjectsService } from './objects/objects.service.ts';
import { Readiness } from './ops/ops.readiness.ts';
import { ProfilesService } from './profiles/profiles.service.ts';
import { PlainPages } from './segments/segments.fastlane.ts';
import { SegmentsService } from './segments/segments.service.ts';
import { ServiceInfoService } from './service/service.service.ts';
import { SourcesService } from './sources/sources.service.ts';
import { StoreMaintenance } from './store/maintenance.repo.ts';
import { WebhooksService } from './webhooks/webhooks.service.ts';

/** How /service advertises event delivery (ADR 0014): webhooks, and our Server-Sent Events. */
const EVENT_STREAM_MECHANISMS = [
  {
    name: 'webhooks',
    docs: 'https://github.com/bbc/tams/blob/7.0/api/TimeAddressableMediaStore.yaml (POST /service/webhooks)',
  },
  {
    name: 'tams-server-sse',
    docs: 'Server-Sent Events at GET /events: the webhook event bodies, filtered with the webhook options as query parameters; resume with Last-Event-ID.',
    config: { path: '/events', format: 'text/event-stream' },
  },
];

/** The services of the TAMS areas, and what serves health and the management commands. */
export interface Services {
  service: ServiceInfoService;
  sources: SourcesService;
  flows: FlowsService;
  segments: SegmentsService;
  objects: ObjectsService;
  instances: InstancesService;
  deletion: DeletionService;
  webhooks: WebhooksService;
  /** Flow Profiles (TAMS 8.2). */
  profiles: ProfilesService;
  hls: HlsService;
  exports: ExportService;
  /** Health and metrics (issue 8): always built; /metrics is served when TAMS_METRICS is on. */
  readiness: Readiness;
  /** Whole-store work of the management commands (tams-mgmt), on the database directly. */
  maintenance: StoreMaintenance;
}

export interface ServiceNeeds {
  core: Core;
  media: MediaParts;
  events: EventParts;
  auth: AuthModule;
  clock: Clock;
  ids: IdGenerator;
  /** Rung when a deletion is requested: the background workers look for work. */
  workRequested: Doorbell;
  /** Rung when a webhook is registered, changed or deleted: its dispatcher lists them again. */
  webhooksChanged: Doorbell;
}

/** Builds the services once, at start; the server's gauges are registered before them. */
export function buildServices(config: Config, needs: ServiceNeeds): Services {
  const { core, media, events, auth, clock, ids } = needs;
  const { store, db, metrics } = core;
  bindServerGauges(metrics, core, auth);
  const deletion = new DeletionService({
    store,
    clock,
    ids,
    settings: {
      syncLimit: config.TAMS_DELETE_SYNC_LIMIT,
      retentionMs: config.TAMS_DELETE_RETENTION_SECONDS * 1000,
    },
    wake: () => needs.workRequested.ring(),
  });
  // The embedded fast lane of pages, where the accelerator keeps segment indexes in memory.
  const lane = core.accelerator?.segmentIndex;
  const pages = lane && new PlainPages(lane, media.media, core.accelerator?.instancedObjects);
  // One rule for every path that takes a client's URL for others to read.
  const clientUrls = new ClientUrlRule({
    allow: config.TAMS_CLIENT_URL_HOSTS_ALLOW,
    deny: config.TAMS_CLIENT_URL_HOSTS_DENY,
  });
  const segments = new SegmentsService({
    store,
    clock,
    urls: events.urls,
    clientUrls,
    deletion,
    metrics,
    pages,
  });
  // Flows made from a Profile take its technical metadata (FlowProfiles).
  const profiles = new ProfilesService({ store, clock });
  return {
    maintenance: new StoreMaintenance(db, featureContentTables(core.enabled)),
    readiness: new Readiness({
      store,
      media: media.media.stores,
      database: db.engine.server,
      storage: db.engine.storage,
      timeoutMs: config.TAMS_READY_TIMEOUT_MS,
    }),
    service: new ServiceInfoService({
      store,
      serviceVersion: packageVersion(),
      timeouts: {
        unregisteredObjectSeconds: config.TAMS_UNUSED_OBJECT_GRACE_SECONDS,
        presignedUrlSeconds: config.TAMS_PRESIGN_EXPIRY_SECONDS,
      },
      defaults: { name: config.TAMS_SERVICE_NAME, description: config.TAMS_SERVICE_DESCRIPTION },
      storageBackends: () => media.media.descriptors(),
      eventStreamMechanisms: () => EVENT_STREAM_MECHANISMS,
    }),
    webhooks: new WebhooksService({
      store,
      clock,
      ids,
      guard: events.guard,
      changed: () => needs.webhooksChanged.ring(),
    }),
    sources: new SourcesService({ store, clock }),
    flows: new FlowsService({ store, clock, ids, deletion, profiles }),
    segments,
    hls: new HlsService({
      store,
      segments,
      urls: events.urls,
      media: media.media,
      clock,
      settings: {
        liveWindowSeconds: config.TAMS_HLS_LIVE_WINDOW_SECONDS,
        liveIdleSeconds: config.TAMS_HLS_LIVE_IDLE_SECONDS,
        maxSegments: config.TAMS_HLS_MAX_SEGMENTS,
      },
    }),
    exports: new ExportService({
      store,
      media: media.media,
      settings: { maxSegments: config.TAMS_HLS_MAX_SEGMENTS },
    }),
    objects: new ObjectsService({ store, urls: events.urls }),
    instances: new InstancesService({
      store,
      clock,
      media: media.media,
      clientUrls,
      wake: () => needs.workRequested.ring(),
    }),
    profiles,
    deletion,
  };
}

/** Gauges of the engine's disk and of authentication, on /metrics. */
function bindServerGauges(metrics: ServerMetrics, core: Core, auth: AuthModule): void {
  const disk = core.db.engine.storage;
  metrics.gauge(
    'tams_storage_writes_refused',
    'Whether the embedded engine refuses writes (1) because its disk is full, over quota, read-only or failing; reads go on',
    async () =>
      disk === undefined
        ? 0
        : disk.check().then(
            () => 0,
            () => 1,
          ),
  );
  metrics.gauge(
    'tams_auth_password_checks_waiting',
    'HTTP Basic password checks waiting for scrypt; beyond 4 per TAMS_AUTH_PASSWORD_CHECKS logins are answered 503',
    () => auth.authenticator.waitingChecks(),
  );
}
