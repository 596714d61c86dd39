import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AnalyticsSchema } from './analytics/analytics.check.ts';
import { Analytics } from './analytics/analytics.ts';
import type { AnalyticsCapable } from './analytics/analytics.types.ts';
import type { JournalReport } from './db.journal.ts';
import type { Engine } from './db.types.ts';
import { duckDbRelease, duckDbTopology } from './engines/duckdb/duckdb.config.ts';
import { createDuckDbEngine, type DuckDbEngineOptions } from './engines/duckdb/duckdb.engine.ts';
import { HybridAnalytics } from './engines/duckdb/duckdb.hybrid.ts';
import { duckDbMemoryLimit } from './engines/duckdb/duckdb.memory.ts';
import {
  POSTGRES_TOPOLOGY,
  PostgresEngine,
  type PostgresEngineOptions,
} from './engines/postgres/postgres.engine.ts';
import { VastTransport } from './engines/vast/transport/transport.client.ts';
import {
  type VastTransportSettings,
  vastTransportOptions,
} from './engines/vast/transport/transport.config.ts';
import { createVastEngine, VAST_TOPOLOGY } from './engines/vast/vast.engine.ts';
import type { Topology } from './topology.ts';

/** The engines TAMS_DB can name (src/config.ts declares the same list). */
export type EngineName = 'duckdb' | 'vast' | 'postgres';

/** What TAMS_DB=vast reads besides the transport's settings. */
export interface VastEngineSettings extends VastTransportSettings {
  readonly TAMS_VAST_BUCKET: string;
  readonly TAMS_VAST_SCHEMA: string;
  /** Absent (callers building settings by hand): every read begins its own transaction. */
  readonly TAMS_VAST_READ_SNAPSHOT_MS?: number;
  /** Absent (callers building settings by hand): the engine's default, KEEP_ALIVE_MS. */
  readonly TAMS_VAST_KEEP_ALIVE_MS?: number;
}

/** What TAMS_DB=postgres reads (src/config.postgres.ts). */
export interface PostgresEngineSettings {
  readonly TAMS_POSTGRES_URL: string;
  readonly TAMS_POSTGRES_SCHEMA: string;
  readonly TAMS_POSTGRES_POOL: number;
  readonly TAMS_POSTGRES_TLS: 'url' | 'off' | 'verify' | 'insecure';
  readonly TAMS_POSTGRES_CA_FILE: string;
  readonly TAMS_POSTGRES_CONNECT_TIMEOUT_MS: number;
  readonly TAMS_POSTGRES_TX_IDLE_SECONDS: number;
}

/** The settings that choose and tune the engine: a slice of Config (src/config.ts). */
export interface EngineSettings {
  readonly TAMS_DB: EngineName;
  readonly TAMS_DATA_DIR: string;
  readonly TAMS_DUCKDB_MEMORY_LIMIT: string;
  readonly TAMS_DUCKDB_THREADS: number;
  readonly TAMS_DUCKDB_CHECKPOINT_MB: number;
  /** Absent (callers building settings by hand): on, as the configuration's default. */
  readonly TAMS_DUCKDB_JOURNAL?: boolean;
  readonly TAMS_DUCKDB_JOURNAL_APPLY_MS?: number;
}

/** The settings with the VAST slice (Config has it; DuckDB-only callers may leave it out). */
export type AnyEngineSettings = EngineSettings &
  Partial<VastEngineSettings> &
  Partial<PostgresEngineSettings>;

export interface OpenEngineOptions {
  /**
   * A fresh database in memory, gone when closed (tests, benchmarks), instead of the one the
   * settings locate. Memory limit and checkpoints do not apply: in memory the data is the memory,
   * and there is no file to checkpoint.
   */
  readonly memory?: boolean;
  /** Told what the embedded engine found in its append journal file, when it found anything. */
  readonly onJournal?: (report: JournalReport) => void;
  /**
   * The embedded engine's append journal with damaged records: `recover` applies what it can
   * (`tams-mgmt journal recover`), `inspect` reads it and changes nothing; by default the open
   * is refused (DbError `journal_damaged`).
   */
  readonly journalRecovery?: 'recover' | 'inspect';
}

/** The embedded engine's file in the data directory. */
export function duckDbPath(settings: Pick<EngineSettings, 'TAMS_DATA_DIR'>): string {
  return join(settings.TAMS_DATA_DIR, 'tams.duckdb');
}

/**
 * Opens the engine the settings name: the one place that does (test/engine.boundary.test.ts holds
 * every other file above db/engines/ to it). A database another process holds fails with
 * StoreLockedError (db.errors.ts).
 */
export async function openEngine(
  settings: AnyEngineSettings,
  options: OpenEngineOptions = {},
): Promise<Engine> {
  switch (settings.TAMS_DB) {
    case 'duckdb': {
      const threads = String(settings.TAMS_DUCKDB_THREADS);
      const duck: DuckDbEngineOptions = options.memory
        ? {
            path: ':memory:',
            config: { threads },
            journal: settings.TAMS_DUCKDB_JOURNAL !== false,
            journalDelayMs: settings.TAMS_DUCKDB_JOURNAL_APPLY_MS,
          }
        : {
            path: duckDbPath(settings),
            config: { memory_limit: duckDbMemoryLimit(settings.TAMS_DUCKDB_MEMORY_LIMIT), threads },
            checkpointBytes: settings.TAMS_DUCKDB_CHECKPOINT_MB * 2 ** 20,
            journal: settings.TAMS_DUCKDB_JOURNAL !== false,
            journalDelayMs: settings.TAMS_DUCKDB_JOURNAL_APPLY_MS,
          };
      const engine = await createDuckDbEngine({ ...duck, journalRecovery: options.journalRecovery });
      const report = engine.journalReport();
      if (report) options.onJournal?.(report);
      return engine;
    }
    case 'vast': {
      if (options.memory) throw new Error('TAMS_DB=vast: the VAST engine has no in-memory mode');
      const vast = settings as EngineSettings & VastEngineSettings;
      if (vast.TAMS_VAST_ENDPOINTS === undefined || vast.TAMS_VAST_BUCKET === undefined) {
        throw new Error('TAMS_DB=vast: the TAMS_VAST_* settings are missing');
      }
      // No round trip here: the schema and tables are made by the migrations' createTable.
      return createVastEngine({
        transport: new VastTransport(vastTransportOptions(vast)),
        bucket: vast.TAMS_VAST_BUCKET,
        schema: vast.TAMS_VAST_SCHEMA,
        readSnapshotMs: vast.TAMS_VAST_READ_SNAPSHOT_MS ?? 0,
        keepAliveMs: vast.TAMS_VAST_KEEP_ALIVE_MS,
      });
    }
    case 'postgres': {
      if (options.memory) throw new Error('TAMS_DB=postgres: the PostgreSQL engine has no in-memory mode');
      const pgs = settings as EngineSettings & PostgresEngineSettings;
      if (!pgs.TAMS_POSTGRES_URL) throw new Error('TAMS_DB=postgres: TAMS_POSTGRES_URL is missing');
      // No round trip here either: the first createTable makes the schema.
      return new PostgresEngine({
        url: pgs.TAMS_POSTGRES_URL,
        schema: pgs.TAMS_POSTGRES_SCHEMA ?? 'tams',
        poolSize: pgs.TAMS_POSTGRES_POOL,
        ssl: postgresTls(pgs),
        connectTimeoutMs: pgs.TAMS_POSTGRES_CONNECT_TIMEOUT_MS,
        txIdleSeconds: pgs.TAMS_POSTGRES_TX_IDLE_SECONDS,
      });
    }
    default:
      // Reached only if config.ts admits a name this switch does not handle yet.
      throw new Error(`TAMS_DB: no engine named ${JSON.stringify(settings.TAMS_DB satisfies never)}`);
  }
}

/**
 * node-postgres's `ssl` for TAMS_POSTGRES_TLS; undefined leaves it to the URL's sslmode (config.ts
 * refuses both at once).
 */
function postgresTls(
  settings: Partial<Pick<PostgresEngineSettings, 'TAMS_POSTGRES_TLS' | 'TAMS_POSTGRES_CA_FILE'>>,
): PostgresEngineOptions['ssl'] {
  switch (settings.TAMS_POSTGRES_TLS ?? 'url') {
    case 'url':
      return undefined;
    case 'off':
      return false;
    case 'insecure':
      return { rejectUnauthorized: false };
    case 'verify': {
      const ca = settings.TAMS_POSTGRES_CA_FILE
        ? readFileSync(settings.TAMS_POSTGRES_CA_FILE, 'utf8')
        : undefined;
      return { rejectUnauthorized: true, ...(ca !== undefined && { ca }) };
    }
  }
}

/**
 * The topology of the engine the settings name (in memory with `memory`), as Engine.topology
 * says it once open: for a tool deciding what there is to do before it opens the store.
 */
export function engineTopology(
  settings: Pick<EngineSettings, 'TAMS_DB'>,
  options: Pick<OpenEngineOptions, 'memory'> = {},
): Topology {
  switch (settings.TAMS_DB) {
    case 'duckdb':
      return duckDbTopology(options.memory !== true);
    case 'vast':
      return VAST_TOPOLOGY;
    case 'postgres':
      return POSTGRES_TOPOLOGY;
    default:
      throw new Error(`TAMS_DB: no engine named ${JSON.stringify(settings.TAMS_DB satisfies never)}`);
  }
}

/**
 * The product and release of an engine that runs in this process (the embedded DuckDB's
 * library); undefined for a shared engine, whose server says its own (DatabaseServer.version).
 */
export function embeddedRelease(settings: Pick<EngineSettings, 'TAMS_DB'>): string | undefined {
  return settings.TAMS_DB === 'duckdb' ? duckDbRelease() : undefined;
}

/** What openAnalytics needs of the table manager (db/manager.ts). */
export interface AnalyticsManager extends AnalyticsSchema {
  readonly engine: Engine;
}

export interface AnalyticsSettings {
  /**
   * DuckDB's memory limit for the in-process database of hybrid analytics (VAST), as
   * TAMS_DUCKDB_MEMORY_LIMIT says it (`auto` or a size).
   */
  readonly memoryLimit?: string;
  readonly threads?: number;
  /** Where exports and hybrid analytics' spilled data go (default: the system's temporary folder). */
  readonly tempDir?: string;
}

/**
 * Analytics over the manager's tables (db/analytics/): the engine's own executor when it has one
 * (the DuckDB engine runs the SQL on its tables, on connections other than the writer's), else
 * hybrid analytics (VAST: the inputs fetched, filtered where the data is, into an in-process
 * DuckDB). The engine factory decides, as it decides the engine: nothing above db/engines/ knows
 * which engine is underneath.
 */
export function openAnalytics(manager: AnalyticsManager, settings: AnalyticsSettings = {}): Analytics {
  const tempDir = settings.tempDir ?? tmpdir();
  const own = (manager.engine as Engine & Partial<AnalyticsCapable>).analytics;
  const executor =
    own ??
    new HybridAnalytics(manager.engine.session, {
      config: {
        threads: String(settings.threads ?? 2),
        temp_directory: join(tempDir, 'tams-analytics-spill'),
        ...(settings.memoryLimit !== undefined && { memory_limit: duckDbMemoryLimit(settings.memoryLimit) }),
      },
    });
  return new Analytics(manager, executor, { exportDir: tempDir });
}
