import { hostname } from 'node:os';
import type { WorkerLog } from '../src/common/worker.ts';
import { type Config, ConfigError, loadConfig } from '../src/config.ts';
import { StoreLockedError } from '../src/db/db.errors.ts';
import {
  buildStoreRuntime,
  type JournalReport,
  type MigrationLog,
  openStoreMigrations,
  recoverJournal,
  type StoreMigrations,
  type StoreRuntime,
} from '../src/deps.store.ts';
import { buildRuntime, type Runtime } from '../src/deps.ts';
import { MgmtError, type MgmtIo } from './mgmt.io.ts';

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
async function openFor<R>(build: () => Promise<R>, busyHint = ''): Promise<R> {
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

/** Says on stderr what opening the store did to it (schema migrations applied). */
export function stderrLog(io: MgmtIo): WorkerLog {
  const line = (level: string) => (obj: object, msg: string) =>
    io.err(`${level}${msg} ${JSON.stringify(obj)}\n`);
  return { info: line(''), warn: line('warning: '), error: line('error: ') };
}

export const openStore = (config: Config, io: MgmtIo, busyHint?: string): Promise<StoreRuntime> =>
  openFor(() => buildStoreRuntime(config, { log: stderrLog(io) }), busyHint);

/** `env`: where `_env` credential references of TAMS_STORAGE_BACKENDS are read. */
export const openRuntime = (
  config: Config,
  env: Record<string, string | undefined>,
  io: MgmtIo,
  busyHint?: string,
): Promise<Runtime> =>
  openFor(() => buildRuntime(config, { accelerator: false, env, log: stderrLog(io) }), busyHint);

/** The store's migrations on the engine alone, without opening the store (`migrate`). */
export const openMigrations = (config: Config, log: MigrationLog): Promise<StoreMigrations> =>
  openFor(() => openStoreMigrations(config, log, `tams-mgmt:${hostname()}:${process.pid}`));

/** The append journal recovered, or only read (`dryRun`), on the engine alone (`journal recover`). */
export const openJournalRecovery = (config: Config, dryRun: boolean): Promise<JournalReport | undefined> =>
  openFor(() => recoverJournal(config, dryRun));
