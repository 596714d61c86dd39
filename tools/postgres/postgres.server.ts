/**
 * A throwaway PostgreSQL for tests and benchmarks: `initdb` in a temporary directory, `postgres`
 * on a free loopback port with its socket in that directory, and `close()` stops it and removes
 * the directory. Nothing outside the directory is touched.
 *
 * The postmaster runs in the foreground as a child of this process (not through `pg_ctl`, which
 * daemonises it) under `setpriv --pdeathsig SIGKILL`, so the kernel kills it when the process
 * that started it dies however it dies; its backends see the postmaster gone and exit too.
 * PostgreSQL refuses to run as root: as root, `setpriv` also drops to `nobody`, and the directory
 * is given to that user (setpriv sets the death signal after changing the ids, which would
 * otherwise clear it).
 *
 * Debian's binaries are in /usr/lib/postgresql/<major>/bin; TAMS_TEST_POSTGRES_BIN names another
 * folder. Durability is off (fsync) unless asked for: the server is thrown away, and the tests
 * measure the engine; a benchmark asks for a user's durability (PostgresOptions.durable).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chown, mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { DIRECTORY_PREFIX, markOwner, sweepLeftovers } from './postgres.sweep.ts';

const SETPRIV = '/usr/bin/setpriv';
/** How long initdb and the start may take on a loaded 2-core machine (usually under 2 s). */
const START_DEADLINE_MS = 120_000;
/** The unprivileged user the server runs as when this process is root. */
const RUN_AS = { uid: 65534, gid: 65534 };

export const POSTGRES_BIN = process.env.TAMS_TEST_POSTGRES_BIN ?? '/usr/lib/postgresql/15/bin';

/**
 * Whether PostgreSQL's binaries are there. Without them a developer's run skips the PostgreSQL
 * suites with one line; under CI (`CI` set) it throws, as CI must install them.
 */
export function postgresAvailable(): boolean {
  if (existsSync(join(POSTGRES_BIN, 'postgres')) && existsSync(join(POSTGRES_BIN, 'initdb'))) return true;
  const message = `PostgreSQL binaries not found in ${POSTGRES_BIN} (apt-get install postgresql-15, or set TAMS_TEST_POSTGRES_BIN): PostgreSQL suites skipped`;
  if (process.env.CI) throw new Error(`${message}; CI must install them`);
  console.warn(message);
  return false;
}

export interface PostgresOptions {
  /**
   * fsync, full-page writes and synchronous commit on, as a user's server has them (every commit
   * waits for its WAL on disk): for benchmarks. Default off: tests measure the engine, not the disk.
   */
  durable?: boolean;
  /** More `-c name=value` settings, after the defaults (a later one wins). */
  settings?: Readonly<Record<string, string>>;
  /**
   * Receives all the server writes to its stderr, as it comes: for a test reading what the server
   * logs (auto_explain's plans of the statements it ran), beyond the last few kilobytes `log()` keeps.
   */
  onLog?: (text: string) => void;
}

export interface PostgresServer {
  /** `postgres://postgres@127.0.0.1:<port>/postgres` (trust authentication on loopback). */
  url: string;
  port: number;
  /** The server's process id, for tests that kill it to see the engine's answer. */
  pid: number;
  /** The temporary directory holding its data and socket, removed by close(). */
  directory: string;
  /** What the server logged lately (its stderr), for failure messages. */
  log(): string;
  /** Stops the server (fast shutdown, then SIGKILL if it lingers) and removes its directory. */
  close(): Promise<void>;
}

const asRoot = process.getuid?.() === 0;
const withSetpriv = process.platform === 'linux' && existsSync(SETPRIV);

/** Runs `bin` from POSTGRES_BIN as the unprivileged user when root, tied to this process's life. */
function spawnPostgres(bin: string, args: readonly string[]): ChildProcess {
  const command = join(POSTGRES_BIN, bin);
  const drop = asRoot ? ['--reuid', String(RUN_AS.uid), '--regid', String(RUN_AS.gid), '--clear-groups'] : [];
  const env = { PATH: process.env.PATH, LANG: 'C', LC_ALL: 'C' };
  const stdio: ['ignore', 'pipe', 'pipe'] = ['ignore', 'pipe', 'pipe'];
  if (withSetpriv)
    return spawn(SETPRIV, [...drop, '--pdeathsig', 'SIGKILL', '--', command, ...args], { env, stdio });
  if (asRoot) throw new Error('PostgreSQL refuses to run as root, and setpriv is missing to drop to nobody');
  return spawn(command, args, { env, stdio });
}

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

/** Collects the last few kilobytes of a child's output. */
function tail(child: ChildProcess): () => string {
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-8000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  return () => output;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return address.port;
}

async function initdb(data: string): Promise<void> {
  const child = spawnPostgres('initdb', [
    '-D',
    data,
    '-U',
    'postgres',
    '--auth=trust',
    '-E',
    'UTF8',
    '--locale=C',
    '--no-sync',
    '--no-instructions',
  ]);
  const log = tail(child);
  const code = await exited(child);
  if (code !== 0) throw new Error(`initdb failed (${code}):\n${log()}`);
}

/** Resolves when the server logs that it accepts connections; rejects if it exits first. */
function ready(child: ChildProcess, log: () => string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`PostgreSQL not ready after ${START_DEADLINE_MS / 1000} s:\n${log()}`)),
      START_DEADLINE_MS,
    );
    const done = (error?: Error) => {
      clearTimeout(timer);
      child.stderr?.off('data', watch);
      if (error) reject(error);
      else resolve();
    };
    const watch = () => {
      if (log().includes('database system is ready to accept connections')) done();
    };
    child.stderr?.on('data', watch);
    void exited(child).then((code) =>
      done(new Error(`PostgreSQL exited (${code}) before it was ready:\n${log()}`)),
    );
  });
}

async function startOnce(directory: string, options: PostgresOptions): Promise<PostgresServer> {
  const durability = options.durable
    ? ['fsync=on', 'full_page_writes=on', 'synchronous_commit=on']
    : ['fsync=off', 'full_page_writes=off'];
  const settings = [
    ...durability,
    'max_connections=200',
    'shared_buffers=32MB',
    ...Object.entries(options.settings ?? {}).map(([k, v]) => `${k}=${v}`),
  ];
  const data = join(directory, 'data');
  const port = await freePort();
  const child = spawnPostgres('postgres', [
    '-D',
    data,
    '-p',
    String(port),
    '-h',
    '127.0.0.1',
    '-k',
    directory,
    ...settings.flatMap((setting) => ['-c', setting]),
  ]);
  const log = tail(child);
  const { onLog } = options;
  if (onLog !== undefined) child.stderr?.on('data', (chunk: Buffer) => onLog(chunk.toString()));
  try {
    await ready(child, log);
  } catch (error) {
    child.kill('SIGKILL');
    await exited(child);
    throw error;
  }
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        // SIGINT is PostgreSQL's fast shutdown: sessions are ended, nothing waits for clients.
        const gone = exited(child);
        child.kill('SIGINT');
        const lingering = setTimeout(() => child.kill('SIGKILL'), 30_000);
        await gone;
        clearTimeout(lingering);
      }
    })();
    return closing;
  };
  if (child.pid === undefined) throw new Error('PostgreSQL has no pid');
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    pid: child.pid,
    directory,
    log,
    close,
  };
}

/**
 * A running PostgreSQL in a fresh temporary directory. A second try covers the port being taken
 * between choosing and binding it. Directories that servers of dead processes left behind are
 * swept first (postgres.sweep.ts).
 */
export async function startPostgres(options: PostgresOptions = {}): Promise<PostgresServer> {
  await sweepLeftovers();
  const directory = await mkdtemp(join(tmpdir(), DIRECTORY_PREFIX));
  const data = join(directory, 'data');
  try {
    await markOwner(directory);
    if (asRoot) await chown(directory, RUN_AS.uid, RUN_AS.gid);
    await initdb(data);
    let server: PostgresServer;
    try {
      server = await startOnce(directory, options);
    } catch (error) {
      if (!String(error).includes('Address already in use')) throw error;
      server = await startOnce(directory, options);
    }
    return {
      ...server,
      close: async () => {
        await server.close();
        await rm(directory, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(directory, { recursive: true, force: true });
    throw error;
  }
}

/**
 * A PostgreSQL whose data directory is kept: `directory/data`, made by initdb the first time and
 * started as it is afterwards (its socket in `directory`); close() stops the server and leaves the
 * directory. For a benchmark's data set built once and measured again by later runs; the sweep of
 * the temporary folder never sees it (it is not there, nor named as the throwaway servers are).
 */
export async function startKeptPostgres(
  directory: string,
  options: PostgresOptions = {},
): Promise<PostgresServer> {
  await mkdir(directory, { recursive: true });
  if (asRoot) {
    await reachableAsRunner(directory);
    await chown(directory, RUN_AS.uid, RUN_AS.gid);
  }
  const data = join(directory, 'data');
  if (!existsSync(join(data, 'PG_VERSION'))) {
    await rm(data, { recursive: true, force: true });
    await initdb(data);
  }
  try {
    return await startOnce(directory, options);
  } catch (error) {
    if (!String(error).includes('Address already in use')) throw error;
    return startOnce(directory, options);
  }
}

/**
 * Refuses a kept directory the server, run as nobody by root, could not reach (initdb's "Permission
 * denied" names the data directory, not the folder that shuts it out): every folder above it must
 * let others through, as `mktemp -d`'s does not.
 */
async function reachableAsRunner(directory: string): Promise<void> {
  for (let at = dirname(resolve(directory)); ; at = dirname(at)) {
    const { mode, uid } = await stat(at);
    if (uid !== RUN_AS.uid && (mode & 0o001) === 0) {
      throw new Error(
        `PostgreSQL runs as nobody (uid ${RUN_AS.uid}) when started by root and cannot reach ${directory}: ${at} does not let others through (chmod o+x ${at}, or keep the data set elsewhere)`,
      );
    }
    if (dirname(at) === at) return;
  }
}
