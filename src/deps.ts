import type { FastifyPluginAsync } from 'fastify';
import type { AppDeps } from './app.ts';
import { type AuthTesting, createAuth } from './auth/auth.module.ts';
import { backupDir } from './backup/backup.names.ts';
import { BackupService } from './backup/backup.service.ts';
import { type Clock, systemClock } from './common/clock.ts';
import { Doorbell } from './common/doorbell.ts';
import { type IdGenerator, randomIds } from './common/ids.ts';
import { ClientActivity } from './common/pacer.ts';
import type { WorkerLog } from './common/worker.ts';
import type { Config } from './config.ts';
import type { TableManager } from './db/manager.ts';
import type { MigrationRun } from './db/migrate/migrate.types.ts';
import { checkOpenEngine, databaseReport } from './deps.check.ts';
import { type CoreOptions, openCore } from './deps.core.ts';
import { buildEvents } from './deps.events.ts';
import { openMedia } from './deps.media.ts';
import { buildServices } from './deps.services.ts';
import { Workers } from './deps.workers.ts';
import type { EmbeddedAccelerator } from './embedded/embedded.accelerator.ts';
import { FeatureSet } from './feature/feature.set.ts';
import { fsMediaRoutes } from './media/fs/fs.routes.ts';
import { DeletionHold } from './media/media.hold.ts';
import type { MediaRegistry } from './media/media.registry.ts';
import type { ServerMetrics } from './metrics/metrics.registry.ts';
import type { Readiness } from './ops/ops.readiness.ts';
import type { StoreMaintenance } from './store/maintenance.repo.ts';
import type { TamsStore } from './store/store.ts';
import { makeBundle } from './support/support.bundle.ts';
import type { LogRing } from './support/support.logring.ts';
import { SupportBundles } from './support/support.service.ts';

export interface Runtime extends AppDeps {
  /** The wings switched on, built (src/features.ts); `features.get(searchFeature)` finds one. */
  features: FeatureSet;
  store: TamsStore;
  /** The embedded accelerator composed over the store, where one process owns it (deps.core.ts). */
  accelerator?: EmbeddedAccelerator;
  media: MediaRegistry;
  /** Backups of the embedded store (POST /backups, tams-mgmt backup). */
  backups: BackupService;
  /** The table manager under the store (tests inspect tables through it). */
  db: TableManager;
  /** The schema migrations this start applied (none when the store was up to date). */
  migrations: MigrationRun;
  /** Whole-store work of the management commands (tams-mgmt), on the database directly. */
  maintenance: StoreMaintenance;
  /** Health and metrics (issue 8): always built; /metrics is served when TAMS_METRICS is on. */
  readiness: Readiness;
  metrics: ServerMetrics;
  clients: ClientActivity;
  /** The support bundles of this server (GET /support/bundle). */
  support: SupportBundles;
  /** The last log lines this process keeps for them (TAMS_SUPPORT_LOG_LINES; its logger writes there). */
  logRing?: LogRing;
  /** Tells the runtime the address it listens on (media URLs in events use it without TAMS_PUBLIC_URL). */
  setListeningUrl(url: string): void;
  /** Starts the background workers (deletion requests, media garbage collection). */
  start(log: WorkerLog): void;
  /** Stops the workers after their current step, then closes media backends and the store. */
  close(): Promise<void>;
}

export interface BuildOptions extends CoreOptions {
  clock?: Clock;
  ids?: IdGenerator;
  /** Where `_env` credential references of TAMS_STORAGE_BACKENDS are read (tests). Default process.env. */
  env?: Record<string, string | undefined>;
  /** Authentication hooks for tests (cheap scrypt, wrapped password checks). */
  authTesting?: AuthTesting;
  /** Where the server's logger keeps its last lines (main.ts), for the support bundle. */
  logRing?: LogRing;
}

/**
 * Composition root: builds every part once, at startup, each after what it needs (deps.*.ts, in
 * this order). Parts that wake others are joined by doorbells made first: the store rings
 * `eventsCommitted`, the outbox's readers subscribe to it as they are built.
 */
export async function buildRuntime(config: Config, options: BuildOptions = {}): Promise<Runtime> {
  const clock = options.clock ?? systemClock;
  const ids = options.ids ?? randomIds;
  const env = options.env ?? process.env;
  const eventsCommitted = new Doorbell();
  const webhooksChanged = new Doorbell();
  const workRequested = new Doorbell();
  const clients = new ClientActivity();

  const core = await openCore(config, options, eventsCommitted);
  const { store, db, metrics, accelerator } = core;
  const media = await openMedia(config, store, clock, env);
  const events = buildEvents(config, { store, media: media.media, clock, eventsCommitted });
  const auth = createAuth(config, db, { clock, topology: db.topology, testing: options.authTesting });
  const services = buildServices(config, {
    core,
    media,
    events,
    auth,
    clock,
    ids,
    workRequested,
    webhooksChanged,
  });
  const tams = {
    flows: services.flows,
    instances: services.instances,
    profiles: services.profiles,
    sources: services.sources,
    segments: services.segments,
    storage: media.storage,
  };
  const features = FeatureSet.build(core.enabled, {
    config,
    store,
    db,
    media: media.media,
    clock,
    ids,
    env,
    tams,
    publicUrl: () => (config.TAMS_PUBLIC_URL !== '' ? config.TAMS_PUBLIC_URL : events.listening.url()),
    clients,
  });
  features.bindMetrics(metrics);
  eventsCommitted.subscribe(() => features.wake());
  // Held by a backup while it reads the objects its snapshot names (src/backup).
  const deletionHold = new DeletionHold();
  const workers = new Workers(config, {
    store,
    accelerator,
    media: media.media,
    clock,
    topology: db.topology,
    auth,
    bodies: events.bodies,
    guard: events.guard,
    features,
    eventsCommitted,
    webhooksChanged,
    workRequested,
    deletionHold,
  });
  const backups = new BackupService({
    dir: backupDir(config),
    engine: db.engine,
    media: media.media,
    hold: deletionHold,
  });
  const { logRing } = options;
  // The bundle of the running server (src/support/): the same parts tams-mgmt collects from a
  // stopped store, read from this process's own store, engine, metrics and log lines.
  const support = new SupportBundles(() =>
    makeBundle({
      mode: 'server',
      config,
      env,
      runtime: {
        db,
        store,
        maintenance: services.maintenance,
        features,
        readiness: services.readiness,
        metrics,
      },
      database: () => databaseReport(config, () => checkOpenEngine(config, db.engine)),
      logs: logRing
        ? {
            source: `the memory of this server (process ${process.pid}; TAMS_SUPPORT_LOG_LINES=${logRing.capacity})`,
            lines: async () => logRing.recent(),
          }
        : { missing: 'this server keeps no log lines (TAMS_SUPPORT_LOG_LINES=0)' },
      now: clock.now(),
    }),
  );
  const { fs } = media;
  const mediaRoutes: FastifyPluginAsync | undefined = fs
    ? (app) =>
        fsMediaRoutes(app, {
          store: fs,
          allocated: (path, objectId) => media.storage.holdsPath(fs.descriptor.id, path, objectId),
        })
    : undefined;

  return {
    ...services,
    config,
    auth,
    store,
    accelerator,
    media: media.media,
    storage: media.storage,
    mediaRoutes,
    backups,
    db,
    migrations: core.migrations,
    metrics,
    clients,
    support,
    logRing,
    streams: events.streams,
    features,
    setListeningUrl: (url) => events.listening.listened(url),
    start: (log) => workers.start(log),
    async close() {
      await workers.stop();
      await features.close();
      await accelerator?.stopSegmentLoads();
      // Every state held behind is written: the next start need not check the Flows' timeranges.
      await accelerator?.markCleanStop();
      // A slot not given up (the database unreachable) lapses after its lease instead.
      await store.close().catch(() => undefined);
      await media.media.close();
      await db.close();
    },
  };
}
