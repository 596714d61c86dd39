import { afterEach } from 'vitest';
import { loadConfig } from '../config.ts';
import { openEngine } from '../db/engine.factory.ts';
import { TableManager } from '../db/manager.ts';
import { storeTables } from './tables.ts';

/**
 * Opens the store's tables on an in-memory DuckDB, for repository tests; every one opened is
 * closed after each test of the calling file.
 */
export function memoryStores(): () => Promise<TableManager> {
  const opened: TableManager[] = [];
  afterEach(async () => {
    for (const db of opened.splice(0)) await db.close();
  });
  return async () => {
    const db = await TableManager.open(await openEngine(loadConfig({}), { memory: true }), storeTables);
    opened.push(db);
    return db;
  };
}
