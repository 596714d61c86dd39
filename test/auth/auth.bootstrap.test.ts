/**
 * The first credentials: generated at the first start of a server nobody can log in to (the
 * `npm start` path), or taken from TAMS_BOOTSTRAP_* (deployments), surviving restarts as they
 * should; and TAMS_AUTH=none.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startServer, tempDir } from '../helpers/server.ts';
import { basic, bearer } from './auth.fixture.ts';

const dirs: { remove(): void }[] = [];
function dataDir(): string {
  const dir = tempDir('tams-bootstrap-');
  dirs.push(dir);
  return dir.path;
}
afterEach(() => {
  for (const d of dirs.splice(0)) d.remove();
  vi.restoreAllMocks();
});

/** Everything the server writes to stderr while `fn` runs. */
async function stderrOf<T>(fn: () => Promise<T>): Promise<{ result: T; stderr: string }> {
  let stderr = '';
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  const result = await fn();
  vi.restoreAllMocks();
  return { result, stderr };
}

describe('first start with authentication required', () => {
  it('creates an admin token once, in data/admin-token (0600), and prints it once', async () => {
    const dir = dataDir();
    const env = { TAMS_AUTH: 'required' };
    const first = await stderrOf(() => startServer({ dataDir: dir, env }));
    const file = join(dir, 'admin-token');
    const token = readFileSync(file, 'utf8').trim();
    expect(token).toMatch(/^tams_[A-Za-z0-9_-]{43}$/);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(first.stderr.split(token)).toHaveLength(2);
    expect(first.stderr).toContain(`Authorization: Bearer $(cat ${file})`);

    const server = first.result;
    expect((await server.get('/flows')).status).toBe(401);
    const me = await server.get('/auth/whoami', { headers: bearer(token) });
    expect(me.body).toEqual({
      name: 'first-admin',
      scopes: ['read', 'write', 'delete', 'admin'],
      scheme: 'token',
      scope_map: 'methods',
    });
    await server.close();

    const second = await stderrOf(() => startServer({ dataDir: dir, env }));
    expect(second.stderr).not.toContain('tams_');
    expect(readFileSync(file, 'utf8').trim()).toBe(token);
    expect((await second.result.get('/flows', { headers: bearer(token) })).status).toBe(200);
    await second.result.close();
  });

  it('creates none when bootstrap credentials are configured, or with TAMS_AUTH=none', async () => {
    const envs: Record<string, string>[] = [
      { TAMS_AUTH: 'required', TAMS_BOOTSTRAP_ADMIN_TOKEN: 'configured-token-0123456789' },
      { TAMS_AUTH: 'none' },
    ];
    for (const env of envs) {
      const dir = dataDir();
      const { result, stderr } = await stderrOf(() => startServer({ dataDir: dir, env }));
      expect(() => statSync(join(dir, 'admin-token'))).toThrow();
      expect(stderr).not.toContain('tams_');
      await result.close();
    }
  });
});

describe('bootstrap variables across restarts', () => {
  const TOKEN = 'k8s-secret-token-0123456789abcdef';
  const USER = 'ops';

  it('a changed password or token replaces the old one; a revoked bootstrap token stays revoked', async () => {
    const dir = dataDir();
    const env = (password: string) => ({
      TAMS_AUTH: 'required',
      TAMS_BOOTSTRAP_ADMIN_TOKEN: TOKEN,
      TAMS_BOOTSTRAP_ADMIN_USER: USER,
      TAMS_BOOTSTRAP_ADMIN_PASSWORD: password,
    });
    let server = await startServer({ dataDir: dir, env: env('first password!') });
    expect((await server.get('/service', { headers: basic(USER, 'first password!') })).status).toBe(200);
    const tokens = await server.get<{ id: string; name: string }[]>('/auth/tokens', {
      headers: bearer(TOKEN),
    });
    const id = tokens.body.find((t) => t.name === 'bootstrap-admin')?.id;
    expect((await server.delete(`/auth/tokens/${id}`, { headers: bearer(TOKEN) })).status).toBe(204);
    expect((await server.get('/service', { headers: bearer(TOKEN) })).status).toBe(401);
    await server.close();

    server = await startServer({ dataDir: dir, env: env('second password') });
    expect((await server.get('/service', { headers: basic(USER, 'first password!') })).status).toBe(401);
    expect((await server.get('/service', { headers: basic(USER, 'second password') })).status).toBe(200);
    expect((await server.get('/service', { headers: bearer(TOKEN) })).status).toBe(401);
    await server.close();

    // A rotated secret: the new value works, the one it replaces no longer does.
    const rotated = 'k8s-secret-token-rotated-000000000';
    server = await startServer({
      dataDir: dir,
      env: { ...env('second password'), TAMS_BOOTSTRAP_ADMIN_TOKEN: rotated },
    });
    expect((await server.get('/service', { headers: bearer(rotated) })).status).toBe(200);
    await server.close();
    const again = 'k8s-secret-token-rotated-111111111';
    server = await startServer({
      dataDir: dir,
      env: { ...env('second password'), TAMS_BOOTSTRAP_ADMIN_TOKEN: again },
    });
    expect((await server.get('/service', { headers: bearer(again) })).status).toBe(200);
    expect((await server.get('/service', { headers: bearer(rotated) })).status).toBe(401);
    await server.close();
  });
});

describe('TAMS_AUTH=none', () => {
  it('keeps the API open and records no principal', async () => {
    const server = await startServer({ env: { TAMS_AUTH: 'none' } });
    expect((await server.get('/flows')).status).toBe(200);
    expect((await server.post('/service', { name: 'open' })).status).toBe(200);
    expect((await server.get('/auth/whoami')).body).toMatchObject({ name: null, scheme: 'none' });
    // A URL token is ignored, not a query error.
    expect((await server.get('/flows', { query: { access_token: 'anything' } })).status).toBe(200);
    await server.close();
  });
});
