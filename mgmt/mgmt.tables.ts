import type { StoreRuntime } from '../src/deps.store.ts';
import type { TableStats } from '../src/store/maintenance.repo.ts';
import { columns, formatBytes, type MgmtIo } from './mgmt.io.ts';

/** `tables`: every table of the store with its row count and estimated size. */
export async function tablesCommand(
  runtime: StoreRuntime,
  io: MgmtIo,
  options: { json: boolean },
): Promise<number> {
  const stats = await runtime.maintenance.tableStats();
  if (options.json) {
    io.out(`${JSON.stringify(stats, null, 2)}\n`);
    return 0;
  }
  const size = (s: TableStats) => (s.bytes === undefined ? 'n/a' : formatBytes(s.bytes));
  const rows = stats.map((s) => [s.table, s.rows.toLocaleString('en'), size(s)]);
  const totalRows = stats.reduce((n, s) => n + s.rows, 0);
  const totalBytes = stats.every((s) => s.bytes !== undefined)
    ? formatBytes(stats.reduce((n, s) => n + (s.bytes ?? 0), 0))
    : 'n/a';
  io.out(
    columns(
      [['TABLE', 'ROWS', 'SIZE'], ...rows, ['total', totalRows.toLocaleString('en'), totalBytes]],
      new Set([1, 2]),
    ),
  );
  io.out(
    "(sizes are the engine's estimates: DuckDB's storage blocks in use, shared blocks counted for each table; VAST DataBase's table statistics; PostgreSQL's table, index and TOAST pages)\n",
  );
  return 0;
}
