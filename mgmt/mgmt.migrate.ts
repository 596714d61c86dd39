import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../src/config.ts';
import { DbError } from '../src/db/db.errors.ts';
import type { MigrationLog, MigrationStatus, StoreMigrations } from '../src/deps.store.ts';
import { columns, MgmtError, type MgmtIo } from './mgmt.io.ts';
import { openMigrations } from './mgmt.open.ts';

/**
 * `migrate`: the store's schema version and the migrations pending; applies them unless
 * --dry-run. It opens the engine only (not the runtime, which would apply them on opening).
 */
export async function migrateCommand(
  config: Config,
  io: MgmtIo,
  options: { dryRun: boolean },
): Promise<number> {
  const file = join(config.TAMS_DATA_DIR, 'tams.duckdb');
  if (options.dryRun && !existsSync(file)) {
    io.out(`No store at ${file}: a new store starts at the latest schema version.\n`);
    return 0;
  }
  const migrations = await openMigrations(config, migrationLog(io));
  try {
    return await migrate(migrations, io, options);
  } catch (error) {
    if (error instanceof DbError && (error.code === 'schema_too_new' || error.code === 'release_too_new')) {
      throw new MgmtError(error.message);
    }
    throw error;
  } finally {
    await migrations.close();
  }
}

function migrationLog(io: MgmtIo): MigrationLog {
  return {
    info: (obj, msg) => io.err(`${msg} ${JSON.stringify(obj)}\n`),
    warn: (obj, msg) => io.err(`warning: ${msg} ${JSON.stringify(obj)}\n`),
  };
}

async function migrate(migrator: StoreMigrations, io: MgmtIo, options: { dryRun: boolean }): Promise<number> {
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
  if (status.releases.length > 0) {
    io.out('Opened by:\n');
    const rows = status.releases.map((r) => [
      `tams-server ${r.release}`,
      `schema version ${r.schema}`,
      r.first.toISOString(),
      r.by ?? '',
    ]);
    io.out(indent(columns(rows, new Set())));
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
