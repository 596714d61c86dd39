import { type Config, ConfigError, loadConfig } from '../src/config.ts';
import { StoreLockedError } from '../src/db/db.errors.ts';
import { buildStoreRuntime, type StoreRuntime } from '../src/deps.store.ts';
import { buildRuntime, type Runtime } from '../src/deps.ts';
import { MgmtError } from './mgmt.io.ts';

/** The server's TAMS_* configuration; a wrong value is a usage error (exit status 2). */
export function mgmtConfig(env: Record<string, string | undefined>): Config {
  try {
    return loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) throw new MgmtError(error.message, 2);
    throw error;
  }
}

/**
 * Opens what a command needs through the server's composition root, without background workers
 * and without the in-memory cache (a command reads and writes the database directly, then
 * closes it): the store alone, or the whole runtime with media backends and services.
 * `busyHint` ends the line said when another process holds the store.
 */
async function openFor<R extends StoreRuntime>(build: () => Promise<R>, busyHint = ''): Promise<R> {
  try {
    return await build();
  } catch (error) {
    if (error instanceof StoreLockedError) {
      const holder = error.holderPid !== undefined ? ` (PID ${error.holderPid})` : '';
      throw new MgmtError(
        `the store ${error.location} is open in another process${holder}, most likely a running tams-server: ` +
          `stop the server, then run this command again (the embedded DuckDB file admits one process at a time)${busyHint}`,
      );
    }
    throw new MgmtError(
      `could not open the store: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

export const openStore = (config: Config, busyHint?: string): Promise<StoreRuntime> =>
  openFor(() => buildStoreRuntime(config), busyHint);

/** `env`: where `_env` credential references of TAMS_STORAGE_BACKENDS are read. */
export const openRuntime = (
  config: Config,
  env: Record<string, string | undefined>,
  busyHint?: string,
): Promise<Runtime> => openFor(() => buildRuntime(config, { storeCache: false, env }), busyHint);
