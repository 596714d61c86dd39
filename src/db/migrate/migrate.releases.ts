import type { DbSession, Engine, Row, TableDef } from '../db.types.ts';
import { TableManager } from '../manager.ts';
import { and, col } from '../predicate.ts';

export const RELEASES_TABLE = 'store_releases';

/**
 * Which releases of tams-server opened the store, at which schema version: one row per release
 * and schema version, written when the first process of that pair opens it (replicas starting
 * together may each write it: readers count a pair once). Insert only, so replicas never contend
 * for a row. A store's newest release is what an older release refuses to open (refuseNewer).
 */
export const RELEASES: TableDef = {
  name: RELEASES_TABLE,
  columns: [
    { name: 'release', type: 'string', nullable: false },
    { name: 'schema_version', type: 'int64', nullable: false },
    { name: 'first_opened', type: 'timestamp', nullable: false },
    /** The process (host:pid:random, or tams-mgmt:host:pid). */
    { name: 'opened_by', type: 'string' },
  ],
};

/** A release that opened the store, at one schema version (its first opening). */
export interface RecordedRelease {
  release: string;
  schema: number;
  first: Date;
  by: string | undefined;
}

function fromRow(row: Row): RecordedRelease {
  return {
    release: String(row.release),
    schema: Number(row.schema_version),
    first: row.first_opened as Date,
    by: typeof row.opened_by === 'string' ? row.opened_by : undefined,
  };
}

/** The record, earliest first, each release and schema version once. */
export async function readReleases(db: DbSession): Promise<RecordedRelease[]> {
  const rows = await db.select(RELEASES_TABLE, { orderBy: [{ column: 'first_opened' }] });
  const seen = new Map<string, RecordedRelease>();
  for (const row of rows) {
    const release = fromRow(row);
    const key = `${release.release}@${release.schema}`;
    if (!seen.has(key)) seen.set(key, release);
  }
  return [...seen.values()];
}

/** The record without creating anything: a store no recording release opened has none. */
export async function peekReleases(engine: Engine): Promise<RecordedRelease[]> {
  if ((await engine.describeTable(RELEASES_TABLE)) === null) return [];
  return readReleases(await TableManager.open(engine, [RELEASES]));
}

/** Records that `release` opened the store at `schema`, unless that pair is recorded already. */
export async function recordRelease(
  db: DbSession,
  opened: { release: string; schema: number; by: string; at: Date },
): Promise<void> {
  const where = and(col('release').eq(opened.release), col('schema_version').eq(BigInt(opened.schema)));
  if ((await db.count(RELEASES_TABLE, where)) > 0) return;
  await db.insert(RELEASES_TABLE, [
    {
      release: opened.release,
      schema_version: BigInt(opened.schema),
      first_opened: opened.at,
      opened_by: opened.by,
    },
  ]);
}

type Triple = [number, number, number];

/** A semantic version's numbers; undefined for a version that is not one (never compared). */
export function versionNumbers(version: string): Triple | undefined {
  const match = /^(\d+)\.(\d+)\.(\d+)/.exec(version);
  return match ? [Number(match[1]), Number(match[2]), Number(match[3])] : undefined;
}

function compare(a: Triple, b: Triple): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

/**
 * The rule for going back: a release may open a store that releases of its own major.minor
 * opened, a later patch among them (a patch release changes no store format: its schema version
 * is its minor's), never one a later minor or major opened. The schema version is checked
 * besides (Migrator.refuseNewer), so a patch release that broke the rule is still refused.
 */
export function newerLine(recorded: string, code: string): boolean {
  const a = versionNumbers(recorded);
  const b = versionNumbers(code);
  if (!a || !b) return false;
  return a[0] > b[0] || (a[0] === b[0] && a[1] > b[1]);
}

/** The newest release recorded whose line is later than `code`'s, at its highest schema version. */
export function newestLaterRelease(
  releases: readonly RecordedRelease[],
  code: string,
): RecordedRelease | undefined {
  let newest: RecordedRelease | undefined;
  for (const r of releases) {
    if (!newerLine(r.release, code)) continue;
    const n = versionNumbers(r.release) as Triple;
    if (!newest) {
      newest = r;
      continue;
    }
    const order = compare(n, versionNumbers(newest.release) as Triple);
    if (order > 0 || (order === 0 && r.schema > newest.schema)) newest = r;
  }
  return newest;
}

/**
 * The release that brought the store to schema version `version`: the first recorded at it or
 * above (each release records itself once its migrations are applied). Undefined where the store
 * has no record of it (a release before the record existed, or rows removed).
 */
export function releaseAt(releases: readonly RecordedRelease[], version: number): string | undefined {
  return releases.find((r) => r.schema >= version)?.release;
}
