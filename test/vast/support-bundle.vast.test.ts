/**
 * The support bundle of a server on VAST DataBase (the fake VAST server, which checks the
 * requests' SigV4 signatures against its key pair): through the running server and from the
 * stopped store, VAST's release as it reports it, and neither VAST key nor the admin token
 * anywhere in the archive.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeVast, startFakeVast } from '../../tools/vast-fake/fake.server.ts';
import { runCli } from '../helpers/cli.ts';
import { tempDir } from '../helpers/server.ts';
import { authed, extract, leaks } from '../helpers/support-bundle.ts';
import { createFlow, videoFlow } from '../http/fixtures.ts';
import { type ChildServer, spawnServer } from '../ops/child.ts';
import { addSegments, allocate, contiguous, upload } from '../segments/helpers.ts';
import { vastSettings } from '../support/db/engines/vast/vast.testkit.ts';

const SECRETS = {
  access: `VASTKEY${randomBytes(8).toString('hex').toUpperCase()}`,
  secret: `vast-secret-${randomBytes(12).toString('base64url')}`,
  token: `admin-token-${randomBytes(12).toString('base64url')}`,
};

describe('the support bundle on VAST', () => {
  const dir = tempDir('tams-support-vast-');
  let vast: FakeVast;
  let server: ChildServer;
  let env: Record<string, string>;

  beforeAll(async () => {
    vast = await startFakeVast({ accessKey: SECRETS.access, secretKey: SECRETS.secret });
    env = {
      ...vastSettings(vast, 'bundled'),
      TAMS_DATA_DIR: dir.path,
      TAMS_AUTH: 'required',
      TAMS_BOOTSTRAP_ADMIN_TOKEN: SECRETS.token,
      TAMS_SEARCH: 'false',
      TAMS_EXR: 'false',
    };
    server = await spawnServer(env);
    const admin = authed(server.url, SECRETS.token);
    const flow = videoFlow();
    await createFlow(admin, flow);
    const objects = await allocate(admin, flow.id as string, { limit: 2 });
    for (const o of objects) await upload(o);
    await addSegments(admin, flow.id as string, contiguous(objects.map((o) => o.object_id)));
  });

  afterAll(async () => {
    if (server && server.process.exitCode === null) {
      server.process.kill('SIGTERM');
      await server.exited;
    }
    await vast?.close();
    dir.remove();
  });

  it('is made by the running server and from the stopped store, without the VAST keys', async () => {
    const out = join(dir.path, 'running.tar.gz');
    const run = await runCli(['support-bundle', '--server', server.url, '--token-stdin', '--out', out], {
      env: {},
      stdin: SECRETS.token,
    });
    expect(run.code, run.err).toBe(0);
    const files = extract(out, tempDir('tams-support-vast-x-').path);
    expect(leaks(out, files, SECRETS)).toEqual([]);
    expect(files.get('README.txt')).toContain('Every part was collected.');
    const versions = JSON.parse(files.get('versions.json') ?? '');
    expect(versions.engine).toMatchObject({ name: 'vast', release: expect.stringMatching(/\d+\.\d+/) });
    const config = JSON.parse(files.get('config.json') ?? '');
    expect(config.settings).toMatchObject({
      TAMS_VAST_ACCESS_KEY: '[REDACTED]',
      TAMS_VAST_SECRET_KEY: '[REDACTED]',
    });

    server.process.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    const stoppedOut = join(dir.path, 'stopped.tar.gz');
    const stopped = await runCli(['support-bundle', '--out', stoppedOut], { env });
    expect(stopped.code, stopped.err).toBe(0);
    const stoppedFiles = extract(stoppedOut, tempDir('tams-support-vast-y-').path);
    expect(leaks(stoppedOut, stoppedFiles, SECRETS)).toEqual([]);
    const tables = JSON.parse(stoppedFiles.get('tables.json') ?? '') as { table: string; rows: number }[];
    expect(Object.fromEntries(tables.map((t) => [t.table, t.rows]))).toMatchObject({ flows: 1, segments: 2 });
    expect(JSON.parse(stoppedFiles.get('verify.json') ?? '')).toMatchObject({ segments: 2, problems: 0 });
  });
});
