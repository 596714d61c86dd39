import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../src/config.ts';
import { DbError } from '../src/db/db.errors.ts';
import type { Engine } from '../src/db/db.types.ts';
import type { MigrationLog, MigrationStatus } from '../src/db/migrate/migrate.types.ts';
import { openEngine } from '../src/deps.ts';
import { storeMigrator } from '../src/store/store.open.ts';
import { columns, MgmtError, type MgmtIo } from './mgmt.io.ts';

/**
 * `migrate`: the store's schema version and the migrations pending; applies them unless
 * --dry-run. It opens the engine only (not the runtime, which would apply them on opening).
 */
export async function migrateCommand(
  env: Record<string, string | undefined>,
  io: MgmtIo,
  options: { dryRun: boolean },
): Promise<number> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) throw new MgmtError(error.message, 2);
    throw error;
  }
  const file = join(config.TAMS_DATA_DIR, 'tams.duckdb');
  if (options.dryRun && !existsSync(file)) {
    io.out(`No store at ${file}: a new store starts at the latest schema version.\n`);
    return 0;
  }
  const engine = await openEngine(config).catch((error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    if (/Could not set lock on file|Conflicting lock/i.test(message)) {
      throw new MgmtError(
        `the store ${file} is open in another process (a running tams-server?): stop it first`,
      );
    }
    throw new MgmtError(`could not open the store: ${message}`);
  });
  try {
    return await migrate(engine, io, options);
  } catch (error) {
    if (error instanceof DbError && error.code === 'schema_too_new') throw new MgmtError(error.message);
    throw error;
  } finally {
    await engine.close();
  }
}

async function migrate(engine: Engine, io: MgmtIo, options: { dryRun: boolean }): Promise<number> {
  const log: MigrationLog = {
    info: (obj, msg) => io.err(`${msg} ${JSON.stringify(obj)}\n`),
    warn: (obj, msg) => io.err(`warning: ${msg} ${JSON.stringify(obj)}\n`),
  };
  const migrator = storeMigrator(engine, { owner: `tams-mgmt:${hostname()}:${process.pid}`, log });
  const status = await migrator.status();
  describe(status, io);
  migrator.refuseNewer(status);
  if (status.pending.length === 0) {
    io.out('Up to date: nothing to apply.\n');
    return 0;
  }
  if (options.dryRun) {
    io.out('Dry run: nothing was changed.\n');
    return 0;
  }
  const run = await migrator.run();
  io.out(
    run.ran.length === 0
      ? `Another process applied them meanwhile: schema version ${run.to}.\n`
      : `Applied ${run.ran.join(', ')}: schema version ${run.to}.\n`,
  );
  return 0;
}

function describe(status: MigrationStatus, io: MgmtIo): void {
  io.out(`Schema version ${status.version} (this version of tams-server knows up to ${status.latest}).\n`);
  if (status.applied.length > 0) {
    io.out('Applied:\n');
    const rows = status.applied.map((a) => [String(a.id), a.name, a.applied.toISOString(), a.by ?? '']);
    io.out(indent(columns(rows, new Set([0]))));
  }
  if (status.pending.length > 0) {
    io.out('Pending:\n');
    const rows = status.pending.map((m) => [String(m.id), m.name, m.description]);
    io.out(indent(columns(rows, new Set([0]))));
  }
}

function indent(text: string): string {
  return text.replace(/^(?=.)/gm, '  ');
}
