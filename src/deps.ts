import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { FastifyPluginAsync } from 'fastify';
import type { AppDeps } from './app.ts';
import { type AuthTesting, createAuth } from './auth/auth.module.ts';
import { type Clock, systemClock } from './common/clock.ts';
import { type IdGenerator, randomIds } from './common/ids.ts';
import { packageVersion } from './common/package-info.ts';
import { BackgroundWorker, type WorkerLog } from './common/worker.ts';
import type { Config } from './config.ts';
import type { Engine } from './db/db.types.ts';
import { openAnalytics } from './db/engine.factory.ts';
import type { TableManager } from './db/manager.ts';
import type { MigrationRun } from './db/migrate/migrate.types.ts';
import type { Topology } from './db/topology.ts';
import { DeletionService } from './deletion/deletion.service.ts';
import { DeletionWorker } from './deletion/deletion.worker.ts';
import { eventSlots, featuresOn, openDatabase, processOwner } from './deps.store.ts';
import { WebhookDispatcher } from './events/events.dispatcher.ts';
import { EventRenderer } from './events/events.render.ts';
import { UrlGuard } from './events/events.ssrf.ts';
import { EventStreams } from './events/events.stream.ts';
import { FeatureSet, featureContentTables } from './feature/feature.set.ts';
import type { Feature, FeatureRuntime } from './feature/feature.types.ts';
import { FlowsService } from './flows/flows.service.ts';
import { HlsService, INIT_OBJECT_TAG } from './hls/hls.service.ts';
import { API_VERSION } from './http/swagger.ts';
import { fsMediaRoutes } from './media/fs/fs.routes.ts';
import { createFsMediaStore, FsMediaStore } from './media/fs/fs.store.ts';
import { createMediaStores, loadStorageBackends } from './media/media.config.ts';
import { MediaGarbageCollector } from './media/media.gc.ts';
import { MediaRegistry } from './media/media.registry.ts';
import type { MediaStore } from './media/media.types.ts';
import { timedStoreDb } from './metrics/metrics.db.ts';
import { ServerMetrics } from './metrics/metrics.registry.ts';
import { bindStoreGauges } from './metrics/metrics.store.ts';
import { ObjectsService } from './objects/objects.service.ts';
import { Readiness } from './ops/ops.readiness.ts';
import { segmentsAddedRenderer } from './segments/segments.events.ts';
import { PlainPages } from './segments/segments.fastlane.ts';
import { SegmentsService } from './segments/segments.service.ts';
import { GetUrlBuilder } from './segments/segments.urls.ts';
import { ServiceInfoService } from './service/service.service.ts';
import { SourcesService } from './sources/sources.service.ts';
import { StorageService } from './storage/storage.service.ts';
import { StoreMaintenance } from './store/maintenance.repo.ts';
import { readEnvelopes } from './store/segments.envelopes.ts';
import type { TamsStore } from './store/store.ts';
import { TamsStore as Store } from './store/store.ts';
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

export interface Runtime extends AppDeps {
  /** The wings switched on, built (src/features.ts); `features.get(searchFeature)` finds one. */
  features: FeatureSet;
  store: TamsStore;
  media: MediaRegistry;
  /** The table manager under the store (tests inspect tables through it). */
  db: TableManager;
  /** The schema migrations this start applied (none when the store was up to date). */
  migrations: MigrationRun;
  /** Whole-store work of the management commands (tams-mgmt), on the database directly. */
  maintenance: StoreMaintenance;
  /** Health and metrics (issue 8): always built; /metrics is served when TAMS_METRICS is on. */
  readiness: Readiness;
  metrics: ServerMetrics;
  /** Tells the runtime the address it listens on (media URLs in events use it without TAMS_PUBLIC_URL). */
  setListeningUrl(url: string): void;
  /** Starts the background workers (deletion requests, media garbage collection). */
  start(log: WorkerLog): void;
  /** Stops the workers after their current step, then closes media backends and the store. */
  close(): Promise<void>;
}

export interface BuildOptions {
  clock?: Clock;
  ids?: IdGenerator;
  /** Engine to use instead of the one the engine factory opens for the configuration (tests). */
  engine?: Engine;
  /** A fresh database in memory, from the engine factory (tests, benchmarks). */
  memory?: boolean;
  /** Keep Flows and segment timelines in memory (default: where the topology can cache tables). */
  storeCache?: boolean;
  /** The segment index budget in bytes, instead of TAMS_SEGMENT_INDEX_MEMORY_MB (tests: below 1 MiB). */
  segmentIndexBytes?: number;
  /** The segment index snapshot directory (tests; '' for none); default beside the DuckDB file. */
  segmentSnapshots?: string;
  /** Where `_env` credential references of TAMS_STORAGE_BACKENDS are read (tests). Default process.env. */
  env?: Record<string, string | undefined>;
  /** Authentication hooks for tests (cheap scrypt, wrapped password checks). */
  authTesting?: AuthTesting;
  /** Where start-up work before the HTTP server's logger exists (schema migrations) logs. */
  log?: WorkerLog;
  /** The wings beyond the spec (default: src/features.ts); those the configuration switches off are left out. */
  features?: readonly Feature<FeatureRuntime, Config>[];
}

/**
 * How often Flow segment states held by the cache are written behind to the flows table (the API
 * answers from the cache; a crash is reconciled from the segments at start). Each write holds the
 * writer: under single-segment POSTs to 1,000 Flows, writing every 250 ms took ~23 ms each time
 * and the POSTs made 2,971-2,977/s; every 2 s, 3,381-3,428/s.
 */
const FLOW_STATE_FLUSH_MS = 2000;

/** A value generated once and kept in the store, so restarts (and replicas) agree on it. */
async function persistent(
  store: TamsStore,
  key: string,
  configured: string,
  make: () => string,
): Promise<string> {
  if (configured !== '') return configured;
  // One transaction: replicas starting together keep the first value committed, each reading it.
  return store.transaction(async (tx) => {
    const kept = await tx.settings.get(key);
    if (typeof kept === 'string') return kept;
    const value = make();
    await tx.settings.set(key, value);
    return value;
  });
}

/**
 * The storage backends: the list TAMS_STORAGE_BACKENDS(_FILE) declares, or else the embedded fs
 * store alone, as the default. Each is checked (reachable, bucket present) before serving.
 */
async function buildMediaStores(
  config: Config,
  store: TamsStore,
  env: Record<string, string | undefined>,
): Promise<MediaStore[]> {
  const mediaRoot =
    config.TAMS_MEDIA_DIR !== '' ? config.TAMS_MEDIA_DIR : join(config.TAMS_DATA_DIR, 'media');
  const entries = loadStorageBackends(
    { json: config.TAMS_STORAGE_BACKENDS, file: config.TAMS_STORAGE_BACKENDS_FILE },
    env,
  );
  const fsSecret = async () =>
    Buffer.from(
      await persistent(store, 'media.fs.secret', config.TAMS_MEDIA_SECRET, () =>
        randomBytes(32).toString('base64url'),
      ),
    );
  if (entries !== undefined) {
    return createMediaStores(entries, {
      env,
      fsSecret: entries.some((e) => e.kind === 'fs') ? await fsSecret() : undefined,
      fsRoot: mediaRoot,
      fsMaxObjectBytes: config.TAMS_MEDIA_MAX_OBJECT_BYTES,
    });
  }
  return [
    await createFsMediaStore({
      root: mediaRoot,
      secret: await fsSecret(),
      maxObjectBytes: config.TAMS_MEDIA_MAX_OBJECT_BYTES,
      descriptor: {
        id: await persistent(store, 'media.fs.id', config.TAMS_FS_STORAGE_ID, randomUUID),
        label: config.TAMS_FS_STORAGE_LABEL,
        store_type: 'http_object_store',
        provider: 'tams-server',
        store_product: 'filesystem',
        default_storage: true,
      },
    }),
  ];
}

/**
 * Where the embedded store keeps its segment index snapshots: beside its database file. None
 * where the topology keeps none (in memory, shared engines), or on an engine a test passed in
 * (unless the test names a directory).
 */
function snapshotDir(config: Config, options: BuildOptions, topology: Topology): string | undefined {
  if (options.segmentSnapshots !== undefined) return options.segmentSnapshots || undefined;
  if (!topology.segmentSnapshots || options.engine) return undefined;
  return join(config.TAMS_DATA_DIR, 'segment-index');
}

/** Composition root: opens the store and builds every service once, at startup. */
export async function buildRuntime(config: Config, options: BuildOptions = {}): Promise<Runtime> {
  const clock = options.clock ?? systemClock;
  const ids = options.ids ?? randomIds;
  const { db, migrations } = await openDatabase(config, options);
  const enabled = featuresOn(config, options.features);
  // Transactions and table calls are timed for /metrics by wrapping what the store sees.
  const metrics = new ServerMetrics();
  const cached = options.storeCache ?? db.topology.canCacheTables;
  const store = await Store.open(timedStoreDb(db, metrics), {
    cached,
    slots: eventSlots(config, db),
    cache: {
      segmentIndexBytes: options.segmentIndexBytes ?? config.TAMS_SEGMENT_INDEX_MEMORY_MB * 2 ** 20,
      snapshotDir: cached ? snapshotDir(config, options, db.topology) : undefined,
    },
    // One aggregation over the segments table (on the engine's analytics connections), run at
    // start only after a stop that may have lost the Flow states held behind.
    envelopes: cached && db.topology.canCacheTables ? () => readEnvelopes(openAnalytics(db)) : undefined,
    log: options.log,
  });
  bindStoreGauges(metrics, store);

  const media = new MediaRegistry(await buildMediaStores(config, store, options.env ?? process.env));
  const storage = new StorageService({
    store,
    clock,
    media,
    settings: { defaultLimit: config.TAMS_STORAGE_LIMIT_DEFAULT, maxLimit: config.TAMS_STORAGE_LIMIT_MAX },
  });
  const fs = media.stores.find((s): s is FsMediaStore => s instanceof FsMediaStore);
  const mediaRoutes: FastifyPluginAsync | undefined = fs
    ? (app) =>
        fsMediaRoutes(app, {
          store: fs,
          allocated: (path, objectId) => storage.holdsPath(fs.descriptor.id, path, objectId),
        })
    : undefined;

  const workers: BackgroundWorker[] = [];
  const drains: (() => Promise<void>)[] = [];
  const deletion = new DeletionService({
    store,
    clock,
    ids,
    settings: {
      syncLimit: config.TAMS_DELETE_SYNC_LIMIT,
      retentionMs: config.TAMS_DELETE_RETENTION_SECONDS * 1000,
    },
    wake: () => {
      for (const worker of workers) worker.wake();
    },
  });
  const urls = new GetUrlBuilder(media);
  // Where media URLs in events point when no request tells: the public URL, else the address
  // the server listens on (known once it listens).
  let listeningUrl = `http://localhost:${config.TAMS_PORT}`;
  const urlContext = () => ({
    baseUrl: config.TAMS_PUBLIC_URL !== '' ? config.TAMS_PUBLIC_URL : listeningUrl,
    expiresIn: config.TAMS_PRESIGN_EXPIRY_SECONDS,
  });
  const guard = new UrlGuard(config.TAMS_WEBHOOK_ALLOW.split(','));
  // The areas' per-delivery parts of event bodies (the event layer knows no resource's shape).
  const renderer = new EventRenderer({ 'flows/segments_added': segmentsAddedRenderer(urls, urlContext) });
  const streams = new EventStreams({ store, renderer, clock });
  let dispatcher: BackgroundWorker | undefined;
  let webhookDispatcher: WebhookDispatcher | undefined;
  const features = FeatureSet.build(enabled, {
    config,
    store,
    db,
    media,
    clock,
    ids,
    env: options.env ?? process.env,
  });
  features.bindMetrics(metrics);
  store.onEventsCommitted = () => {
    dispatcher?.wake();
    streams.wake();
    features.wake();
  };
  const holdBack = features.holdBack();
  const auth = createAuth(config, db, { clock, topology: db.topology, testing: options.authTesting });
  const disk = db.engine.storage;
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

  // The embedded fast lane of pages, where the store keeps segment indexes in memory.
  const pages = store.segmentIndex && new PlainPages(store.segmentIndex, media);
  const segments = new SegmentsService({ store, clock, urls, deletion, metrics, pages });
  return {
    config,
    auth,
    store,
    media,
    mediaRoutes,
    db,
    migrations,
    maintenance: new StoreMaintenance(db, featureContentTables(enabled)),
    metrics,
    readiness: new Readiness({
      store,
      media: media.stores,
      database: db.engine.server,
      storage: db.engine.storage,
      timeoutMs: config.TAMS_READY_TIMEOUT_MS,
    }),
    service: new ServiceInfoService({
      store,
      apiVersion: API_VERSION,
      serviceVersion: packageVersion(),
      defaults: { name: config.TAMS_SERVICE_NAME, description: config.TAMS_SERVICE_DESCRIPTION },
      storageBackends: () => media.descriptors(),
      eventStreamMechanisms: () => EVENT_STREAM_MECHANISMS,
    }),
    webhooks: new WebhooksService({
      store,
      clock,
      ids,
      guard,
      changed: () => {
        webhookDispatcher?.invalidate();
        dispatcher?.wake();
      },
    }),
    streams,
    setListeningUrl(url) {
      listeningUrl = url;
    },
    sources: new SourcesService({ store, clock }),
    flows: new FlowsService({ store, clock, ids, deletion }),
    segments,
    storage,
    hls: new HlsService({
      store,
      segments,
      urls,
      media,
      clock,
      settings: {
        liveWindowSeconds: config.TAMS_HLS_LIVE_WINDOW_SECONDS,
        liveIdleSeconds: config.TAMS_HLS_LIVE_IDLE_SECONDS,
        maxSegments: config.TAMS_HLS_MAX_SEGMENTS,
      },
    }),
    objects: new ObjectsService({ store }),
    deletion,
    features,
    start(log) {
      const deletionWorker = new DeletionWorker({
        store,
        clock,
        owner: processOwner(),
        chunkSize: config.TAMS_DELETE_CHUNK,
        leaseMs: config.TAMS_WORKER_LEASE_SECONDS * 1000,
        retentionMs: config.TAMS_DELETE_RETENTION_SECONDS * 1000,
        topology: db.topology,
      });
      const gc = new MediaGarbageCollector({
        store,
        media,
        clock,
        log,
        unusedGraceMs: config.TAMS_UNUSED_OBJECT_GRACE_SECONDS * 1000,
        putUrlValidMs: config.TAMS_PRESIGN_EXPIRY_SECONDS * 1000,
        tidyEveryMs: 10 * config.TAMS_WORKER_IDLE_MS,
        // A fragmented MP4 Flow's init segment is an object no segment uses (src/hls).
        kept: (ids) => store.flows.taggedValues(INIT_OBJECT_TAG, ids),
        leaseMs: config.TAMS_WORKER_LEASE_SECONDS * 1000,
        owner: processOwner(),
        topology: db.topology,
      });
      // After the workers stop: leases held are given up, for another replica to go on at once.
      // A release that fails (the database gone) leaves the lease to lapse.
      const release = (job: string, give: () => Promise<void>) => () =>
        give().catch((error: unknown) => log.warn({ err: error, job }, 'lease not released at shutdown'));
      drains.push(
        release('deletion', () => deletionWorker.release()),
        release('media-gc', () => gc.release()),
      );
      workers.push(
        new BackgroundWorker('deletion', () => deletionWorker.step(), config.TAMS_WORKER_IDLE_MS, log),
        new BackgroundWorker('media-gc', () => gc.step(), config.TAMS_WORKER_IDLE_MS, log),
        // Paced: one write of every dirty Flow per period, however busy ingest keeps them.
        new BackgroundWorker(
          'flow-states',
          async () => (await store.flushFlowStates()) && false,
          FLOW_STATE_FLUSH_MS,
          log,
        ),
      );
      const webhooks = new WebhookDispatcher({
        store,
        clock,
        renderer,
        guard,
        log,
        owner: processOwner(),
        topology: db.topology,
        // With TAMS_AUTH=none nothing is owned: every webhook delivers.
        ownerRefusal:
          auth.mode === 'required' ? (w) => auth.grants.refusal(w.owner, w.credential) : undefined,
        settings: {
          timeoutMs: config.TAMS_WEBHOOK_TIMEOUT_MS,
          maxAttempts: config.TAMS_WEBHOOK_MAX_ATTEMPTS,
          backoffMs: config.TAMS_WEBHOOK_BACKOFF_MS,
          retentionMs: config.TAMS_EVENT_RETENTION_SECONDS * 1000,
          relistMs: config.TAMS_WORKER_IDLE_MS,
          leaseMs: config.TAMS_WORKER_LEASE_SECONDS * 1000,
        },
        // The wings' followers read the outbox too: what they have not applied stays.
        holdBack,
      });
      webhookDispatcher = webhooks;
      dispatcher = new BackgroundWorker('webhooks', () => webhooks.step(), config.TAMS_WORKER_IDLE_MS, log);
      drains.push(() => webhooks.drain());
      workers.push(dispatcher);
      workers.push(...features.start(log, processOwner, db.topology));
      // Readers wait for every event slot: an idle replica's, or a dead one's, is lifted here.
      if (db.topology.eventSlots) {
        workers.push(
          new BackgroundWorker(
            'event-slots',
            async () => (await store.beatEventSlots()) && false,
            config.TAMS_WORKER_IDLE_MS,
            log,
          ),
        );
      }
      for (const worker of workers) worker.start();
      // In the background: readiness does not wait for it. With no warm-up it still takes the
      // snapshots missing (the Flows then load from files on first use).
      void store
        .warmUpSegments(config.TAMS_SEGMENT_INDEX_WARMUP_PERCENT / 100, log)
        .catch((error: unknown) =>
          log.error({ err: error }, 'segment index warm-up failed; Flows load on use instead'),
        );
    },
    async close() {
      await Promise.all(workers.map((w) => w.stop()));
      await Promise.all(drains.map((drain) => drain()));
      await features.close();
      await store.stopSegmentLoads();
      // Every state held behind is written: the next start need not check the Flows' timeranges.
      await store.markCleanStop();
      // A slot not given up (the database unreachable) lapses after its lease instead.
      await store.close().catch(() => undefined);
      await media.close();
      await db.close();
    },
  };
}
