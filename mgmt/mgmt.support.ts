import { createReadStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { Config } from '../src/config.ts';
import { checkDatabase, databaseReport } from '../src/deps.check.ts';
import type { Runtime } from '../src/deps.ts';
import { type BundleSources, makeBundle } from '../src/support/support.bundle.ts';
import { LogRing } from '../src/support/support.logring.ts';
import type { Invocation } from './mgmt.command.ts';
import { MgmtError, type MgmtIo, UsageError } from './mgmt.io.ts';
import { openRuntime } from './mgmt.open.ts';

/** Log lines taken from --log FILE by default. */
export const DEFAULT_LINES = 2000;

/** The last `n` lines of a log file, read through once with a ring of `n` (any size of file). */
async function tail(file: string, n: number): Promise<string[]> {
  const ring = new LogRing(n);
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Number.POSITIVE_INFINITY });
  for await (const line of lines) ring.push(`${line}\n`);
  return ring.recent();
}

/** Writes the archive without replacing a file already there. */
async function save(path: string, bytes: Uint8Array, io: MgmtIo): Promise<void> {
  try {
    await writeFile(path, bytes, { flag: 'wx' });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST')
      throw new MgmtError(`support-bundle: ${path} exists: name another file with --out`);
    throw new MgmtError(`support-bundle: cannot write ${path}: ${(error as Error).message}`);
  }
  io.out(`${path}\n`);
}

function lineCount(value: string | undefined): number {
  if (value === undefined) return DEFAULT_LINES;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 100_000)
    throw new UsageError(
      `support-bundle: --lines must be an integer from 0 to 100000 (got ${JSON.stringify(value)})`,
    );
  return n;
}

/**
 * `support-bundle`: one .tar.gz of what a support engineer needs (src/support/). Against the
 * stopped store the settings name (opened as the other commands open it), or, with --server,
 * fetched from the running server (GET /support/bundle, admin scope). A part that cannot be
 * collected is an error note in the bundle; the bundle is written anyway (exit status 0), the
 * parts that failed named on stderr.
 */
export async function supportBundleCommand(config: Config, call: Invocation): Promise<number> {
  const { values, io } = call;
  if (values.server !== undefined) {
    if (values.log !== undefined || values.lines !== undefined)
      throw new UsageError(
        'support-bundle: --log and --lines are for a stopped store; the server sends the lines it kept',
      );
    return fromServer(values.server, call);
  }
  if (values['token-stdin']) throw new UsageError('support-bundle: --token-stdin goes with --server');
  const lines = lineCount(values.lines);
  const now = new Date();
  // First the database as `db check` finds it: opening the store could migrate it.
  const database = await databaseReport(config, () => checkDatabase(config));
  let runtime: Runtime | undefined;
  let runtimeMissing: string | undefined;
  if (database.reachable !== true)
    runtimeMissing = `the database could not be checked: ${String(database.reason)}`;
  else if (
    Number(database.migrations_pending) > 0 ||
    Number(database.schema_version) > Number(database.schema_latest)
  )
    runtimeMissing = `not opened: the store's schema is version ${String(database.schema_version)} and this tams-mgmt's ${String(database.schema_latest)}: opening it would change it (migrate) or be refused; take the bundle with the tams-mgmt of the store's version`;
  else {
    try {
      runtime = await openRuntime(config, call.env, io, ': take the bundle through it (--server <url>)');
    } catch (error) {
      runtimeMissing = error instanceof Error ? error.message : String(error);
    }
  }
  const logFile = values.log;
  const logs: BundleSources['logs'] =
    logFile === undefined
      ? { missing: "a stopped store keeps no log lines: name the server's log file with --log FILE" }
      : { source: `the file ${logFile} (its last ${lines} lines)`, lines: () => tail(logFile, lines) };
  try {
    const bundle = await makeBundle({
      mode: 'stopped',
      config,
      env: call.env,
      runtime,
      runtimeMissing,
      database: async () => database,
      logs,
      now,
    });
    await save(values.out ?? `${bundle.folder}.tar.gz`, bundle.archive, io);
    const failed = bundle.parts.filter((p) => p.error !== undefined);
    for (const p of failed) io.err(`support-bundle: ${p.file}: ${p.error}\n`);
    return 0;
  } finally {
    await runtime?.close();
  }
}

/** GET /support/bundle of the server at `server`, saved as --out (or the name it gives). */
async function fromServer(server: string, call: Invocation): Promise<number> {
  let base: URL;
  try {
    base = new URL(server);
  } catch {
    throw new UsageError(
      `support-bundle: --server must be the server's http(s) URL (got ${JSON.stringify(server)})`,
    );
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:')
    throw new UsageError(
      `support-bundle: --server must be the server's http(s) URL (got ${JSON.stringify(server)})`,
    );
  const token = call.values['token-stdin'] ? (await call.stdin()).trim() : call.env.TAMS_TOKEN;
  const url = new URL('support/bundle', base.href.endsWith('/') ? base : `${base.href}/`);
  let response: Response;
  try {
    response = await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    throw new MgmtError(
      `support-bundle: cannot reach the server at ${base.origin}: ${cause?.code ?? cause?.message ?? (error as Error).message}`,
    );
  }
  if (response.status !== 200) {
    const text = await response.text();
    let summary = '';
    try {
      summary = String((JSON.parse(text) as { summary?: unknown }).summary ?? '');
    } catch {
      summary = '';
    }
    const why =
      response.status === 401 || response.status === 403
        ? ': an admin token is needed (in TAMS_TOKEN, or on standard input with --token-stdin)'
        : response.status === 404
          ? `: no support bundle there: is ${base.origin} a tams-server of version 1.1 or later?`
          : '';
    throw new MgmtError(
      `support-bundle: ${url.href} answered ${response.status}${summary ? ` (${summary})` : ''}${why}`,
    );
  }
  const type = response.headers.get('content-type');
  if (type !== 'application/gzip')
    throw new MgmtError(
      `support-bundle: ${url.href} answered ${type ?? 'no content type'}, not a bundle: is it a tams-server?`,
    );
  const named = /filename="([A-Za-z0-9._-]+)"/.exec(response.headers.get('content-disposition') ?? '')?.[1];
  const bytes = new Uint8Array(await response.arrayBuffer());
  await save(call.values.out ?? named ?? 'tams-support.tar.gz', bytes, call.io);
  return 0;
}
