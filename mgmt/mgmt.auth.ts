import { randomBytes } from 'node:crypto';
import { parseDuration } from '../src/auth/admin.duration.ts';
import type { TokenView, UserView } from '../src/auth/auth.admin.ts';
import { applyBootstrapEnv } from '../src/auth/auth.bootstrap.ts';
import type { StoreRuntime } from '../src/deps.store.ts';
import type { Command, Invocation } from './mgmt.command.ts';
import { columns, UsageError } from './mgmt.io.ts';

/** Who users and tokens made here are recorded as created by. */
const ACTOR = 'tams-mgmt';

/** Said when a running server holds the store: the same work goes through its routes meanwhile. */
const BUSY_HINT =
  '; while it runs, an admin credential manages users and tokens over HTTP (/auth/users, /auth/tokens; docs/authentication.md)';

async function password(call: Invocation): Promise<{ value: string; generated: boolean }> {
  if (!call.values['password-stdin'])
    return { value: randomBytes(18).toString('base64url'), generated: true };
  const line = (await call.stdin()).split(/\r?\n/)[0] ?? '';
  return { value: line, generated: false };
}

function scopes(call: Invocation): string[] {
  const given = call.values.scopes;
  if (given === undefined) throw new UsageError('--scopes is required (e.g. --scopes read,write)');
  return given.split(/[\s,]+/).filter((s) => s !== '');
}

function expiresIn(call: Invocation): number | undefined {
  const given = call.values['expires-in'];
  if (given === undefined) return undefined;
  try {
    return parseDuration(given);
  } catch (error) {
    throw new UsageError(`--expires-in: ${(error as Error).message}`);
  }
}

/** The name argument (user or token), required. */
function named(command: string, call: Invocation): string {
  const [name] = call.args;
  if (name === undefined) throw new UsageError(`${command} needs a name`);
  return name;
}

/** `--json`: the value as JSON; otherwise `text`. */
function print(call: Invocation, value: unknown, text: string): void {
  call.io.out(call.values.json ? `${JSON.stringify(value, null, 2)}\n` : text);
}

const userRows = (users: UserView[]) =>
  columns([
    ['NAME', 'SCOPES', 'CREATED', 'CREATED BY'],
    ...users.map((u) => [u.name, u.scopes.join(','), u.created, u.created_by ?? '']),
  ]);

const tokenRows = (tokens: TokenView[]) =>
  columns([
    ['ID', 'NAME', 'PRINCIPAL', 'SCOPES', 'HINT', 'CREATED', 'EXPIRES', 'REVOKED'],
    ...tokens.map((t) => [
      t.id,
      t.name,
      t.principal,
      t.scopes.join(','),
      t.hint,
      t.created,
      t.expires ?? '',
      t.revoked ?? '',
    ]),
  ]);

/** A command on users and tokens (AuthAdmin), on the store alone. */
function authCommand(
  name: string,
  options: Command['options'],
  run: (runtime: StoreRuntime, call: Invocation) => Promise<void>,
): Command {
  return {
    name,
    options,
    maxArgs: name === 'bootstrap' || name.endsWith(' list') ? 0 : 1,
    opens: 'store',
    busyHint: BUSY_HINT,
    run: async (runtime, call) => {
      await run(runtime, call);
      return 0;
    },
  };
}

/**
 * Users (HTTP Basic) and API tokens. New passwords and tokens are printed once on stdout, and
 * nothing else is; what happened goes to stderr.
 */
export const AUTH_COMMANDS: readonly Command[] = [
  authCommand('user add', ['scopes', 'password-stdin', 'json'], async ({ auth }, call) => {
    const pw = await password(call);
    const user = await auth.admin.addUser(named('user add', call), pw.value, scopes(call), ACTOR);
    call.io.err(`user "${user.name}" created with scopes ${user.scopes.join(', ')}\n`);
    if (pw.generated) {
      call.io.err('its generated password follows; it is shown only now:\n');
      print(call, { ...user, password: pw.value }, `${pw.value}\n`);
    } else if (call.values.json) print(call, user, '');
  }),
  authCommand('user passwd', ['password-stdin', 'json'], async ({ auth }, call) => {
    const name = named('user passwd', call);
    const pw = await password(call);
    await auth.admin.setPassword(name, pw.value);
    call.io.err(`password of "${name}" changed\n`);
    if (pw.generated) print(call, { name, password: pw.value }, `${pw.value}\n`);
  }),
  authCommand('user list', ['json'], async ({ auth }, call) => {
    const users = await auth.admin.listUsers();
    print(call, users, users.length ? userRows(users) : 'no users\n');
  }),
  authCommand('user remove', [], async ({ auth }, call) => {
    const name = named('user remove', call);
    const revoked = await auth.admin.removeUser(name);
    call.io.err(`user "${name}" removed; ${revoked} token(s) acting as it revoked\n`);
  }),
  authCommand('token create', ['scopes', 'user', 'expires-in', 'json'], async ({ auth }, call) => {
    const { token, info } = await auth.admin.createToken({
      name: named('token create', call),
      scopes: scopes(call),
      principal: call.values.user,
      expiresInSeconds: expiresIn(call),
      createdBy: ACTOR,
    });
    call.io.err(
      `token "${info.name}" (id ${info.id}) created for "${info.principal}" with scopes ${info.scopes.join(', ')}${info.expires ? `, expiring ${info.expires}` : ''}; it is shown only now:\n`,
    );
    print(call, { token, ...info }, `${token}\n`);
  }),
  authCommand('token list', ['json'], async ({ auth }, call) => {
    const tokens = await auth.admin.listTokens();
    print(call, tokens, tokens.length ? tokenRows(tokens) : 'no tokens\n');
  }),
  authCommand('token revoke', [], async ({ auth }, call) => {
    const token = await auth.admin.revokeToken(named('token revoke', call));
    call.io.err(`token "${token.name}" (id ${token.id}) revoked\n`);
  }),
  authCommand('bootstrap', [], async ({ auth, config }, call) => {
    const log = {
      info: (obj: object, msg: string) => call.io.err(`${msg} ${JSON.stringify(obj)}\n`),
      warn: (obj: object, msg: string) => call.io.err(`warning: ${msg} ${JSON.stringify(obj)}\n`),
    };
    if (!(await applyBootstrapEnv(auth.admin, config, log))) {
      throw new UsageError('set TAMS_BOOTSTRAP_ADMIN_TOKEN, or TAMS_BOOTSTRAP_ADMIN_USER and _PASSWORD');
    }
  }),
];
