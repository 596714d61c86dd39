import { packageVersion } from '../common/package-info.ts';
import type { Engine, TableDef } from '../db/db.types.ts';
import { TableManager } from '../db/manager.ts';
import { Migrator } from '../db/migrate/migrate.runner.ts';
import type { MigrationLog, MigrationRun } from '../db/migrate/migrate.types.ts';
import { ensureGuardRows } from './guards.repo.ts';
import { JOB_LEASES } from './leases.repo.ts';
import { storeMigrations } from './migrations/migrations.list.ts';
import { storeTables } from './tables.ts';

export interface StoreDbOptions {
  /** Identifies this process among replicas (the migration lease). */
  owner: string;
  /** The release recorded as opening the store (default: package.json's version). */
  release?: string;
  log?: MigrationLog;
  /** ManagerOptions.guard (default true). */
  guardTransactions?: boolean;
  /** Tables beside the store's: those of the wings switched on (src/feature/), none by default. */
  tables?: readonly TableDef[];
}

/** The store's tables and the wings' given. */
function declared(options: StoreDbOptions): TableDef[] {
  return [...storeTables, ...(options.tables ?? [])];
}

/** The migrator of the store's tables on `engine` (`tams-mgmt migrate` and openStoreDb). */
export function storeMigrator(engine: Engine, options: StoreDbOptions): Migrator {
  return new Migrator(engine, {
    ...options,
    release: options.release ?? packageVersion(),
    tables: declared(options),
    migrations: storeMigrations,
  });
}

/**
 * Opens the store's tables on `engine`: refuses a store newer than this code, applies the
 * pending migrations (waiting for a replica already applying them), then opens the table
 * manager, which adds any missing nullable column, and adds the guard rows replicas exclude each
 * other with (guards.repo.ts) where missing, with the lease row of each background job that one
 * replica at a time runs (leases.repo.ts).
 */
export async function openStoreDb(
  engine: Engine,
  options: StoreDbOptions,
): Promise<{ db: TableManager; migrations: MigrationRun }> {
  const migrations = await storeMigrator(engine, options).run();
  const db = await TableManager.open(engine, declared(options), { guard: options.guardTransactions });
  await ensureGuardRows(db, JOB_LEASES);
  return { db, migrations };
}
