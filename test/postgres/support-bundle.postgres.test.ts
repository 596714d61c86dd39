/**
 * The support bundle of a server on PostgreSQL (tools/postgres/), whose URL carries a password:
 * through the running server and from the stopped store, the engine's release and the `pg`
 * library named, the row counts PostgreSQL holds, no password or token anywhere in the archive;
 * and with the database down, a bundle all the same, each part that needed it an error note.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type PostgresServer,
  postgresAvailable,
  startPostgres,
} from '../../tools/postgres/postgres.server.ts';
import { runCli } from '../helpers/cli.ts';
import { closedPort } from '../helpers/ports.ts';
import { tempDir } from '../helpers/server.ts';
import { authed, extract, leaks } from '../helpers/support-bundle.ts';
import { createFlow, videoFlow } from '../http/fixtures.ts';
import { type ChildServer, spawnServer } from '../ops/child.ts';
import { addSegments, allocate, contiguous, upload } from '../segments/helpers.ts';
import { rowsIn } from './pg.probe.ts';

/** Trust authentication takes any password: one the bundle must never show. */
const PASSWORD = `pg-bundle-${Math.random().toString(36).slice(2)}-secret`;
const TOKEN = `admin-token-${Math.random().toString(36).slice(2)}-bundle`;
const SCHEMA = 'bundled';

describe.skipIf(!postgresAvailable())('the support bundle on PostgreSQL', () => {
  const dir = tempDir('tams-support-pg-');
  let pg: PostgresServer;
  let server: ChildServer;
  let env: Record<string, string>;

  beforeAll(async () => {
    pg = await startPostgres();
    env = {
      TAMS_DB: 'postgres',
      TAMS_POSTGRES_URL: pg.url.replace('postgres@', `postgres:${PASSWORD}@`),
      TAMS_POSTGRES_SCHEMA: SCHEMA,
      TAMS_DATA_DIR: dir.path,
      TAMS_AUTH: 'required',
      TAMS_BOOTSTRAP_ADMIN_TOKEN: TOKEN,
      TAMS_SEARCH: 'false',
      TAMS_EXR: 'false',
    };
    server = await spawnServer(env);
    const admin = authed(server.url, TOKEN);
    const flow = videoFlow();
    await createFlow(admin, flow);
    const objects = await allocate(admin, flow.id as string, { limit: 2 });
    for (const o of objects) await upload(o);
    await addSegments(admin, flow.id as string, contiguous(objects.map((o) => o.object_id)));
    await admin.get('/flows', { query: { access_token: TOKEN } });
  });

  afterAll(async () => {
    if (server && server.process.exitCode === null) {
      server.process.kill('SIGTERM');
      await server.exited;
    }
    await pg?.close();
    dir.remove();
  });

  const pgVersion = () =>
    (JSON.parse(readFileSync('node_modules/pg/package.json', 'utf8')) as { version: string }).version;

  it('is made by the running server, naming PostgreSQL, without its password', async () => {
    const out = join(dir.path, 'running.tar.gz');
    const run = await runCli(['support-bundle', '--server', server.url, '--token-stdin', '--out', out], {
      env: {},
      stdin: TOKEN,
    });
    expect(run.code, run.err).toBe(0);
    const files = extract(out, tempDir('tams-support-pg-x-').path);
    expect(leaks(out, files, { PASSWORD, TOKEN })).toEqual([]);
    expect(files.get('README.txt')).toContain('Every part was collected.');
    const versions = JSON.parse(files.get('versions.json') ?? '');
    expect(versions.engine).toMatchObject({
      name: 'postgres',
      release: expect.stringMatching(/^PostgreSQL 1\d/),
    });
    expect(versions.libraries.pg).toBe(pgVersion());
    const database = JSON.parse(files.get('database.json') ?? '');
    expect(database).toMatchObject({
      reachable: true,
      schema: SCHEMA,
      url: expect.stringContaining('postgres:***@'),
    });
    const tables = JSON.parse(files.get('tables.json') ?? '') as { table: string; rows: number }[];
    expect(Object.fromEntries(tables.map((t) => [t.table, t.rows]))).toMatchObject({ flows: 1, segments: 2 });
    expect(files.get('logs.txt')).toContain('access_token=[REDACTED]');
  });

  it('is made from the stopped store with the rows PostgreSQL holds, and without the database', async () => {
    server.process.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    const out = join(dir.path, 'stopped.tar.gz');
    const run = await runCli(['support-bundle', '--out', out], { env });
    expect(run.code, run.err).toBe(0);
    const files = extract(out, tempDir('tams-support-pg-y-').path);
    expect(leaks(out, files, { PASSWORD, TOKEN })).toEqual([]);
    const held = await rowsIn(pg.url, SCHEMA);
    const database = JSON.parse(files.get('database.json') ?? '') as {
      tables: { table: string; rows: number }[];
    };
    expect(Object.fromEntries(database.tables.map((t) => [t.table, t.rows]))).toEqual(held);
    expect(held).toMatchObject({ flows: 1, segments: 2, objects: 2 });
    expect(JSON.parse(files.get('verify.json') ?? '')).toMatchObject({
      segments: 2,
      problems: 0,
      complete: true,
    });

    // The database down: the bundle is made, each part that needed it says why not.
    const port = await closedPort();
    const downOut = join(dir.path, 'down.tar.gz');
    const down = await runCli(['support-bundle', '--out', downOut], {
      env: { ...env, TAMS_POSTGRES_URL: `postgres://tams:${PASSWORD}@127.0.0.1:${port}/tams` },
    });
    expect(down.code, down.err).toBe(0);
    expect(down.err).toContain('support-bundle: tables.json: the database could not be checked');
    const downFiles = extract(downOut, tempDir('tams-support-pg-z-').path);
    expect(leaks(downOut, downFiles, { PASSWORD, TOKEN })).toEqual([]);
    expect(JSON.parse(downFiles.get('database.json') ?? '')).toMatchObject({
      reachable: false,
      host: '127.0.0.1',
      reason: expect.any(String),
    });
    expect(JSON.parse(downFiles.get('tables.json') ?? '')).toMatchObject({ error: expect.any(String) });
    expect(downFiles.get('README.txt')).toMatch(/FAILED: the database could not be checked/);
    expect(JSON.parse(downFiles.get('versions.json') ?? '')['tams-server']).toMatch(/^\d+\.\d+\.\d+/);
  });
});
