/**
 * The embedded engine in memory, for the tests of db/ and the layers above it, opened as the
 * server's default configuration would open it without the configuration itself: loading it
 * (src/config.ts) would pull every area's settings into the lowest layer.
 * engine.testkit.test.ts holds these settings to the configuration's defaults.
 */
import type { Engine } from '../../../src/db/db.types.ts';
import { type EngineSettings, openEngine } from '../../../src/db/engine.factory.ts';

/** TAMS_DB and the TAMS_DUCKDB_* settings at their defaults (`loadConfig({})`). */
export const DEFAULT_ENGINE_SETTINGS: EngineSettings = {
  TAMS_DB: 'duckdb',
  TAMS_DATA_DIR: './data',
  TAMS_DUCKDB_MEMORY_LIMIT: 'auto',
  TAMS_DUCKDB_THREADS: 2,
  TAMS_DUCKDB_CHECKPOINT_MB: 64,
  TAMS_DUCKDB_JOURNAL: true,
  TAMS_DUCKDB_JOURNAL_APPLY_MS: 200,
};

/** A fresh DuckDB database in memory, gone when closed. */
export function memoryEngine(): Promise<Engine> {
  return openEngine(DEFAULT_ENGINE_SETTINGS, { memory: true });
}
