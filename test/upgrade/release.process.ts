/**
 * A release's server as a process, run from its tree as `npm start` runs it (`node --import tsx
 * src/main.ts`), on the engine of this run (TAMS_TEST_ENGINE: DuckDB in a data directory, or this
 * file's PostgreSQL or fake VAST server with media on S3), and a dump of the store's tables to
 * tell whether a refused start changed anything.
 */
import type { ChildProcess } from 'node:child_process';
import { loadConfig } from '../../src/config.ts';
import { openEngine } from '../../src/db/engine.factory.ts';
import { TableManager } from '../../src/db/manager.ts';
import { awaitListening, START_DEADLINE_MS } from '../../tools/server-process.ts';
import { runToEnd, spawnChild } from '../helpers/children.ts';
import { TEST_ENGINE } from '../helpers/engine.mode.ts';
import { postgresModeEnv } from '../helpers/postgres.mode.ts';
import { vastModeEnv } from '../helpers/vast.mode.ts';

/** The settings that put a server on this run's engine, its store named after `dataDir`. */
export async function engineEnv(dataDir: string): Promise<Record<string, string>> {
  const base = { TAMS_DATA_DIR: dataDir };
  if (TEST_ENGINE === 'postgres') return { ...base, ...(await postgresModeEnv(dataDir)) };
  if (TEST_ENGINE === 'vast') return { ...base, ...(await vastModeEnv(dataDir)) };
  return base;
}

export interface ReleaseServer {
  url: string;
  process: ChildProcess;
  logs: Record<string, unknown>[];
  stderr: () => string;
}

function environment(env: Record<string, string>): Record<string, string> {
  const inherited = Object.entries(process.env).filter(
    (e): e is [string, string] => !e[0].startsWith('TAMS_') && e[1] !== undefined && e[0] !== 'NODE_OPTIONS',
  );
  return {
    ...Object.fromEntries(inherited),
    TAMS_HOST: '127.0.0.1',
    TAMS_PORT: '0',
    TAMS_AUTH: 'none',
    TAMS_LOG_LEVEL: 'info',
    ...env,
  };
}

function spawnIn(dir: string, env: Record<string, string>): ChildProcess {
  return spawnChild(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: dir,
    env: environment(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** The server of the tree in `dir`, once it listens. */
export async function startRelease(dir: string, env: Record<string, string>): Promise<ReleaseServer> {
  const child = spawnIn(dir, env);
  const { url, logs, stderr } = await awaitListening(child, START_DEADLINE_MS);
  return { url, process: child, logs, stderr };
}

/**
 * A start that must fail: its exit status and all it printed. A server that listens after all is
 * killed at once (its status is then null).
 */
export async function refusedStart(
  dir: string,
  env: Record<string, string>,
): Promise<{ code: number | null; output: string }> {
  const child = spawnIn(dir, env);
  child.stdout?.on('data', (chunk) => {
    if (String(chunk).includes('Server listening at')) child.kill('SIGKILL');
  });
  const { code, output } = await runToEnd(child, START_DEADLINE_MS);
  return { code, output };
}

/**
 * Every table of the store and its rows, in a stable order (JSON, BigInt as text): what a refused
 * start must leave as it found it. Read through the engine alone (creating and changing nothing).
 */
export async function dumpStore(env: Record<string, string>): Promise<Record<string, string[]>> {
  const engine = await openEngine(loadConfig({ ...env }));
  try {
    const dump: Record<string, string[]> = {};
    for (const name of (await engine.listTables()).sort()) {
      const info = await engine.describeTable(name);
      if (!info) continue;
      const db = await TableManager.open(engine, [{ name, columns: info.columns }]);
      const rows = await db.select(name);
      dump[name] = rows
        .map((row) => JSON.stringify(row, (_, v) => (typeof v === 'bigint' ? `${v}n` : v)))
        .sort();
    }
    return dump;
  } finally {
    await engine.close();
  }
}
