/**
 * A real tams-server for HTTP-level tests: the same buildApp and composition root production
 * uses, on a real DuckDB engine (in memory, or a file in a data directory), listening on a
 * loopback port and spoken to with fetch.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../../src/app.ts';
import type { AuthTesting } from '../../src/auth/auth.module.ts';
import type { Clock } from '../../src/common/clock.ts';
import type { IdGenerator } from '../../src/common/ids.ts';
import { loadConfig } from '../../src/config.ts';
import type { Engine } from '../../src/db/db.types.ts';
import { openEngine } from '../../src/db/engine.factory.ts';
import { type BuildOptions, buildRuntime, type Runtime } from '../../src/deps.ts';
import { loggerOptions } from '../../src/http/logging.ts';
import type { App } from '../../src/http/types.ts';
import { onSharedEngine } from './engine.mode.ts';
import { onPostgres, postgresModeEnv } from './postgres.mode.ts';
import { onVast, vastModeEnv } from './vast.mode.ts';

export interface TestResponse<T = unknown> {
  status: number;
  headers: Headers;
  /** Parsed JSON body; undefined when there is none. */
  body: T;
  text: string;
}

export interface RequestOptions {
  query?: Record<string, string | number | boolean>;
  headers?: Record<string, string>;
  /** Sent as JSON unless it is already a string. */
  body?: unknown;
  /** Ends the request (a deadline: AbortSignal.timeout). */
  signal?: AbortSignal;
}

export interface TestServer {
  readonly url: string;
  readonly app: App;
  readonly runtime: Runtime;
  readonly dataDir: string | undefined;
  request<T = unknown>(method: string, path: string, options?: RequestOptions): Promise<TestResponse<T>>;
  get<T = unknown>(path: string, options?: RequestOptions): Promise<TestResponse<T>>;
  head(path: string, options?: RequestOptions): Promise<TestResponse<undefined>>;
  put<T = unknown>(path: string, body: unknown, options?: RequestOptions): Promise<TestResponse<T>>;
  post<T = unknown>(path: string, body: unknown, options?: RequestOptions): Promise<TestResponse<T>>;
  delete<T = unknown>(path: string, options?: RequestOptions): Promise<TestResponse<T>>;
  close(): Promise<void>;
}

export interface TestServerOptions {
  /** Use a DuckDB file in this directory (kept on close) instead of an in-memory database. */
  dataDir?: string;
  /** Extra TAMS_* settings. */
  env?: Record<string, string>;
  clock?: Clock;
  ids?: IdGenerator;
  /** Start the background workers (default true). */
  workers?: boolean;
  /** An engine of the test's own instead of in-memory DuckDB (the memory engine: test/pushdown/). */
  engine?: Engine;
  /** Wraps the in-memory database engine (fault injection). */
  wrapEngine?: (engine: Engine) => Engine;
  /** Receives the server's log lines (JSON, every level); without it the server logs nothing. */
  logLines?: (line: string) => void;
  /** Authentication hooks (cheap scrypt, wrapped password checks). */
  authTesting?: AuthTesting;
  /** The segment index budget in bytes (tests of eviction: below the setting's 1 MiB minimum). */
  segmentIndexBytes?: number;
}

/** A fresh temporary directory, removed by the returned function. */
export function tempDir(prefix = 'tams-test-'): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

export async function startServer(options: TestServerOptions = {}): Promise<TestServer> {
  // Without a data directory the database is in memory and the media go to a temporary directory.
  const scratch = options.dataDir ? undefined : tempDir('tams-media-');
  // The 'vast' and 'postgres' test projects (vast.mode.ts, postgres.mode.ts): the file's shared
  // database and S3 media instead.
  const modeEnv = onVast
    ? await vastModeEnv(options.dataDir, options.env)
    : onPostgres
      ? await postgresModeEnv(options.dataDir, options.env)
      : {};
  const env = { ...modeEnv, ...options.env };
  const config = loadConfig({
    TAMS_PORT: '0',
    TAMS_HOST: '127.0.0.1',
    TAMS_LOG_LEVEL: 'silent',
    // Suites test the API, not authentication: open unless a test sets TAMS_AUTH (test/auth/).
    TAMS_AUTH: 'none',
    // Nor media search (test/search/ turns it on): its indexer would add its own work to the
    // database calls other suites count, and the embedding model its load to every server.
    TAMS_SEARCH: 'false',
    TAMS_SEARCH_EMBEDDINGS: 'none',
    // Nor EXR inspection (test/exr/ turns it on), for the same reason.
    TAMS_EXR: 'false',
    // Nor analytics and its object size follower (test/analytics/ turns them on).
    TAMS_ANALYTICS: 'false',
    // Nor the live recorder, whose worker looks for jobs (test/recorder/ turns it on).
    TAMS_RECORDER: 'false',
    // Nor replication, whose worker looks for jobs too (test/replication/ turns it on).
    TAMS_REPLICATION: 'false',
    // Code that would wait for its own transaction fails the test at once (off by default).
    TAMS_TRANSACTION_GUARD: 'true',
    ...(options.dataDir
      ? { TAMS_DATA_DIR: options.dataDir }
      : {
          TAMS_MEDIA_DIR: scratch?.path ?? '',
          ...(onSharedEngine ? { TAMS_DATA_DIR: scratch?.path ?? '' } : {}),
        }),
    ...env,
  });
  const build: BuildOptions = {
    clock: options.clock,
    ids: options.ids,
    // The 'core' test project runs the suites on the database-only path (see vitest.config.ts).
    accelerator: process.env.TAMS_TEST_ACCELERATOR === 'off' ? false : undefined,
    // `_env` credential references of TAMS_STORAGE_BACKENDS resolve in what loadConfig checked.
    env: { ...process.env, ...env },
    authTesting: options.authTesting,
    segmentIndexBytes: options.segmentIndexBytes,
  };
  if (options.engine) build.engine = options.engine;
  else if (onSharedEngine) build.engine = await openEngine(config);
  else if (!options.dataDir) build.engine = await openEngine(config, { memory: true });
  if (options.wrapEngine) {
    if (!build.engine) throw new Error('wrapEngine: in-memory (or shared-engine) servers only');
    build.engine = options.wrapEngine(build.engine);
  }
  const runtime = await buildRuntime(config, build);
  const logLines = options.logLines;
  const app = await buildApp({
    ...runtime,
    logger: logLines ? { ...loggerOptions('trace'), stream: { write: logLines } } : false,
  });
  if (options.workers !== false) runtime.start(app.log);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('server has no TCP address');
  const url = `http://127.0.0.1:${address.port}`;
  runtime.setListeningUrl(url);

  const client = httpClient(url);

  return {
    url,
    app,
    runtime,
    dataDir: options.dataDir,
    ...client,
    close: async () => {
      await app.close();
      await runtime.close();
      scratch?.remove();
    },
  };
}

/** The requests of a TestServer, against any server at `url` (e.g. one in a child process). */
export type HttpClient = Pick<TestServer, 'request' | 'get' | 'head' | 'put' | 'post' | 'delete'>;

export function httpClient(url: string): HttpClient {
  async function request<T>(
    method: string,
    path: string,
    opts: RequestOptions = {},
  ): Promise<TestResponse<T>> {
    const target = new URL(path, url);
    for (const [key, value] of Object.entries(opts.query ?? {})) target.searchParams.set(key, String(value));
    const headers: Record<string, string> = { ...opts.headers };
    let body: string | undefined;
    if (opts.body !== undefined) {
      body = typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
      headers['content-type'] ??= 'application/json';
    }
    const res = await fetch(target, { method, headers, body, signal: opts.signal });
    const text = await res.text();
    const type = res.headers.get('content-type');
    // The wire format rule of the house: JSON is `application/json` exactly, HEAD included.
    if (type?.startsWith('application/json') && type !== 'application/json') {
      throw new Error(`${method} ${path}: content-type ${type} is not exactly application/json`);
    }
    const parsed = text !== '' && type === 'application/json' ? JSON.parse(text) : undefined;
    return { status: res.status, headers: res.headers, body: parsed as T, text };
  }

  return {
    request,
    get: (path, opts) => request('GET', path, opts),
    head: (path, opts) => request('HEAD', path, opts),
    put: (path, body, opts) => request('PUT', path, { ...opts, body }),
    post: (path, body, opts) => request('POST', path, { ...opts, body }),
    delete: (path, opts) => request('DELETE', path, opts),
  };
}
