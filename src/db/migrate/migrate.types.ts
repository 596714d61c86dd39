import type { TableDef } from '../db.types.ts';
import type { TableManager } from '../manager.ts';
import type { RecordedRelease } from './migrate.releases.ts';

export interface MigrationLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

/**
 * One step of a store's schema history: the changes adding a nullable column cannot make (data
 * moves, backfills, renames, retiring tables). Ids are never reused or reordered, and a released
 * migration is never edited: a later fix is a new migration.
 *
 * `up` speaks only the table manager's API (no SQL), so it runs on every engine. It is recorded
 * as applied only once it returns, so after a crash part-way it runs again from the start: each
 * of its steps must be safe to repeat. Work in transactions of bounded size that each leave the
 * data consistent, and look before acting.
 */
export interface Migration {
  /** A positive integer; migrations run in increasing order. */
  readonly id: number;
  /** kebab-case, for logs and the history table. */
  readonly name: string;
  /** One line for operators (`tams-mgmt migrate`): what it changes. */
  readonly description: string;
  /**
   * Tables the current code no longer declares that `up` reads or writes, as the versions that
   * wrote them declared them: declared for `up` where the store has them (see MigrationContext.has).
   */
  readonly retired?: readonly TableDef[];
  up(ctx: MigrationContext): Promise<void>;
}

export interface MigrationContext {
  /** The current tables, and those of the migration's `retired` the store has. */
  readonly db: TableManager;
  /** Whether the store has this table of the migration's `retired` list. */
  has(table: string): boolean;
  /** Drops a table of the migration's `retired` list (never a current one); idempotent. */
  dropRetired(table: string): Promise<void>;
  /** Extends this process's migration lease: call it between batches of a long migration. */
  renew(): Promise<void>;
  /** The release of tams-server applying the migration, and the process (store_releases). */
  readonly release: string;
  readonly owner: string;
  now(): Date;
  readonly log: MigrationLog;
}

/** A row of the history table. */
export interface AppliedMigration {
  id: number;
  name: string;
  applied: Date;
  /** The process that ran it (host:pid:random). */
  by: string | undefined;
  ms: number | undefined;
}

export interface MigrationStatus {
  /**
   * The highest migration applied; 0 for a store that never recorded one (a new store, or one
   * written before versioned migrations existed).
   */
  version: number;
  /** The highest migration this code knows. */
  latest: number;
  applied: AppliedMigration[];
  /** Migrations this code knows that the store has not applied, in the order they would run. */
  pending: Migration[];
  /** The releases that opened the store, earliest first (none before schema version 5). */
  releases: RecordedRelease[];
}

/** What a run did. */
export interface MigrationRun {
  from: number;
  to: number;
  /** Ids of the migrations this process applied (none when another replica had done them). */
  ran: number[];
}
