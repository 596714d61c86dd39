/**
 * What the backup and restore refuse: the admin operation without the admin scope (403) or with a
 * name that is not one (400, TAMS error body); a restore into a directory that is not empty, and
 * of a backup with a flipped byte (nothing written); `verify <backup>` names the damaged file. And
 * with no server running, `tams-mgmt backup` opens the store itself.
 */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, startAuthServer } from '../auth/auth.fixture.ts';
import { runCli } from '../helpers/cli.ts';
import { type TestServer, tempDir } from '../helpers/server.ts';
import { expectError } from '../http/fixtures.ts';
import { newFlow } from '../segments/helpers.ts';
import { type Acked, ingest } from './backup.fixture.ts';

const data = tempDir('tams-backup-refusals-');
const elsewhere = tempDir('tams-backup-elsewhere-');
let server: TestServer;
const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });

beforeAll(async () => {
  server = await startAuthServer({}, { dataDir: data.path, workers: false });
  const flowId = await newFlow(withAdmin(server));
  const acked: Acked[] = [];
  await ingest(withAdmin(server), flowId, { batch: 5, slot: 0, stop: () => false, rounds: 2, acked });
});
afterAll(async () => {
  await server?.close();
  data.remove();
  elsewhere.remove();
});

/** The server's client with the admin token on every request. */
function withAdmin(s: TestServer): TestServer {
  const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };
  return {
    ...s,
    request: (method, path, options = {}) =>
      s.request(method, path, { ...options, headers: { ...auth, ...options.headers } }),
    get: (path, options = {}) => s.get(path, { ...options, headers: { ...auth, ...options.headers } }),
    head: (path, options = {}) => s.head(path, { ...options, headers: { ...auth, ...options.headers } }),
    put: (path, body, options = {}) =>
      s.put(path, body, { ...options, headers: { ...auth, ...options.headers } }),
    post: (path, body, options = {}) =>
      s.post(path, body, { ...options, headers: { ...auth, ...options.headers } }),
    delete: (path, options = {}) => s.delete(path, { ...options, headers: { ...auth, ...options.headers } }),
  } as TestServer;
}

describe('POST /backups', () => {
  it('refuses tokens without the admin scope (403) and names that are not a backup name (400)', async () => {
    for (const scopes of [['read'], ['read', 'write'], ['read', 'write', 'delete']] as const) {
      const { token } = await server.runtime.auth.admin.createToken({
        name: `t-${scopes.join('-')}`,
        scopes: [...scopes],
      });
      expectError(await server.post('/backups', { name: 'nope' }, bearer(token)), 403);
    }
    expectError(await server.post('/backups', { name: 'nope' }), 401);
    for (const name of ['../escape', '.hidden', 'a/b', '/etc', 'x'.repeat(101), '']) {
      expectError(await server.post('/backups', { name }, bearer(ADMIN_TOKEN)), 400);
    }
    const bad = await server.post('/backups', { name: 'ok', incremental_from: '..' }, bearer(ADMIN_TOKEN));
    expectError(bad, 400);
    expect((bad.body as { summary: string }).summary).toContain('incremental_from');
    const none = await server.post(
      '/backups',
      { name: 'ok', incremental_from: 'never-taken' },
      bearer(ADMIN_TOKEN),
    );
    expectError(none, 400);
    expect((none.body as { summary: string }).summary).toContain('no backup named never-taken');
    expect(existsSync(join(data.path, 'backups', 'ok'))).toBe(false);
    expect(existsSync(join(data.path, 'escape'))).toBe(false);

    const taken = await server.post<{ name: string; tables: Record<string, number> }>(
      '/backups',
      { name: 'kept' },
      bearer(ADMIN_TOKEN),
    );
    expect(taken.status, taken.text).toBe(201);
    expect(taken.body.tables.segments).toBe(10);
    const again = await server.post('/backups', { name: 'kept' }, bearer(ADMIN_TOKEN));
    expectError(again, 400);
    expect((again.body as { summary: string }).summary).toContain('exists already');
  });

  it('tams-mgmt backup --server says why a token is refused', async () => {
    const { token } = await server.runtime.auth.admin.createToken({
      name: 'writer',
      scopes: ['read', 'write'],
    });
    const run = await runCli(['backup', 'by-writer', '--server', server.url], {
      env: { TAMS_DATA_DIR: data.path, TAMS_TOKEN: token },
    });
    expect(run.code).toBe(1);
    expect(run.err).toMatch(/the server refused the backup: 403 .*an admin token is needed/);
  });
});

describe('tams-mgmt restore and verify of a backup', () => {
  const backup = () => join(data.path, 'backups', 'kept');

  it('refuses a data directory that is not empty', async () => {
    const target = join(elsewhere.path, 'busy');
    mkdirSync(target);
    writeFileSync(join(target, 'something'), 'here');
    const run = await runCli(['restore', backup(), '--data-dir', target], { env: {} });
    expect(run.code).toBe(1);
    expect(run.err).toContain(`restore refused: ${target} is not empty`);
    expect(readdirSync(target)).toEqual(['something']);
  });

  it('refuses a backup with a flipped byte and writes nothing; verify names the file', async () => {
    // A copy of the backup (its media files are hard links to the store's: flip a copy's byte only).
    const copy = join(elsewhere.path, 'damaged');
    cpSync(backup(), copy, { recursive: true, dereference: true });
    const database = join(copy, 'tams.duckdb');
    const bytes = readFileSync(database);
    const at = Math.floor(bytes.length / 2);
    bytes[at] = (bytes[at] as number) ^ 0x01;
    writeFileSync(database, bytes);

    const verify = await runCli(['verify', copy], { env: {} });
    expect(verify.code).toBe(1);
    expect(verify.out).toMatch(/FAIL {2}tams\.duckdb: SHA-256 [0-9a-f]{64}, the manifest says [0-9a-f]{64}/);

    const target = join(elsewhere.path, 'from-damaged');
    const run = await runCli(['restore', copy, '--data-dir', target], { env: {} });
    expect(run.code).toBe(1);
    expect(run.err).toMatch(
      /restore refused: the backup .* is damaged, nothing restored: 1 files do not match its manifest: tams\.duckdb/,
    );
    expect(existsSync(target)).toBe(false);

    // The original is whole.
    expect((await runCli(['verify', backup()], { env: {} })).code).toBe(0);
  });

  it('with no server running, tams-mgmt backup opens the store itself', async () => {
    await server.close();
    const env = { TAMS_DATA_DIR: data.path, TAMS_LOG_LEVEL: 'silent' };
    const run = await runCli(['backup', 'offline'], { env });
    expect(run.code, run.err).toBe(0);
    expect(run.out).toMatch(/^Backup offline /);
    expect(run.out).toContain('segments: 10');
    const target = join(elsewhere.path, 'offline');
    const restore = await runCli(['restore', join(data.path, 'backups', 'offline'), '--data-dir', target], {
      env: {},
    });
    expect(restore.code, restore.err).toBe(0);
    const check = await runCli(['verify', '--data-dir', target], { env: { TAMS_LOG_LEVEL: 'silent' } });
    expect(check.code, check.out).toBe(0);
  });

  it('--metadata-only exports every Flow in the export format and the webhooks, which import elsewhere', async () => {
    const env = { TAMS_DATA_DIR: data.path, TAMS_LOG_LEVEL: 'silent' };
    const run = await runCli(['backup', 'meta', '--metadata-only'], { env });
    expect(run.code, run.err).toBe(0);
    expect(run.out).toMatch(
      /^Metadata backup meta .*: 1 Flows \(10 segments, 10 objects\) in the export format, 0 webhooks/,
    );
    const dir = join(data.path, 'backups', 'meta');
    expect((await runCli(['verify', dir], { env: {} })).code).toBe(0);
    const refused = await runCli(['restore', dir, '--data-dir', join(elsewhere.path, 'meta')], { env: {} });
    expect(refused.code).toBe(1);
    expect(refused.err).toContain("holds the store's metadata only");
    const [flowFile] = readdirSync(join(dir, 'flows'));
    // Into a new store on the same media (the object store keeps the bytes): same backend id and directory.
    const exported = readFileSync(join(dir, 'flows', flowFile as string), 'utf8').split('\n');
    const storageId = exported
      .filter((l) => l.includes('"type":"object"'))
      .map((l) => (JSON.parse(l) as { storage_id: string }).storage_id)[0];
    const fresh = join(elsewhere.path, 'imported');
    const freshEnv = {
      TAMS_DATA_DIR: fresh,
      TAMS_LOG_LEVEL: 'silent',
      TAMS_FS_STORAGE_ID: storageId as string,
      TAMS_MEDIA_DIR: join(data.path, 'media'),
    };
    const imported = await runCli(['import', join(dir, 'flows', flowFile as string)], { env: freshEnv });
    expect(imported.code, imported.err).toBe(0);
    const tables = await runCli(['tables', '--json'], { env: freshEnv });
    const segments = (JSON.parse(tables.out) as { table: string; rows: number }[]).find(
      (t) => t.table === 'segments',
    );
    expect(segments?.rows).toBe(10);
  });
});
