/** The replica benchmark's CPU per operation as a table: one row per operation and mode. */

export interface CpuRow {
  /** "segment page", "single POST", "bulk segment". */
  operation: string;
  /** The run's label: "1 replica", "3 replicas, by Flow", "3 replicas, in turn". */
  mode: string;
  servers: number;
  /** µs of tams-server CPU (every replica's process) per operation. */
  serverUs: number;
  /** µs of the database's own processes' CPU per operation; undefined for the embedded engine. */
  dbUs: number | undefined;
}

/** The ratio the issue bounds: N replicas' CPU per operation over one's (by Flow). */
export const REPLICA_CPU_TARGET = 1.2;

export interface CpuRatio {
  operation: string;
  /** N replicas' CPU per operation (by Flow) over one's: the servers', the database's, both. */
  server: number;
  db: number | undefined;
  both: number;
}

/** Each operation's CPU at N replicas (by Flow, not in turn) over its CPU at 1. */
export function cpuRatios(rows: readonly CpuRow[], n: number): CpuRatio[] {
  const ratios: CpuRatio[] = [];
  for (const operation of [...new Set(rows.map((r) => r.operation))]) {
    const one = rows.find((r) => r.operation === operation && r.servers === 1);
    const many = rows.find(
      (r) => r.operation === operation && r.servers === n && !r.mode.endsWith('in turn'),
    );
    if (n <= 1 || !one || !many) continue;
    ratios.push({
      operation,
      server: many.serverUs / one.serverUs,
      db: many.dbUs !== undefined && one.dbUs ? many.dbUs / one.dbUs : undefined,
      both: (many.serverUs + (many.dbUs ?? 0)) / (one.serverUs + (one.dbUs ?? 0)),
    });
  }
  return ratios;
}

/**
 * The rows as a table, and, with N replicas, each operation's server CPU at N (by Flow) over its
 * CPU at 1 against REPLICA_CPU_TARGET, and the same for server and database together.
 */
export function printCpu(rows: readonly CpuRow[], n: number, log: (line: string) => void): void {
  const us = (v: number | undefined) => (v === undefined ? '' : v.toFixed(0));
  const header = ['CPU per operation', 'µs tams-server', 'µs database', 'µs both'];
  const table = rows.map((r) => [
    `${r.operation} [${r.mode}]`,
    us(r.serverUs),
    us(r.dbUs),
    us(r.serverUs + (r.dbUs ?? 0)),
  ]);
  for (const r of cpuRatios(rows, n)) {
    const verdict = r.server <= REPLICA_CPU_TARGET ? 'met' : 'MISSED';
    table.push([
      `${r.operation}: ${n} replicas over 1 (${verdict}, <= ${REPLICA_CPU_TARGET})`,
      `${r.server.toFixed(2)}x`,
      r.db === undefined ? '' : `${r.db.toFixed(2)}x`,
      `${r.both.toFixed(2)}x`,
    ]);
  }
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((r) => (r[i] as string).length)));
  log('');
  for (const r of [header, ...table])
    log(
      r.map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join('  '),
    );
}
