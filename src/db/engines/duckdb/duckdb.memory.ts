import { readFileSync } from 'node:fs';
import { totalmem } from 'node:os';

/** The share of the process's memory `auto` gives DuckDB, and the least it gives. */
const AUTO_SHARE = 0.4;
const AUTO_FLOOR = 512 * 2 ** 20;

/**
 * DuckDB's `memory_limit` for TAMS_DUCKDB_MEMORY_LIMIT: a size as given, or for `auto` 40 % of the
 * memory the process may use (its cgroup's limit in a container, else the machine's), at least
 * 512 MiB. A fixed small limit fails at scale in a way a restart does not mend: a checkpoint
 * that needs more (the search index's vector table is rewritten whole, ~0.5 KB per vector)
 * invalidates the database, and replaying the WAL at the next start fails the same way.
 */
export function duckDbMemoryLimit(setting: string, available: number = processMemory()): string {
  if (setting.trim().toLowerCase() !== 'auto') return setting;
  const bytes = Math.max(AUTO_FLOOR, Math.floor(available * AUTO_SHARE));
  return `${Math.floor(bytes / 2 ** 20)}MiB`;
}

/** The cgroup (v2, then v1) memory limit when it is below the machine's memory, else the machine's. */
export function processMemory(): number {
  const machine = totalmem();
  for (const file of ['/sys/fs/cgroup/memory.max', '/sys/fs/cgroup/memory/memory.limit_in_bytes']) {
    try {
      const value = Number(readFileSync(file, 'utf8').trim());
      if (Number.isFinite(value) && value > 0 && value < machine) return value;
    } catch {
      // No such cgroup file (not in a container, or the other cgroup version): try the next.
    }
  }
  return machine;
}
