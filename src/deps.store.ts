import { type AuthModule, createAuth } from './auth/auth.module.ts';
import { type Clock, systemClock } from './common/clock.ts';
import type { Config } from './config.ts';
import type { Engine } from './db/db.types.ts';
import { openEngine } from './db/engine.factory.ts';
import { TableManager } from './db/manager.ts';
import { StoreMaintenance } from './store/maintenance.repo.ts';
import { TamsStore } from './store/store.ts';
import { storeTables } from './store/tables.ts';

/**
 * The database under the store: the engine TAMS_DB names, from the engine factory (in memory
 * with `memory`; or the engine given, for tests), with the store's tables created or evolved.
 */
export async function openDatabase(
  config: Config,
  options: { engine?: Engine; memory?: boolean } = {},
): Promise<TableManager> {
  const opened = options.engine ?? (await openEngine(config, { memory: options.memory }));
  try {
    return await TableManager.open(opened, storeTables);
  } catch (error) {
    await opened.close();
    throw error;
  }
}

/**
 * The store without media backends, services or workers: what management commands that only
 * read and write tables need (users and tokens, table sizes, integrity checks). The full Runtime
 * (deps.ts) has the same fields, so a command written for this runs on either.
 */
export interface StoreRuntime {
  config: Config;
  store: TamsStore;
  maintenance: StoreMaintenance;
  /** Authentication; management commands use its `admin` (users and tokens). */
  auth: AuthModule;
  close(): Promise<void>;
}

export interface StoreRuntimeOptions {
  engine?: Engine;
  memory?: boolean;
  clock?: Clock;
}

/** The store alone, read and written directly (no in-memory cache), for management commands. */
export async function buildStoreRuntime(
  config: Config,
  options: StoreRuntimeOptions = {},
): Promise<StoreRuntime> {
  const db = await openDatabase(config, options);
  const clock = options.clock ?? systemClock;
  return {
    config,
    store: await TamsStore.open(db, { cached: false }),
    maintenance: new StoreMaintenance(db),
    auth: createAuth(config, db, { clock, exclusive: db.exclusive }),
    close: () => db.close(),
  };
}
