/**
 * Users and tokens through tams-mgmt (in-process, and the tams-admin bin, its other name, as a
 * child process): created, listed and revoked in the data directory, then used against a server
 * on it.
 */
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Run, runCli } from '../helpers/cli.ts';
import { SLOW_TEST_MS } from '../helpers/deadlines.ts';
import { onSharedEngine } from '../helpers/engine.mode.ts';
import { tempDir } from '../helpers/server.ts';
import { basic, bearer, startAuthServer } from './auth.fixture.ts';

const dir = tempDir('tams-admin-cli-');
afterAll(() => dir.remove());

const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

function admin(args: string, options: { stdin?: string; env?: Record<string, string> } = {}): Promise<Run> {
  return runCli(
    args.split(' ').filter((a) => a !== ''),
    { env: { TAMS_DATA_DIR: dir.path, ...options.env }, stdin: options.stdin },
  );
}

const BOOTSTRAP = {
  TAMS_BOOTSTRAP_ADMIN_TOKEN: 'bootstrap-secret-0123456789',
  TAMS_BOOTSTRAP_ADMIN_USER: 'ops',
  TAMS_BOOTSTRAP_ADMIN_PASSWORD: 'ops password 12',
};
const TOKEN = /^tams_[A-Za-z0-9_-]{43}\n$/;
let ciToken = '';
let keptToken = '';
let bobPassword = '';

describe('tams-mgmt user and token commands', () => {
  it('creates tokens, printing the token alone on stdout', async () => {
    const ci = await admin('token create ci --scopes read,write --expires-in 30d');
    expect(ci.code).toBe(EXIT.ok);
    expect(ci.out).toMatch(TOKEN);
    expect(ci.err).toContain('shown only now');
    ciToken = ci.out.trim();
    const kept = await admin('token create kept --scopes read --user alice');
    expect(kept.code).toBe(EXIT.ok);
    keptToken = kept.out.trim();
  });

  it('creates users, with a password from stdin or a generated one', async () => {
    const alice = await admin('user add alice --scopes read --password-stdin', {
      stdin: 'alice password 1\n',
    });
    expect(alice.code).toBe(EXIT.ok);
    expect(alice.out).toBe('');
    const bob = await admin('user add bob --scopes read,write');
    expect(bob.code).toBe(EXIT.ok);
    bobPassword = bob.out.trim();
    expect(bobPassword.length).toBeGreaterThanOrEqual(20);
  });

  it('lists users and tokens, never their secrets', async () => {
    const tokens = await admin('token list --json');
    expect(tokens.code).toBe(EXIT.ok);
    const list = JSON.parse(tokens.out) as Record<string, unknown>[];
    expect(list.map((t) => [t.name, t.principal, t.scopes])).toEqual([
      ['ci', 'ci', ['read', 'write']],
      ['kept', 'alice', ['read']],
    ]);
    expect(typeof list[0]?.expires).toBe('string');
    expect(tokens.out).not.toContain(ciToken);
    expect(list.every((t) => !('hash' in t) && String(t.hint).endsWith('…'))).toBe(true);
    const users = await admin('user list');
    expect(users.out).toMatch(/^NAME\s+SCOPES/);
    expect(users.out).toMatch(/alice\s+read\s/);
    expect(users.out).toMatch(/bob\s+read,write\s/);
    expect(users.out).not.toContain('scrypt');
  });

  it('revokes a token by name or id', async () => {
    const revoked = await admin('token revoke ci');
    expect(revoked.code).toBe(EXIT.ok);
    const list = JSON.parse((await admin('token list --json')).out) as Record<string, unknown>[];
    expect(list.find((t) => t.name === 'ci')?.revoked).toEqual(expect.any(String));
    expect(list.find((t) => t.name === 'kept')?.revoked).toBeUndefined();
    expect((await admin('token revoke ci')).code).toBe(EXIT.failed);
  });

  it('refuses bad input with a message and a distinct exit code', async () => {
    const scope = await admin('token create x --scopes read,fly');
    expect(scope.code).toBe(EXIT.failed);
    expect(scope.err).toContain('unknown scope "fly"');
    expect((await admin('token create --scopes read')).code).toBe(EXIT.usage);
    expect((await admin('token create y')).err).toContain('--scopes is required');
    expect((await admin('user add alice --scopes read')).err).toContain('exists already');
    expect(
      (await admin('user add carol --scopes read --password-stdin', { stdin: 'short\n' })).err,
    ).toContain('at least 12 characters');
    expect((await admin('frobnicate')).code).toBe(EXIT.usage);
    expect((await admin('token frobnicate')).err).toContain('unknown command "token frobnicate"');
    expect((await admin('token list extra')).code).toBe(EXIT.usage);
    expect((await admin('token create z --scopes read --expires-in 1y')).code).toBe(EXIT.usage);
    expect((await admin('--help')).out).toContain('token create <name> --scopes');
  });

  it('bootstraps the admin credentials from the environment, once', async () => {
    const env = BOOTSTRAP;
    expect((await admin('bootstrap', { env })).code).toBe(EXIT.ok);
    expect((await admin('bootstrap', { env })).code).toBe(EXIT.ok);
    const tokens = JSON.parse((await admin('token list --json')).out) as Record<string, unknown>[];
    expect(tokens.filter((t) => t.name === 'bootstrap-admin' && t.revoked === undefined)).toHaveLength(1);
    expect(tokens.find((t) => t.name === 'bootstrap-admin')?.scopes).toEqual([
      'read',
      'write',
      'delete',
      'admin',
    ]);
    expect((await admin('user list')).out).toMatch(/ops\s+read,write,delete,admin/);
    expect((await admin('bootstrap')).code).toBe(EXIT.usage);
  });
});

// Embedded engine only: tams-mgmt works on the data directory's DuckDB file, which a server on a
// shared engine (the `vast` and `postgres` projects) does not use.
describe.skipIf(onSharedEngine)('a server on the same data directory', () => {
  let server: Awaited<ReturnType<typeof startAuthServer>>;
  beforeAll(async () => {
    // The deployment's secrets, as the CLI bootstrapped them.
    server = await startAuthServer(BOOTSTRAP, { dataDir: dir.path });
  });
  afterAll(async () => {
    await server.close();
  });

  it('accepts what tams-mgmt created and refuses what it revoked', async () => {
    expect((await server.get('/flows', { headers: bearer(keptToken) })).status).toBe(200);
    expect((await server.get('/auth/whoami', { headers: bearer(keptToken) })).body).toEqual({
      name: 'alice',
      scopes: ['read'],
      scheme: 'token',
      scope_map: 'methods',
    });
    expect((await server.get('/flows', { headers: bearer(ciToken) })).status).toBe(401);
    expect((await server.get('/flows', { headers: basic('alice', 'alice password 1') })).status).toBe(200);
    expect((await server.get('/flows', { headers: basic('bob', bobPassword) })).status).toBe(200);
    expect((await server.get('/flows', { headers: bearer('bootstrap-secret-0123456789') })).status).toBe(200);
    expect((await server.get('/flows', { headers: basic('ops', 'ops password 12') })).status).toBe(200);
  });

  it('the tams-admin bin says in one line that the server holds the store, and how to go on', () => {
    const bin = new URL('../../bin/tams-admin.mjs', import.meta.url).pathname;
    const run = spawnSync(process.execPath, [bin, 'token', 'list'], {
      env: { ...process.env, TAMS_DATA_DIR: dir.path },
      encoding: 'utf8',
      timeout: SLOW_TEST_MS,
    });
    expect(run.status).toBe(EXIT.failed);
    expect(run.stderr).toMatch(
      /^tams-mgmt: the store \S+tams\.duckdb is open in another process \(PID \d+\)/,
    );
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(run.stderr).toContain('stop the server');
    expect(run.stderr).toContain('/auth/tokens');
  });
});
