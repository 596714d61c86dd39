import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { type AuthModule, createAuth } from './auth/auth.module.ts';
import { type Clock, systemClock } from './common/clock.ts';
import type { Config } from './config.ts';
import type { JournalReport } from './db/db.journal.ts';
import type { Engine } from './db/db.types.ts';
import { engineTopology, openEngine } from './db/engine.factory.ts';
import type { TableManager } from './db/manager.ts';
import type { MigrationLog, MigrationRun, MigrationStatus } from './db/migrate/migrate.types.ts';
import type { Topology } from './db/topology.ts';
import { enabledFeatures, featureContentTables, featureTables } from './feature/feature.set.ts';
import { FEATURES, type ServerFeature } from './features.ts';
import { StoreMaintenance } from './store/maintenance.repo.ts';
import type { SlotOptions } from './store/outbox/events.slots.ts';
import { openStoreDb, storeMigrator } from './store/store.open.ts';
import { TamsStore } from './store/store.ts';

/** Identifies this process among replicas (leases: migrations, deletions, webhook deliveries). */
export function processOwner(): string {
  return `${hostname()}:${process.pid}:${randomUUID()}`;
}

export type { JournalRecordNote, JournalReport } from './db/db.journal.ts';
export type { MigrationLog, MigrationStatus };

export interface DatabaseOptions {
  engine?: Engine;
  memory?: boolean;
  /** Where applied schema migrations are logged. */
  log?: MigrationLog;
  /** The wings beyond the spec (default: src/features.ts); those switched off are never opened. */
  features?: readonly ServerFeature[];
}

/** The wings the configuration switches on, of `features` (default: all of src/features.ts). */
export function featuresOn(config: Config, features: readonly ServerFeature[] = FEATURES): ServerFeature[] {
  return enabledFeatures(features, config);
}

/**
 * The database under the store: the engine TAMS_DB names, from the engine factory (in memory
 * with `memory`; or the engine given, for tests), migrated to this code's schema version (a store
 * newer than the code is refused), with the store's tables created or evolved, and those of the
 * wings switched on (a wing switched off has its tables neither created nor opened).
 */
export async function openDatabase(
  config: Config,
  options: DatabaseOptions = {},
): Promise<{ db: TableManager; migrations: MigrationRun }> {
  const opened =
    options.engine ??
    (await openEngine(config, {
      memory: options.memory,
      onJournal: (report) => (options.log ? logJournal(options.log, report) : undefined),
    }));
  try {
    return await openStoreDb(opened, {
      owner: processOwner(),
      log: options.log,
      guardTransactions: config.TAMS_TRANSACTION_GUARD,
      tables: featureTables(featuresOn(config, options.features)),
    });
  } catch (error) {
    // A refused store (newer than this code) is left closed, so another process may open it.
    if (!options.engine) await opened.close();
    throw error;
  }
}

/** What opening the store found in the embedded engine's append journal, for the operator. */
function logJournal(log: MigrationLog, report: JournalReport): void {
  const { path, applied, torn } = report;
  if (applied.records > 0)
    log.info(
      { path, records: applied.records, rows: applied.rows },
      'append journal: records an unclean stop left applied',
    );
  if (torn)
    log.warn(
      { path, offset: torn.offset, lsn: torn.lsn, blocksOnDisk: torn.readable, blocks: torn.blocks },
      'append journal: its last record was being written when the process stopped (never acknowledged): dropped',
    );
}

/**
 * How this process numbers events: on a shared database, where other processes write events
 * too, in a slot of its own (store/outbox/events.slots.ts); alone on its database, none.
 */
export function eventSlots(config: Config, db: { topology: Topology }): SlotOptions | undefined {
  if (!db.topology.eventSlots) return undefined;
  return { owner: processOwner(), leaseMs: config.TAMS_EVENT_SLOT_LEASE_SECONDS * 1000 };
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

export interface StoreRuntimeOptions extends DatabaseOptions {
  clock?: Clock;
}

/** The store alone, read and written directly (no in-memory cache), for management commands. */
export async function buildStoreRuntime(
  config: Config,
  options: StoreRuntimeOptions = {},
): Promise<StoreRuntime> {
  const { db } = await openDatabase(config, options);
  const clock = options.clock ?? systemClock;
  const store = await TamsStore.open(db, {
    slots: eventSlots(config, db),
  });
  return {
    config,
    store,
    maintenance: new StoreMaintenance(db, featureContentTables(featuresOn(config, options.features))),
    auth: createAuth(config, db, { clock, topology: db.topology }),
    close: async () => {
      // A slot not given up (the database unreachable) lapses after its lease instead.
      await store.close().catch(() => undefined);
      await db.close();
    },
  };
}

/** The store's schema history and migrations, on the engine alone (`tams-mgmt migrate`). */
export interface StoreMigrations {
  status(): Promise<MigrationStatus>;
  /** Throws DbError `schema_too_new` for a store a newer version wrote. */
  refuseNewer(status: MigrationStatus): void;
  run(): Promise<MigrationRun>;
  close(): Promise<void>;
}

/**
 * Opens the engine without opening the store (which would apply the migrations) and hands out
 * its migrator, for a command that shows the pending migrations before it applies them.
 */
export async function openStoreMigrations(
  config: Config,
  log: MigrationLog,
  /** Recorded with each migration applied: who did it. */
  owner: string = processOwner(),
): Promise<StoreMigrations> {
  const engine = await openEngine(config);
  const migrator = storeMigrator(engine, { owner, log, tables: featureTables(featuresOn(config)) });
  return {
    status: () => migrator.status(),
    refuseNewer: (status) => migrator.refuseNewer(status),
    run: () => migrator.run(),
    close: () => engine.close(),
  };
}

/**
 * Opens the embedded engine to recover its append journal (`tams-mgmt journal recover`): copies
 * a damaged file aside, applies every record whole or rebuilt, and reports (`dryRun`: reads it and
 * changes nothing). Undefined when there is no journal file (or the engine has none).
 */
export async function recoverJournal(config: Config, dryRun: boolean): Promise<JournalReport | undefined> {
  if (!engineTopology(config).hasAppendJournal) return undefined;
  const reports: JournalReport[] = [];
  const engine = await openEngine(config, {
    journalRecovery: dryRun ? 'inspect' : 'recover',
    onJournal: (report) => reports.push(report),
  });
  await engine.close();
  return reports.at(-1);
}
