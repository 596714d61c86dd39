import { setTimeout as sleep } from 'node:timers/promises';
import { DbError } from '../db.errors.ts';
import type { Engine, TableDef } from '../db.types.ts';
import { TableManager } from '../manager.ts';
import type { Topology } from '../topology.ts';
import {
  type LeaseHolder,
  MigrationLease,
  migrationTables,
  peekHistory,
  readHistory,
  recordApplied,
} from './migrate.history.ts';
import {
  newestLaterRelease,
  peekReleases,
  RELEASES,
  type RecordedRelease,
  readReleases,
  recordRelease,
  releaseAt,
} from './migrate.releases.ts';
import type {
  AppliedMigration,
  Migration,
  MigrationContext,
  MigrationLog,
  MigrationRun,
  MigrationStatus,
} from './migrate.types.ts';

export interface MigratorOptions {
  /** The tables the code declares (the runner's own, migrationTables, among them). */
  tables: readonly TableDef[];
  migrations: readonly Migration[];
  /** Identifies this process among replicas (host:pid:random). */
  owner: string;
  /**
   * The release of tams-server running (package.json's version): recorded in store_releases once
   * the store is at this code's schema version; a store a later release line opened is refused.
   */
  release: string;
  log?: MigrationLog;
  /**
   * How long the lease lasts without renewal: a replica that dies holding it delays the others
   * this long. Renewed after each migration and whenever a migration calls `renew`.
   */
  leaseMs?: number;
  /** How often a replica waiting for another's migrations looks again. */
  pollMs?: number;
  now?: () => Date;
  /** Who uses the store (default: the engine's topology; tests stand in for replicas with it). */
  topology?: Topology;
}

const silent: MigrationLog = { info: () => {}, warn: () => {} };

/**
 * Versioned migrations: brings a store to the schema version this code knows, at start-up (and
 * from `tams-mgmt migrate`). Adding a nullable column stays automatic (TableManager.open);
 * everything else is a Migration. A store whose version is above the code's is refused before
 * anything is changed. Replicas starting together take a lease row, so one runs the migrations
 * while the others wait, then find them applied.
 */
export class Migrator {
  private readonly log: MigrationLog;
  private readonly now: () => Date;
  private readonly latest: number;

  constructor(
    private readonly engine: Engine,
    private readonly options: MigratorOptions,
  ) {
    this.log = options.log ?? silent;
    this.now = options.now ?? (() => new Date());
    checkMigrations(options);
    this.latest = options.migrations.at(-1)?.id ?? 0;
  }

  /** Where the store stands; reads only (a store without a history table gets none). */
  async status(): Promise<MigrationStatus> {
    return this.statusOf(await peekHistory(this.engine), await peekReleases(this.engine));
  }

  /**
   * Applies the pending migrations, waiting for another process already applying them, then
   * records that this release opened the store.
   */
  async run(): Promise<MigrationRun> {
    const before = await this.status();
    this.refuseNewer(before);
    if (before.pending.length === 0) {
      await this.recordOpened(await TableManager.open(this.engine, [RELEASES]), before.version);
      return { from: before.version, to: before.version, ran: [] };
    }
    const db = await TableManager.open(this.engine, this.options.tables);
    const lease = new MigrationLease(
      db,
      this.options.owner,
      this.options.leaseMs ?? 120_000,
      this.now,
      this.options.topology ?? this.engine.topology,
    );
    await this.acquire(lease);
    try {
      // Read again: another replica may have applied them while this one waited.
      const current = this.statusOf(await readHistory(db), await readReleases(db));
      this.refuseNewer(current);
      const ran: number[] = [];
      for (const migration of current.pending) {
        await this.apply(migration, db, lease);
        ran.push(migration.id);
      }
      const to = Math.max(current.version, ...ran);
      if (ran.length > 0) this.log.info({ from: before.version, to, ran }, 'schema migrations done');
      await this.recordOpened(db, to);
      return { from: before.version, to, ran };
    } finally {
      await lease.release().catch((error: unknown) => {
        this.log.warn({ err: error }, 'could not release the migration lease (it lapses by itself)');
      });
    }
  }

  private statusOf(applied: AppliedMigration[], releases: RecordedRelease[]): MigrationStatus {
    const done = new Set(applied.map((a) => a.id));
    return {
      version: Math.max(0, ...done),
      latest: this.latest,
      applied,
      pending: this.options.migrations.filter((m) => !done.has(m.id)),
      releases,
    };
  }

  /** This release opened the store at `version`, recorded once (store_releases). */
  private async recordOpened(db: TableManager, version: number): Promise<void> {
    await recordRelease(db, {
      release: this.options.release,
      schema: version,
      by: this.options.owner,
      at: this.now(),
    });
  }

  /**
   * Throws before anything is changed when the store is newer than this code: DbError
   * release_too_new when a later release line opened it (migrate.releases.ts, newerLine), else
   * schema_too_new when it has migrations this code does not know.
   */
  refuseNewer(status: MigrationStatus): void {
    const code = this.options.release;
    const later = newestLaterRelease(status.releases, code);
    if (later) {
      throw new DbError(
        'release_too_new',
        `this store was opened by tams-server ${later.release} (schema version ${Math.max(later.schema, status.version)}); ` +
          `this is tams-server ${code}, which knows schema versions up to ${this.latest}: ` +
          `a downgrade is refused and nothing was changed; run ${later.release} or later, ` +
          'or restore a backup taken before the upgrade',
      );
    }
    if (status.version <= this.latest) return;
    const newest = status.applied.find((a) => a.id === status.version);
    const by = releaseAt(status.releases, status.version);
    throw new DbError(
      'schema_too_new',
      `the store is at schema version ${status.version} (migration "${newest?.name}", applied ${newest?.applied.toISOString()}` +
        `${by === undefined ? '' : ` by tams-server ${by}`}), ` +
        `newer than this version of the code (tams-server ${code}), which knows migrations up to ${this.latest}. ` +
        'Run a version that knows it, or restore a backup taken before the upgrade; nothing was changed.',
    );
  }

  private async acquire(lease: MigrationLease): Promise<void> {
    let waiting: LeaseHolder | undefined;
    for (;;) {
      const { holder, tookOver } = await lease.acquire();
      if (tookOver) {
        this.log.warn(
          { previous: tookOver.owner, until: tookOver.until },
          'took over the migration lease of a process that stopped holding it',
        );
      }
      if (!holder) return;
      if (waiting?.owner !== holder.owner) {
        this.log.info(
          { owner: holder.owner, until: holder.until },
          'schema migrations are being applied by another process: waiting for it',
        );
      }
      waiting = holder;
      await sleep(this.options.pollMs ?? 1000);
    }
  }

  private async apply(migration: Migration, db: TableManager, lease: MigrationLease): Promise<void> {
    const retired = migration.retired ?? [];
    const present = new Set<string>();
    for (const def of retired) {
      if ((await this.engine.describeTable(def.name)) !== null) present.add(def.name);
    }
    const declared = retired.filter((def) => present.has(def.name));
    const mdb =
      declared.length > 0 ? await TableManager.open(this.engine, [...this.options.tables, ...declared]) : db;
    const ctx: MigrationContext = {
      db: mdb,
      log: this.log,
      has: (table) => present.has(table),
      dropRetired: async (table) => {
        if (!retired.some((def) => def.name === table)) {
          throw new DbError(
            'invalid_definition',
            `migration ${migration.id} may drop only its retired tables, not "${table}"`,
          );
        }
        await this.engine.dropTable(table);
        present.delete(table);
      },
      renew: () => lease.renew(),
      release: this.options.release,
      owner: this.options.owner,
      now: this.now,
    };
    const log = { migration: migration.id, name: migration.name };
    this.log.info(log, 'schema migration starting');
    const started = performance.now();
    await migration.up(ctx);
    const ms = performance.now() - started;
    await recordApplied(db, {
      id: migration.id,
      name: migration.name,
      applied: this.now(),
      by: this.options.owner,
      ms,
    });
    this.log.info({ ...log, ms: Math.round(ms) }, 'schema migration applied');
    await lease.renew();
  }
}

function checkMigrations(options: MigratorOptions): void {
  const invalid = (message: string): never => {
    throw new DbError('invalid_definition', message);
  };
  const names = new Set<string>();
  let last = 0;
  for (const m of options.migrations) {
    if (!Number.isSafeInteger(m.id) || m.id <= last)
      invalid(`migration ids must increase from 1: ${m.id} after ${last}`);
    if (names.has(m.name)) invalid(`migration name "${m.name}" is used twice`);
    names.add(m.name);
    last = m.id;
  }
  const declared = new Set(options.tables.map((t) => t.name));
  for (const t of migrationTables) {
    if (!declared.has(t.name)) invalid(`the tables must include the runner's own table "${t.name}"`);
  }
  for (const m of options.migrations) {
    for (const t of m.retired ?? []) {
      if (declared.has(t.name)) invalid(`migration ${m.id} retires "${t.name}", which is still declared`);
    }
  }
}
