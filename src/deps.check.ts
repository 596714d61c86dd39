import { existsSync } from 'node:fs';
import { maskedPostgresUrl } from './config.postgres.ts';
import type { Config } from './config.ts';
import { type EngineInspection, inspectEngine } from './db/db.check.ts';
import { DbUnavailableError, StoreLockedError } from './db/db.errors.ts';
import type { Engine } from './db/db.types.ts';
import { duckDbPath, type EngineName, embeddedRelease, openEngine } from './db/engine.factory.ts';
import { featuresOn, processOwner } from './deps.store.ts';
import { featureTables } from './feature/feature.set.ts';
import { storeMigrator } from './store/store.open.ts';

/** Where the settings put the database, as an operator checks it (`tams-mgmt db check`). */
export interface DatabaseLocation {
  engine: EngineName;
  /** The product as operators know it. */
  product: string;
  /** Whether many server processes may share it (replicas), or one process owns it. */
  shared: boolean;
  /** What locates it, in the order to show (never a password). */
  where: Record<string, string>;
  /** Why there is nothing to open (the embedded file does not exist); the check opens nothing then. */
  absent?: string;
}

/** The store's schema history as the check found it (read, never applied). */
export interface SchemaState {
  /** The highest migration applied; 0 for a store without any (new, or older than them). */
  version: number;
  /** The highest migration this code knows. */
  latest: number;
  /** Migrations this code knows that the store has not applied. */
  pending: number;
}

export interface DatabaseCheck extends EngineInspection {
  /** Opening the engine (the embedded engine opens its file; a shared one makes no round trip). */
  openMs: number;
  schema: SchemaState;
}

export function databaseLocation(config: Config): DatabaseLocation {
  switch (config.TAMS_DB) {
    case 'duckdb': {
      const file = duckDbPath(config);
      return {
        engine: 'duckdb',
        product: embeddedRelease(config) ?? 'DuckDB',
        shared: false,
        where: { file },
        ...(!existsSync(file) && {
          absent: `no store at ${file}: a server started with this TAMS_DATA_DIR creates it`,
        }),
      };
    }
    case 'vast':
      return {
        engine: 'vast',
        product: 'VAST DataBase',
        shared: true,
        where: {
          endpoints: config.TAMS_VAST_ENDPOINTS.split(',')
            .map((e) => e.trim())
            .join(', '),
          bucket: config.TAMS_VAST_BUCKET,
          schema: config.TAMS_VAST_SCHEMA,
        },
      };
    case 'postgres':
      return { engine: 'postgres', product: 'PostgreSQL', shared: true, where: postgresWhere(config) };
  }
}

/**
 * The parts of TAMS_POSTGRES_URL (config.ts has checked it parses); what it leaves out comes from
 * libpq's variables (PGHOST, ...) or their defaults, as node-postgres takes them.
 */
function postgresWhere(config: Config): Record<string, string> {
  const url = new URL(config.TAMS_POSTGRES_URL.trim());
  const part = (value: string, otherwise: string) => (value !== '' ? decodeURIComponent(value) : otherwise);
  const tls =
    config.TAMS_POSTGRES_TLS === 'url'
      ? `sslmode ${url.searchParams.get('sslmode') ?? 'not set (no TLS)'}`
      : config.TAMS_POSTGRES_TLS;
  return {
    host: part(url.hostname, url.searchParams.get('host') ?? '(PGHOST, or localhost)'),
    port: part(url.port, '(PGPORT, or 5432)'),
    database: part(url.pathname.slice(1), '(PGDATABASE, or the user name)'),
    user: part(url.username, '(PGUSER, or the system user)'),
    schema: config.TAMS_POSTGRES_SCHEMA,
    url: maskedPostgresUrl(config.TAMS_POSTGRES_URL.trim()),
    tls: config.TAMS_POSTGRES_CA_FILE !== '' ? `${tls}, CA ${config.TAMS_POSTGRES_CA_FILE}` : tls,
    pool: `${config.TAMS_POSTGRES_POOL} connections`,
  };
}

/**
 * Opens the engine the settings name, without opening the store (which would create tables and
 * apply migrations): round trips, the server's release, every table with its rows, and the
 * store's schema version. Creates no table and applies no migration (the embedded engine applies
 * its append journal on opening, as every opening does). Rejects with the engine's error when the database
 * cannot be reached (DbUnavailableError) or is held by another process (StoreLockedError);
 * `timeoutMs` bounds the shared engines' probes.
 */
export async function checkDatabase(config: Config, timeoutMs = 30_000): Promise<DatabaseCheck> {
  const started = performance.now();
  const engine = await openEngine(config);
  try {
    const openMs = performance.now() - started;
    return { ...(await checkOpenEngine(config, engine, timeoutMs)), openMs };
  } finally {
    await engine.close();
  }
}

/** `checkDatabase` on an engine already open (the running server's): nothing opened twice. */
export async function checkOpenEngine(
  config: Config,
  engine: Engine,
  timeoutMs = 30_000,
): Promise<DatabaseCheck> {
  const inspection = await inspectEngine(engine, AbortSignal.timeout(timeoutMs));
  const status = await storeMigrator(engine, {
    owner: processOwner(),
    tables: featureTables(featuresOn(config)),
  }).status();
  const schema = { version: status.version, latest: status.latest, pending: status.pending.length };
  return { ...inspection, openMs: 0, schema };
}

/**
 * What `db check --json` says, for the support bundle: the location and, when `check` answers, the
 * round trips, the release, the tables and the schema state; else why not (never a password).
 */
export async function databaseReport(
  config: Config,
  check: () => Promise<DatabaseCheck>,
): Promise<Record<string, unknown>> {
  const location = databaseLocation(config);
  const head = {
    engine: location.engine,
    product: location.product,
    shared: location.shared,
    ...location.where,
  };
  if (location.absent !== undefined) return { ...head, reachable: false, reason: location.absent };
  try {
    const c = await check();
    return {
      ...head,
      reachable: true,
      ...(c.version !== undefined && { server_version: c.version }),
      first_call_ms: c.firstCallMs,
      round_trip_ms: c.roundTripMs,
      schema_version: c.schema.version,
      schema_latest: c.schema.latest,
      migrations_pending: c.schema.pending,
      tables: c.tables,
    };
  } catch (error) {
    if (error instanceof DbUnavailableError)
      return {
        ...head,
        reachable: false,
        reason: error.reason,
        ...(error.detail !== '' && { detail: error.detail }),
      };
    if (error instanceof StoreLockedError)
      return {
        ...head,
        reachable: false,
        reason: `the file is open in another process (PID ${error.holderPid ?? 'unknown'}), most likely a running tams-server: take the bundle through it (--server)`,
      };
    return { ...head, reachable: false, reason: error instanceof Error ? error.message : String(error) };
  }
}
