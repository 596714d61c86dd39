import { version } from '@duckdb/node-api';
import { StoreLockedError } from '../../db.errors.ts';
import { declareTopology, type Topology } from '../../topology.ts';

/**
 * DuckDB's refusal of a file another process holds, as StoreLockedError: the one place that reads
 * DuckDB's wording ("IO Error: Could not set lock on file "…": Conflicting lock is held in
 * /usr/bin/node (PID 123)…"), so that callers never match messages.
 */
export function lockedError(error: unknown, path: string): StoreLockedError | undefined {
  const message = error instanceof Error ? error.message : String(error);
  if (!/Could not set lock on file|Conflicting lock/i.test(message)) return undefined;
  const pid = /\(PID (\d+)\)/.exec(message)?.[1];
  return new StoreLockedError(path, pid !== undefined ? Number(pid) : undefined);
}

/**
 * Statistics propagation is off. A prepared statement keeps the plan made from the column
 * statistics of the moment it was prepared, and DuckDB 1.5 does not re-plan when the data moves
 * past them: ORDER BY then materialises values squeezed to the old range (a 1e11 read back as 256,
 * a string as its last byte) and filters the old statistics ruled out return nothing. Our
 * connections cache prepared statements, so the plans must not depend on data
 * (test: "prepared statements see data changed after they were prepared").
 */
export function withSafeOptimizers(config: Readonly<Record<string, string>>): Record<string, string> {
  const disabled = (config.disabled_optimizers ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (!disabled.includes('statistics_propagation')) disabled.push('statistics_propagation');
  return { ...config, disabled_optimizers: disabled.join(',') };
}

/**
 * What the embedded engine is (Engine.topology): one process opens a DuckDB file read-write and no
 * other can open it meanwhile; the file outlives the process, and so does the append journal
 * beside it (`<path>.journal`, applied at the next open even when turned off). In memory neither.
 */
export function duckDbTopology(persistent: boolean): Topology {
  return declareTopology({ ownsStore: true, localFiles: persistent, appendJournal: persistent });
}

/** The DuckDB library the embedded engine runs on (`DuckDB v1.5.0`), for operators. */
export function duckDbRelease(): string {
  return `DuckDB ${version()}`;
}
