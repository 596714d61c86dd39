import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { FastifyPluginAsync } from 'fastify';
import type { AppDeps } from './app.ts';
import { type Clock, systemClock } from './common/clock.ts';
import { type IdGenerator, randomIds } from './common/ids.ts';
import { BackgroundWorker, type WorkerLog } from './common/worker.ts';
import type { Config } from './config.ts';
import type { Engine } from './db/db.types.ts';
import { createDuckDbEngine } from './db/engines/duckdb/duckdb.engine.ts';
import { TableManager } from './db/manager.ts';
import { DeletionService } from './deletion/deletion.service.ts';
import { DeletionWorker } from './deletion/deletion.worker.ts';
import { FlowsService } from './flows/flows.service.ts';
import { API_VERSION } from './http/swagger.ts';
import { fsMediaRoutes } from './media/fs/fs.routes.ts';
import { createFsMediaStore, FsMediaStore } from './media/fs/fs.store.ts';
import { createMediaStores, loadStorageBackends } from './media/media.config.ts';
import { MediaGarbageCollector } from './media/media.gc.ts';
import { MediaRegistry } from './media/media.registry.ts';
import type { MediaStore } from './media/media.types.ts';
import { ObjectsService } from './objects/objects.service.ts';
import { SegmentsService } from './segments/segments.service.ts';
import { GetUrlBuilder } from './segments/segments.urls.ts';
import { ServiceInfoService } from './service/service.service.ts';
import { SourcesService } from './sources/sources.service.ts';
import { StorageService } from './storage/storage.service.ts';
import type { TamsStore } from './store/store.ts';
import { TamsStore as Store } from './store/store.ts';
import { storeTables } from './store/tables.ts';

export interface Runtime extends AppDeps {
  store: TamsStore;
  media: MediaRegistry;
  /** Starts the background workers (deletion requests, media garbage collection). */
  start(log: WorkerLog): void;
  /** Stops the workers after their current step, then closes media backends and the store. */
  close(): Promise<void>;
}

export interface BuildOptions {
  clock?: Clock;
  ids?: IdGenerator;
  /** Engine to use instead of the one the configuration names (tests). */
  engine?: Engine;
  /** Keep Flows and segment timelines in memory (default: when the engine is exclusive). */
  storeCache?: boolean;
  /** Where `_env` credential references of TAMS_STORAGE_BACKENDS are read (tests). Default process.env. */
  env?: Record<string, string | undefined>;
}

/** How often Flow segment states held by the cache are written behind to the flows table. */
const FLOW_STATE_FLUSH_MS = 250;

const packageVersion: string = JSON.parse(
  readFileSync(new URL('../package.json', import.meta.url), 'utf8'),
).version;

/** A value generated once and kept in the store, so restarts (and replicas) agree on it. */
async function persistent(
  store: TamsStore,
  key: string,
  configured: string,
  make: () => string,
): Promise<string> {
  if (configured !== '') return configured;
  const kept = await store.settings.get(key);
  if (typeof kept === 'string') return kept;
  const value = make();
  await store.settings.set(key, value);
  return value;
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

/** Composition root: opens the store and builds every service once, at startup. */
export async function buildRuntime(config: Config, options: BuildOptions = {}): Promise<Runtime> {
  const clock = options.clock ?? systemClock;
  const ids = options.ids ?? randomIds;
  let engine = options.engine;
  if (!engine) {
    mkdirSync(config.TAMS_DATA_DIR, { recursive: true });
    engine = await createDuckDbEngine({
      path: join(config.TAMS_DATA_DIR, 'tams.duckdb'),
      config: { memory_limit: config.TAMS_DUCKDB_MEMORY_LIMIT, threads: String(config.TAMS_DUCKDB_THREADS) },
    });
  }
  const db = await TableManager.open(engine, storeTables);
  const store = await Store.open(db, { cached: options.storeCache ?? db.exclusive });

  const media = new MediaRegistry(await buildMediaStores(config, store, options.env ?? process.env));
  const fs = media.stores.find((s): s is FsMediaStore => s instanceof FsMediaStore);
  const mediaRoutes: FastifyPluginAsync | undefined = fs
    ? (app) => fsMediaRoutes(app, { store: fs })
    : undefined;

  const workers: BackgroundWorker[] = [];
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

  return {
    config,
    store,
    media,
    mediaRoutes,
    service: new ServiceInfoService({
      store,
      apiVersion: API_VERSION,
      serviceVersion: packageVersion,
      defaults: { name: config.TAMS_SERVICE_NAME, description: config.TAMS_SERVICE_DESCRIPTION },
      storageBackends: () => media.descriptors(),
    }),
    sources: new SourcesService({ store, clock }),
    flows: new FlowsService({ store, clock, ids, deletion }),
    segments: new SegmentsService({ store, clock, urls, deletion }),
    storage: new StorageService({
      store,
      clock,
      media,
      settings: { defaultLimit: config.TAMS_STORAGE_LIMIT_DEFAULT, maxLimit: config.TAMS_STORAGE_LIMIT_MAX },
    }),
    objects: new ObjectsService({ store }),
    deletion,
    start(log) {
      const deletionWorker = new DeletionWorker({
        store,
        clock,
        owner: `${hostname()}:${process.pid}:${randomUUID()}`,
        chunkSize: config.TAMS_DELETE_CHUNK,
        leaseMs: 60_000,
        retentionMs: config.TAMS_DELETE_RETENTION_SECONDS * 1000,
      });
      const gc = new MediaGarbageCollector({
        store,
        media,
        clock,
        log,
        unusedGraceMs: config.TAMS_UNUSED_OBJECT_GRACE_SECONDS * 1000,
      });
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
      for (const worker of workers) worker.start();
      void store.preloadSegments(log);
    },
    async close() {
      await Promise.all(workers.map((w) => w.stop()));
      await store.flushFlowStates();
      await media.close();
      await db.close();
    },
  };
}
