import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { systemClock } from '../common/clock.ts';
import { TamsError } from '../common/errors.ts';
import { ConfigError, loadConfig } from '../config.ts';
import { createDuckDbEngine } from '../db/engines/duckdb/duckdb.engine.ts';
import { AuthRepo } from '../store/auth.repo.ts';
import { openStoreDb } from '../store/store.open.ts';
import { parseDuration } from './admin.duration.ts';
import { formatTable } from './admin.table.ts';
import { AuthAdmin, type TokenView, type UserView } from './auth.admin.ts';
import { applyBootstrapEnv } from './auth.bootstrap.ts';

/** Where the CLI reads and writes: injected so tests run it in-process. */
export interface AdminIo {
  env: Record<string, string | undefined>;
  out(text: string): void;
  err(text: string): void;
  /** All of standard input (for --password-stdin). */
  stdin(): Promise<string>;
}

export const USAGE = `tams-admin: users (HTTP Basic) and API tokens of a tams-server.

  tams-admin user add <name> --scopes read,write [--password-stdin]
  tams-admin user passwd <name> [--password-stdin]
  tams-admin user list
  tams-admin user remove <name>          (also revokes the tokens acting as <name>)
  tams-admin token create <name> --scopes read,write [--user <principal>] [--expires-in 90d]
  tams-admin token list
  tams-admin token revoke <id|name>
  tams-admin bootstrap                   (applies TAMS_BOOTSTRAP_ADMIN_TOKEN / _USER / _PASSWORD)

Scopes: read (GET/HEAD), write (PUT/POST), delete (DELETE), admin (service settings, others'
webhooks, users and tokens). New passwords and tokens are printed once on stdout; nothing else is.
Options: --json (machine-readable output), --data-dir <dir> (default TAMS_DATA_DIR or ./data).

The database is the server's embedded DuckDB file, which one process opens at a time: run this
with the server stopped, or manage users and tokens through the running server's /auth/* routes
with an admin token.`;

export const EXIT = { ok: 0, failed: 1, usage: 2, busy: 3 } as const;

class UsageError extends Error {}

const COMMANDS = new Set([
  'user add',
  'user passwd',
  'user list',
  'user remove',
  'token create',
  'token list',
  'token revoke',
  'bootstrap',
]);

function options(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      scopes: { type: 'string' },
      user: { type: 'string' },
      'expires-in': { type: 'string' },
      'password-stdin': { type: 'boolean' },
      json: { type: 'boolean' },
      'data-dir': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}
type Parsed = ReturnType<typeof options>;

async function openAdmin(dataDir: string, io: AdminIo) {
  const config = loadConfig({ ...io.env, TAMS_DATA_DIR: dataDir });
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, 'tams.duckdb');
  const engine = await createDuckDbEngine({
    path,
    config: { memory_limit: config.TAMS_DUCKDB_MEMORY_LIMIT, threads: String(config.TAMS_DUCKDB_THREADS) },
    checkpointBytes: config.TAMS_DUCKDB_CHECKPOINT_MB * 2 ** 20,
  });
  // Opened as the server opens it: a store newer than this code is refused, an older one migrated.
  const { db } = await openStoreDb(engine, { owner: `tams-admin:${process.pid}` });
  return { config, db, admin: new AuthAdmin({ repo: new AuthRepo(db), clock: systemClock }) };
}

async function password(parsed: Parsed, io: AdminIo): Promise<{ value: string; generated: boolean }> {
  if (!parsed.values['password-stdin'])
    return { value: randomBytes(18).toString('base64url'), generated: true };
  const line = (await io.stdin()).split(/\r?\n/)[0] ?? '';
  return { value: line, generated: false };
}

function scopesOption(parsed: Parsed): string[] {
  const scopes = parsed.values.scopes;
  if (scopes === undefined) throw new UsageError('--scopes is required (e.g. --scopes read,write)');
  return scopes.split(/[\s,]+/).filter((s) => s !== '');
}

const userRows = (users: UserView[]) =>
  formatTable(
    ['NAME', 'SCOPES', 'CREATED', 'CREATED BY'],
    users.map((u) => [u.name, u.scopes.join(','), u.created, u.created_by ?? '']),
  );

const tokenRows = (tokens: TokenView[]) =>
  formatTable(
    ['ID', 'NAME', 'PRINCIPAL', 'SCOPES', 'HINT', 'CREATED', 'EXPIRES', 'REVOKED'],
    tokens.map((t) => [
      t.id,
      t.name,
      t.principal,
      t.scopes.join(','),
      t.hint,
      t.created,
      t.expires ?? '',
      t.revoked ?? '',
    ]),
  );

async function run(
  command: string,
  parsed: Parsed,
  admin: AuthAdmin,
  io: AdminIo,
  config: ReturnType<typeof loadConfig>,
) {
  const [, , name] = parsed.positionals;
  const json = parsed.values.json === true;
  const needName = () => {
    if (name === undefined) throw new UsageError(`${command} needs a name`);
    return name;
  };
  const print = (value: unknown, text: string) => io.out(json ? `${JSON.stringify(value, null, 2)}\n` : text);
  switch (command) {
    case 'user add': {
      const pw = await password(parsed, io);
      const user = await admin.addUser(needName(), pw.value, scopesOption(parsed), 'tams-admin');
      io.err(`user "${user.name}" created with scopes ${user.scopes.join(', ')}\n`);
      if (pw.generated) {
        io.err('its generated password follows; it is shown only now:\n');
        print({ ...user, password: pw.value }, `${pw.value}\n`);
      } else if (json) print(user, '');
      return;
    }
    case 'user passwd': {
      const pw = await password(parsed, io);
      await admin.setPassword(needName(), pw.value);
      io.err(`password of "${name}" changed\n`);
      if (pw.generated) print({ name, password: pw.value }, `${pw.value}\n`);
      return;
    }
    case 'user list': {
      const users = await admin.listUsers();
      return print(users, users.length ? userRows(users) : 'no users\n');
    }
    case 'user remove': {
      const revoked = await admin.removeUser(needName());
      io.err(`user "${name}" removed; ${revoked} token(s) acting as it revoked\n`);
      return;
    }
    case 'token create': {
      const expires = parsed.values['expires-in'];
      const { token, info } = await admin.createToken({
        name: needName(),
        scopes: scopesOption(parsed),
        principal: parsed.values.user,
        expiresInSeconds: expires === undefined ? undefined : parseDuration(expires),
        createdBy: 'tams-admin',
      });
      io.err(
        `token "${info.name}" (id ${info.id}) created for "${info.principal}" with scopes ${info.scopes.join(', ')}${info.expires ? `, expiring ${info.expires}` : ''}; it is shown only now:\n`,
      );
      return print({ token, ...info }, `${token}\n`);
    }
    case 'token list': {
      const tokens = await admin.listTokens();
      return print(tokens, tokens.length ? tokenRows(tokens) : 'no tokens\n');
    }
    case 'token revoke': {
      const token = await admin.revokeToken(needName());
      io.err(`token "${token.name}" (id ${token.id}) revoked\n`);
      return;
    }
    case 'bootstrap': {
      const log = {
        info: (obj: object, msg: string) => io.err(`${msg} ${JSON.stringify(obj)}\n`),
        warn: (obj: object, msg: string) => io.err(`warning: ${msg} ${JSON.stringify(obj)}\n`),
      };
      if (!(await applyBootstrapEnv(admin, config, log))) {
        throw new UsageError('set TAMS_BOOTSTRAP_ADMIN_TOKEN, or TAMS_BOOTSTRAP_ADMIN_USER and _PASSWORD');
      }
      return;
    }
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

/** Runs one tams-admin command; returns the process exit code. */
export async function runAdmin(argv: string[], io: AdminIo): Promise<number> {
  let parsed: Parsed;
  try {
    parsed = options(argv);
  } catch (error) {
    io.err(`tams-admin: ${(error as Error).message}\n\n${USAGE}\n`);
    return EXIT.usage;
  }
  const [group, verb] = parsed.positionals;
  if (parsed.values.help || group === undefined || group === 'help') {
    io.out(`${USAGE}\n`);
    return parsed.values.help || group === 'help' ? EXIT.ok : EXIT.usage;
  }
  const command = group === 'bootstrap' ? group : `${group} ${verb ?? ''}`.trim();
  if (!COMMANDS.has(command)) {
    io.err(`tams-admin: unknown command "${command}"\n\n${USAGE}\n`);
    return EXIT.usage;
  }
  const dataDir = parsed.values['data-dir'] ?? io.env.TAMS_DATA_DIR ?? './data';
  let opened: Awaited<ReturnType<typeof openAdmin>> | undefined;
  try {
    opened = await openAdmin(dataDir, io);
    await run(command, parsed, opened.admin, io, opened.config);
    return EXIT.ok;
  } catch (error) {
    return explain(error, dataDir, io);
  } finally {
    await opened?.db.close();
  }
}

function explain(error: unknown, dataDir: string, io: AdminIo): number {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof UsageError) {
    io.err(`tams-admin: ${message}\n\n${USAGE}\n`);
    return EXIT.usage;
  }
  if (/Could not set lock on file|Conflicting lock/i.test(message)) {
    const holder = /PID (\d+)/.exec(message)?.[1];
    io.err(
      `tams-admin: the database ${join(dataDir, 'tams.duckdb')} is in use by another process${holder ? ` (PID ${holder})` : ''}, most likely a running tams-server.\n` +
        'An embedded DuckDB file can be opened by one process at a time: stop the server and run this again,\n' +
        'or use the running server: curl -H "Authorization: Bearer <admin token>" http://<server>/auth/tokens (see README, "Authentication").\n',
    );
    return EXIT.busy;
  }
  if (error instanceof TamsError || error instanceof ConfigError) {
    io.err(`tams-admin: ${message}\n`);
    return EXIT.failed;
  }
  io.err(`tams-admin: failed: ${message}\n`);
  return EXIT.failed;
}
