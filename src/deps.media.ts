import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { Clock } from './common/clock.ts';
import type { Config } from './config.ts';
import { createFsMediaStore, FsMediaStore } from './media/fs/fs.store.ts';
import { createMediaStores, loadStorageBackends } from './media/media.config.ts';
import { MediaRegistry } from './media/media.registry.ts';
import type { MediaStore } from './media/media.types.ts';
import { StorageService } from './storage/storage.service.ts';
import type { TamsStore } from './store/store.ts';

/** The storage backends, and the service that allocates storage on them. */
export interface MediaParts {
  media: MediaRegistry;
  storage: StorageService;
  /** The embedded fs store, when it is one of the backends (the server serves its media itself). */
  fs: FsMediaStore | undefined;
}

/** Opens the storage backends (each checked before serving) and builds the storage service on them. */
export async function openMedia(
  config: Config,
  store: TamsStore,
  clock: Clock,
  env: Record<string, string | undefined>,
): Promise<MediaParts> {
  const media = new MediaRegistry(await buildMediaStores(config, store, env));
  const storage = new StorageService({
    store,
    clock,
    media,
    settings: { defaultLimit: config.TAMS_STORAGE_LIMIT_DEFAULT, maxLimit: config.TAMS_STORAGE_LIMIT_MAX },
  });
  const fs = media.stores.find((s): s is FsMediaStore => s instanceof FsMediaStore);
  return { media, storage, fs };
}

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
