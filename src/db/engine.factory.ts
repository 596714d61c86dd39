import { join } from 'node:path';
import type { Engine } from './db.types.ts';
import { createDuckDbEngine, type DuckDbEngineOptions } from './engines/duckdb/duckdb.engine.ts';
import { createThreadedDuckDbEngine } from './engines/duckdb/duckdb.threaded.ts';

/** The engines TAMS_DB can name (src/config.ts declares the same list). */
export type EngineName = 'duckdb';

/** The settings that choose and tune the engine: a slice of Config (src/config.ts). */
export interface EngineSettings {
  readonly TAMS_DB: EngineName;
  readonly TAMS_DATA_DIR: string;
  readonly TAMS_DUCKDB_MEMORY_LIMIT: string;
  readonly TAMS_DUCKDB_THREADS: number;
  readonly TAMS_DUCKDB_CHECKPOINT_MB: number;
  readonly TAMS_DUCKDB_THREAD: boolean;
}

export interface OpenEngineOptions {
  /**
   * A fresh database in memory, gone when closed (tests, benchmarks), instead of the one the
   * settings locate. Memory limit and checkpoints do not apply: in memory the data is the memory,
   * and there is no file to checkpoint.
   */
  readonly memory?: boolean;
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
export async function openEngine(settings: EngineSettings, options: OpenEngineOptions = {}): Promise<Engine> {
  switch (settings.TAMS_DB) {
    case 'duckdb': {
      const threads = String(settings.TAMS_DUCKDB_THREADS);
      const duck: DuckDbEngineOptions = options.memory
        ? { path: ':memory:', config: { threads } }
        : {
            path: duckDbPath(settings),
            config: { memory_limit: settings.TAMS_DUCKDB_MEMORY_LIMIT, threads },
            checkpointBytes: settings.TAMS_DUCKDB_CHECKPOINT_MB * 2 ** 20,
          };
      return settings.TAMS_DUCKDB_THREAD ? createThreadedDuckDbEngine(duck) : createDuckDbEngine(duck);
    }
    default:
      // Reached only if config.ts admits a name this switch does not handle yet.
      throw new Error(`TAMS_DB: no engine named ${JSON.stringify(settings.TAMS_DB satisfies never)}`);
  }
}
