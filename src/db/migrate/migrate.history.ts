import { DbConflictError, DbError } from '../db.errors.ts';
import type { DbSession, Engine, Row, TableDef } from '../db.types.ts';
import { TableManager } from '../manager.ts';
import { and, col } from '../predicate.ts';
import type { Topology } from '../topology.ts';
import { RELEASES } from './migrate.releases.ts';
import type { AppliedMigration } from './migrate.types.ts';

export const HISTORY_TABLE = 'schema_migrations';
export const LEASE_TABLE = 'schema_lease';
const LEASE_NAME = 'migrations';

const HISTORY: TableDef = {
  // One row per migration applied: the schema version is the highest id.
  name: HISTORY_TABLE,
  columns: [
    { name: 'id', type: 'int64', nullable: false },
    { name: 'name', type: 'string', nullable: false },
    { name: 'applied', type: 'timestamp', nullable: false },
    { name: 'applied_by', type: 'string' },
    { name: 'duration_ms', type: 'int64' },
  ],
};

/** Tables the migration runner keeps; every store declares them (see storeTables). */
export const migrationTables: readonly TableDef[] = [
  HISTORY,
  {
    // Who is running migrations, until when: replicas starting together wait for the holder
    // rather than run the same migration twice. One row, or one per replica that first started
    // at the same moment as another (MigrationLease).
    name: LEASE_TABLE,
    columns: [
      { name: 'name', type: 'string', nullable: false },
      { name: 'owner', type: 'string', nullable: false },
      { name: 'until', type: 'timestamp', nullable: false },
    ],
  },
  RELEASES,
];

function fromRow(row: Row): AppliedMigration {
  return {
    id: Number(row.id),
    name: String(row.name),
    applied: row.applied as Date,
    by: typeof row.applied_by === 'string' ? row.applied_by : undefined,
    ms: typeof row.duration_ms === 'bigint' ? Number(row.duration_ms) : undefined,
  };
}

/** The migrations applied, by id (a migration recorded twice, by replicas racing, counts once). */
export async function readHistory(db: DbSession): Promise<AppliedMigration[]> {
  const rows = await db.select(HISTORY_TABLE, { orderBy: [{ column: 'id' }, { column: 'applied' }] });
  const byId = new Map<number, AppliedMigration>();
  for (const row of rows) {
    const applied = fromRow(row);
    if (!byId.has(applied.id)) byId.set(applied.id, applied);
  }
  return [...byId.values()];
}

/** The history without creating anything: a store that never recorded a migration has none. */
export async function peekHistory(engine: Engine): Promise<AppliedMigration[]> {
  if ((await engine.describeTable(HISTORY_TABLE)) === null) return [];
  return readHistory(await TableManager.open(engine, [HISTORY]));
}

export async function recordApplied(db: DbSession, applied: AppliedMigration): Promise<void> {
  await db.insert(HISTORY_TABLE, [
    {
      id: BigInt(applied.id),
      name: applied.name,
      applied: applied.applied,
      applied_by: applied.by ?? null,
      duration_ms: applied.ms === undefined ? null : BigInt(Math.round(applied.ms)),
    },
  ]);
}

export interface LeaseHolder {
  owner: string;
  until: Date;
}

/** A lease row nobody holds: a replica's own copy before its first claim, or a released lease. */
const FREE = { owner: '', until: new Date(0) };

/**
 * The migration lease. Replicas sharing a database (VAST) exclude each other by updating one row:
 * the database refuses the second of two concurrent commits that changed the same row (first
 * committer wins), and an insert would conflict with nothing. So each process first makes sure
 * a lease row exists (inserting a free one when it finds none, committed before it claims), and
 * every claim, renewal and release updates every copy of the row (replicas that first started
 * together may each have inserted one; any two claims still share a copy, since each process's
 * claims begin after its own copy was committed: guards.repo.ts makes the same argument). The
 * holder is the copy with the latest end. A claim that loses at commit (DbConflictError) finds
 * the winner holding the lease when it looks again. On the embedded engine transactions are
 * serialised anyway.
 */
export class MigrationLease {
  constructor(
    private readonly db: TableManager,
    private readonly owner: string,
    private readonly termMs: number,
    private readonly now: () => Date,
    /** Without leasesNeeded, a lease found is a killed process's, taken over at once. */
    private readonly topology: Topology,
  ) {}

  private ensured = false;

  /** Takes the lease; returns its holder instead while another process holds it. */
  async acquire(): Promise<{ holder?: LeaseHolder; tookOver?: LeaseHolder }> {
    await this.ensureRow();
    try {
      return await this.db.transaction(async (tx) => {
        const now = this.now();
        const current = await this.current(tx);
        const other =
          current !== undefined && current.owner !== this.owner && current.owner !== '' ? current : undefined;
        if (other && other.until > now && this.topology.leasesNeeded) return { holder: other };
        await this.write(tx, { owner: this.owner, until: new Date(now.getTime() + this.termMs) });
        return other ? { tookOver: other } : {};
      });
    } catch (error) {
      // Another process claimed it first: it holds the lease now.
      if (!(error instanceof DbConflictError)) throw error;
      const holder = await this.current(this.db);
      return holder && holder.owner !== this.owner ? { holder } : this.acquire();
    }
  }

  /** Extends the lease; fails when another process has taken it over meanwhile. */
  async renew(): Promise<void> {
    await this.db.transaction(async (tx) => {
      const current = await this.current(tx);
      if (current?.owner !== this.owner) {
        throw new DbError(
          'lease_lost',
          `the migration lease was taken over by ${current?.owner || 'nobody'}: this process held it past its term`,
        );
      }
      await this.write(tx, { owner: this.owner, until: new Date(this.now().getTime() + this.termMs) });
    });
  }

  /** Frees the lease if this process holds it. */
  async release(): Promise<void> {
    await this.db.transaction(async (tx) => {
      if ((await this.current(tx))?.owner === this.owner) await this.write(tx, FREE);
    });
  }

  /** Inserts a free lease row when there is none, committed before any claim of this process. */
  private async ensureRow(): Promise<void> {
    if (this.ensured) return;
    const rows = await this.db.select(LEASE_TABLE, {
      where: and(col('name').eq(LEASE_NAME)),
      columns: ['name'],
    });
    if (rows.length === 0) await this.db.insert(LEASE_TABLE, [{ name: LEASE_NAME, ...FREE }]);
    this.ensured = true;
  }

  private async current(tx: DbSession): Promise<LeaseHolder | undefined> {
    const rows = await tx.select(LEASE_TABLE, { where: and(col('name').eq(LEASE_NAME)) });
    let latest: LeaseHolder | undefined;
    for (const row of rows) {
      const copy = { owner: String(row.owner), until: row.until as Date };
      if (!latest || copy.until > latest.until) latest = copy;
    }
    return latest;
  }

  private async write(tx: DbSession, holder: LeaseHolder): Promise<void> {
    await tx.update(LEASE_TABLE, and(col('name').eq(LEASE_NAME)), {
      owner: holder.owner,
      until: holder.until,
    });
  }
}
