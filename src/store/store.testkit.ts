import { loadConfig } from '../config.ts';
import { openEngine } from '../db/engine.factory.ts';
import { TableManager } from '../db/manager.ts';
import { storeTables } from './tables.ts';

/** The store's tables on an in-memory DuckDB, for repository tests; closed by the caller. */
export async function memoryStoreDb(): Promise<TableManager> {
  return TableManager.open(await openEngine(loadConfig({}), { memory: true }), storeTables);
}
