import { compareStrings } from './compare.ts';
import type { Engine } from './db.types.ts';

/** A table the engine holds, with its rows counted and its size where the engine can tell. */
export interface TableCount {
  table: string;
  rows: number;
  /** Estimated storage bytes (Engine.tableBytes); undefined when the engine cannot tell. */
  bytes?: number;
}

/** What an engine says of itself and of its tables (`tams-mgmt db check`). */
export interface EngineInspection {
  /** The database server's product and release, when it says them. */
  version?: string;
  /** The first call: for a shared engine it opens a connection (TLS included) before its round trip. */
  firstCallMs: number;
  /** A round trip on the connection the first call opened. */
  roundTripMs: number;
  /** Every table of the engine's namespace, by name. */
  tables: TableCount[];
}

/**
 * Asks the engine the cheapest thing it answers twice (a shared engine's readiness probe, else
 * its table list) and times both, then counts the rows of each of its tables. Reads only. A
 * database that cannot be reached rejects with the engine's DbUnavailableError; `signal` bounds
 * the probes of a shared engine's server.
 */
export async function inspectEngine(engine: Engine, signal: AbortSignal): Promise<EngineInspection> {
  const server = engine.server;
  const call = server ? () => server.probe(signal) : () => engine.listTables();
  const firstCallMs = await timed(call);
  const roundTripMs = await timed(call);
  const version = await server?.version?.(signal);
  const names = (await engine.listTables()).sort(compareStrings);
  const sizes = await engine.tableBytes?.(names);
  const tables: TableCount[] = [];
  for (const table of names) {
    const entry: TableCount = { table, rows: await engine.session.count(table) };
    const bytes = sizes?.get(table);
    if (bytes !== undefined) entry.bytes = bytes;
    tables.push(entry);
  }
  return { ...(version !== undefined && { version }), firstCallMs, roundTripMs, tables };
}

async function timed(call: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await call();
  return performance.now() - start;
}
