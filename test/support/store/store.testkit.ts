import { afterEach } from 'vitest';
import { TableManager } from '../../../src/db/manager.ts';
import { storeTables } from '../../../src/store/tables.ts';
import { memoryEngine } from '../db/engine.testkit.ts';

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
    const db = await TableManager.open(await memoryEngine(), storeTables);
    opened.push(db);
    return db;
  };
}
