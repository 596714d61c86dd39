import { join } from 'node:path';
import { ConfigError, loadConfig } from '../src/config.ts';
import { buildRuntime, type Runtime } from '../src/deps.ts';
import { MgmtError } from './mgmt.io.ts';

/**
 * Opens the store the server would open (same TAMS_* configuration, same composition root),
 * without background workers and without the in-memory cache: a management command reads and
 * writes the database directly, then closes it.
 */
export async function openRuntime(env: Record<string, string | undefined>): Promise<Runtime> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) throw new MgmtError(error.message, 2);
    throw error;
  }
  try {
    return await buildRuntime(config, { storeCache: false, env });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (/Could not set lock on file|Conflicting lock/i.test(message)) {
      throw new MgmtError(
        `the store ${join(config.TAMS_DATA_DIR, 'tams.duckdb')} is open in another process (a running tams-server?).\n` +
          'An embedded DuckDB file can be opened by one process at a time: stop the server, then run this command again.',
      );
    }
    throw new MgmtError(`could not open the store: ${message}`);
  }
}
