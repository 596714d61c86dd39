/**
 * The support bundle (`tams-mgmt support-bundle`, GET /support/bundle) of a real server process
 * configured with every kind of secret the settings hold (admin token and password, an HMAC JWT
 * key, S3 keys, VAST keys, a PostgreSQL URL with a password, the fs store's signing key, the
 * embeddings API key, an OIDC client), webhooks with API keys, and requests that put tokens and
 * presigned URLs in its log: taken through the running server and from the stopped store, each
 * archive extracted with the system `tar`, every file of it (and the whole archive, decompressed)
 * searched for every secret, and its parts checked against what the store holds.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';
import { closedPort } from '../helpers/ports.ts';
import { startReceiver } from '../helpers/receiver.ts';
import { fsBackendEntry, s3BackendEntry } from '../helpers/s3.server.ts';
import { httpClient, tempDir } from '../helpers/server.ts';
import { authed, extract, leaks } from '../helpers/support-bundle.ts';
import { createFlow, videoFlow } from '../http/fixtures.ts';
import { addSegments, allocate, contiguous, upload } from '../segments/helpers.ts';
import { type S3rverHandle, startS3rver } from '../support/media/s3/s3.testkit.ts';
import { type ChildServer, spawnServer } from './child.ts';

const secret = (label: string) => `${label}-${randomBytes(12).toString('base64url')}`;

/** Every secret the server is given or handed out, by what it is. */
const SECRETS: Record<string, string> = {
  adminToken: secret('admin-token'),
  adminPassword: secret('admin-password'),
  jwtKey: randomBytes(32).toString('base64url'),
  vastAccess: secret('VASTACCESS'),
  vastSecret: secret('vast-secret'),
  pgPassword: secret('pg-pass'),
  mediaSecret: secret('media-secret-of-at-least-32-characters'),
  s3Secret: secret('s3-secret'),
  embeddingsKey: secret('embeddings-key'),
  webhookKeyA: secret('hook-key-a'),
  webhookKeyB: secret('hook-key-b'),
  cookie: secret('cookie'),
};

describe('the support bundle', () => {
  const dir = tempDir('tams-support-');
  let s3: S3rverHandle;
  let server: ChildServer;
  let env: Record<string, string>;
  /** Secrets the server handed out or signed while running (tokens, URL signatures). */
  const issued: Record<string, string> = {};
  let flowId: string;

  beforeAll(async () => {
    s3 = await startS3rver(['bundle-media']);
    const closed = await closedPort();
    env = {
      TAMS_DATA_DIR: join(dir.path, 'data'),
      TAMS_AUTH: 'required',
      TAMS_LOG_LEVEL: 'info',
      TAMS_SEARCH: 'false',
      TAMS_EXR: 'false',
      TAMS_BOOTSTRAP_ADMIN_TOKEN: SECRETS.adminToken as string,
      TAMS_BOOTSTRAP_ADMIN_USER: 'operator',
      TAMS_BOOTSTRAP_ADMIN_PASSWORD: SECRETS.adminPassword as string,
      TAMS_JWT_KEY: JSON.stringify({ kty: 'oct', k: SECRETS.jwtKey }),
      TAMS_JWT_ALGORITHMS: 'HS256',
      TAMS_JWT_ISSUER: 'https://idp.example',
      TAMS_JWT_AUDIENCE: 'tams',
      TAMS_UI_OIDC_CLIENT_ID: 'tams-web-ui',
      // Not the engine of this server: still settings, and in the bundle's configuration.
      TAMS_VAST_ACCESS_KEY: SECRETS.vastAccess as string,
      TAMS_VAST_SECRET_KEY: SECRETS.vastSecret as string,
      TAMS_POSTGRES_URL: `postgres://tams:${SECRETS.pgPassword}@db.example:5432/tamsdb`,
      TAMS_MEDIA_SECRET: SECRETS.mediaSecret as string,
      TAMS_SEARCH_EMBEDDINGS_API_KEY: SECRETS.embeddingsKey as string,
      TAMS_WEBHOOK_ALLOW: '127.0.0.1',
      TAMS_STORAGE_BACKENDS: JSON.stringify([
        fsBackendEntry(),
        s3BackendEntry(s3, 'bundle-media', {
          access_key_id: 'S3RVER',
          access_key_id_env: undefined,
          secret_access_key_env: 'BUNDLE_S3_SECRET',
        }),
      ]),
      BUNDLE_S3_SECRET: SECRETS.s3Secret as string,
    };
    server = await spawnServer(env);
    const admin = authed(server.url, SECRETS.adminToken as string);

    const token = await admin.post<{ token: string }>('/auth/tokens', {
      name: 'ingest',
      scopes: ['read', 'write'],
    });
    expect(token.status, token.text).toBe(201);
    issued.writeToken = token.body.token;
    const jwt = await new SignJWT({ scope: 'read write' })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('https://idp.example')
      .setAudience('tams')
      .setSubject('someone')
      .setExpirationTime('1h')
      .sign(Buffer.from(SECRETS.jwtKey as string, 'base64url'));
    issued.jwt = jwt;

    const ingest = authed(server.url, issued.writeToken);
    const flow = videoFlow();
    flowId = flow.id as string;
    await createFlow(ingest, flow);
    const [local] = await allocate(ingest, flowId, { limit: 1 });
    const backends = await admin.get<{ id: string; label: string }[]>('/service/storage-backends');
    const s3Id = backends.body.find((b) => b.label === 'bundle-media')?.id;
    const remote = await allocate(ingest, flowId, { limit: 2, storage_id: s3Id });
    if (!local) throw new Error('no object allocated');
    const objects = [local, ...remote];
    for (const o of objects) await upload(o);
    await addSegments(ingest, flowId, contiguous(objects.map((o) => o.object_id)));
    const fsSig = new URL(local.put_url.url).searchParams.get('sig');
    const amzSig = new URL(remote[0]?.put_url.url ?? '').searchParams.get('X-Amz-Signature');
    expect(fsSig).toBeTruthy();
    expect(amzSig).toBeTruthy();
    issued.fsSignature = fsSig as string;
    issued.amzSignature = amzSig as string;

    // Requests that write credentials into the server's log: a token as a query parameter, a
    // JWT in a path, presigned URLs passed as a value, HTTP Basic, a cookie.
    await ingest.get('/flows', { query: { access_token: issued.writeToken } });
    await admin.get(`/flows/${jwt}`);
    await admin.get('/flows', { query: { label: remote[0]?.put_url.url ?? '' } });
    await admin.get('/flows', { query: { label: local.put_url.url } });
    await httpClient(server.url).get('/flows', {
      headers: {
        authorization: `Basic ${Buffer.from(`operator:${SECRETS.adminPassword}`).toString('base64')}`,
        cookie: `session=${SECRETS.cookie}`,
      },
    });
    expect((await authed(server.url, jwt).get('/flows')).status).toBe(200);

    const receiver = await startReceiver();
    const hookA = await admin.post('/service/webhooks', {
      url: receiver.url,
      api_key_name: 'X-Api-Key',
      api_key_value: SECRETS.webhookKeyA,
      events: ['flows/segments_added'],
    });
    expect(hookA.status, hookA.text).toBe(201);
    const hookB = await admin.post('/service/webhooks', {
      url: `http://127.0.0.1:${closed}/hook`,
      api_key_name: 'Authorization',
      api_key_value: SECRETS.webhookKeyB,
      events: ['flows/segments_added'],
    });
    expect(hookB.status, hookB.text).toBe(201);
    await receiver.close();
  });

  afterAll(async () => {
    if (server && server.process.exitCode === null) {
      server.process.kill('SIGTERM');
      await server.exited;
    }
    await s3?.close();
    dir.remove();
  });

  const everySecret = () => ({ ...SECRETS, ...issued });

  it('is made by the running server for an admin token, with no secret in any file', async () => {
    const out = join(dir.path, 'running.tar.gz');
    const run = await runCli(['support-bundle', '--server', server.url, '--token-stdin', '--out', out], {
      env: {},
      stdin: `${SECRETS.adminToken}\n`,
    });
    expect(run.code, run.err).toBe(0);
    expect(run.out.trim()).toBe(out);
    const files = extract(out, tempDir('tams-support-x-').path);

    expect(leaks(out, files, everySecret())).toEqual([]);
    expect([...files.keys()].sort()).toEqual(
      [
        'README.txt',
        'config.json',
        'database.json',
        'followers.json',
        'logs.txt',
        'metrics.txt',
        'readiness.json',
        'tables.json',
        'verify.json',
        'versions.json',
        'webhooks.json',
      ].sort(),
    );
    // Nothing failed: the README lists no failure and no file holds an error note.
    expect(files.get('README.txt')).toContain('Every part was collected.');

    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
    const duck = JSON.parse(readFileSync('node_modules/@duckdb/node-api/package.json', 'utf8')) as {
      version: string;
    };
    const fastify = JSON.parse(readFileSync('node_modules/fastify/package.json', 'utf8')) as {
      version: string;
    };
    const versions = JSON.parse(files.get('versions.json') ?? '');
    expect(versions['tams-server']).toBe(pkg.version);
    expect(versions.node).toBe(process.versions.node);
    expect(versions.engine.name).toBe('duckdb');
    expect(versions.engine.release).toMatch(/^DuckDB v?\d/i);
    expect(versions.libraries['@duckdb/node-api']).toBe(duck.version);
    expect(versions.libraries.fastify).toBe(fastify.version);

    const config = JSON.parse(files.get('config.json') ?? '');
    expect(config.settings.TAMS_POSTGRES_URL).toBe('postgres://tams:***@db.example:5432/tamsdb');
    expect(config.settings.TAMS_VAST_SECRET_KEY).toBe('[REDACTED]');
    expect(config.settings.TAMS_BOOTSTRAP_ADMIN_USER).toBe('operator');
    expect(config.settings.TAMS_UI_OIDC_CLIENT_ID).toBe('tams-web-ui');
    const s3Entry = config.storage_backends.find((b: { kind: string }) => b.kind === 's3');
    expect(s3Entry).toMatchObject({ access_key_id: '[REDACTED]', secret_access_key_env: 'BUNDLE_S3_SECRET' });

    const tables = JSON.parse(files.get('tables.json') ?? '') as { table: string; rows: number }[];
    const rows = Object.fromEntries(tables.map((t) => [t.table, t.rows]));
    expect(rows).toMatchObject({ flows: 1, sources: 1, segments: 3, objects: 3, webhooks: 2 });
    const verify = JSON.parse(files.get('verify.json') ?? '');
    expect(verify).toMatchObject({ segments: 3, objects: 3, problems: 0, complete: true });
    expect(JSON.parse(files.get('readiness.json') ?? '')).toMatchObject({ ready: true });
    expect(JSON.parse(files.get('database.json') ?? '')).toMatchObject({
      reachable: true,
      migrations_pending: 0,
    });
    expect(files.get('metrics.txt')).toMatch(/^tams_http_request_duration_seconds/m);

    const webhooks = JSON.parse(files.get('webhooks.json') ?? '') as Record<string, unknown>[];
    expect(webhooks.map((w) => w.api_key_name).sort()).toEqual(['Authorization', 'X-Api-Key']);
    expect(webhooks.every((w) => !('api_key_value' in w))).toBe(true);
    const state = JSON.parse(files.get('followers.json') ?? '');
    expect(state.webhook_deliveries.webhooks).toHaveLength(2);
    expect(state.job_leases.map((l: { key: string }) => l.key)).toContain('lease:media-gc');
    expect(state.followers.map((f: { feature: string }) => f.feature)).toEqual(['analytics']);

    // The log lines the server kept: the requests above, their credentials redacted.
    const logs = files.get('logs.txt') ?? '';
    expect(logs).toContain('"msg":"incoming request"');
    expect(logs).toContain('X-Amz-Signature%3D[REDACTED]');
    expect(logs).toContain('[REDACTED] JWT');
    const serverLogs = logs.split('\n').filter((l) => l.startsWith('{'));
    expect(serverLogs.length).toBeGreaterThan(30);
  });

  it('is refused to a token without the admin scope, and says why a --server is wrong', async () => {
    const refused = await runCli(
      ['support-bundle', '--server', server.url, '--token-stdin', '--out', join(dir.path, 'no.tar.gz')],
      {
        env: {},
        stdin: issued.writeToken,
      },
    );
    expect(refused.code).toBe(1);
    expect(refused.err).toContain('answered 403');
    expect(refused.err).toContain('an admin token is needed');
    const direct = await authed(server.url, issued.writeToken as string).get('/support/bundle');
    expect(direct.status).toBe(403);
    expect(direct.body).toMatchObject({ type: expect.any(String), summary: expect.any(String) });

    // The embedded file held by the running server: a bundle all the same, saying to use --server.
    const heldOut = join(dir.path, 'held.tar.gz');
    const held = await runCli(['support-bundle', '--out', heldOut], { env });
    expect(held.code, held.err).toBe(0);
    expect(held.err).toContain('take the bundle through it (--server)');
    const heldFiles = extract(heldOut, tempDir('tams-support-h-').path);
    expect(leaks(heldOut, heldFiles, everySecret())).toEqual([]);
    expect(JSON.parse(heldFiles.get('database.json') ?? '')).toMatchObject({ reachable: false });
    expect(JSON.parse(heldFiles.get('config.json') ?? '').settings.TAMS_BOOTSTRAP_ADMIN_TOKEN).toBe(
      '[REDACTED]',
    );

    const notUrl = await runCli(['support-bundle', '--server', 'tams.example:8000'], { env: {} });
    expect(notUrl.code).toBe(2);
    expect(notUrl.err).toContain("--server must be the server's http(s) URL");
    const port = await closedPort();
    const down = await runCli(['support-bundle', '--server', `http://127.0.0.1:${port}`], { env: {} });
    expect(down.code).toBe(1);
    expect(down.err).toContain(`cannot reach the server at http://127.0.0.1:${port}: ECONNREFUSED`);
  });

  it('is made from the stopped store with the log file named, with no secret in any file', async () => {
    server.process.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    // The server's own output, and what an operator's proxy logged in front of it.
    const logFile = join(dir.path, 'server.log');
    writeFileSync(
      logFile,
      [
        ...server.logs.map((entry) => JSON.stringify(entry)),
        `10.1.2.3 - - "PUT /bundle-media/tams/x?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=${issued.amzSignature} HTTP/1.1" 200`,
        `Authorization: Bearer ${issued.writeToken}`,
        `Cookie: session=${SECRETS.cookie}`,
        `upstream postgres://tams:${SECRETS.pgPassword}@db.example:5432/tamsdb password=${SECRETS.adminPassword}`,
        `GET /media/x?expires=1&sig=${issued.fsSignature} 200`,
        `webhook key ${SECRETS.webhookKeyA} sent`,
        '',
      ].join('\n'),
    );
    const out = join(dir.path, 'stopped.tar.gz');
    const run = await runCli(['support-bundle', '--log', logFile, '--out', out], { env });
    expect(run.code, run.err).toBe(0);
    // Only the metrics are missing: they are a running process's.
    expect(run.err.trim().split('\n')).toEqual([
      expect.stringMatching(/^support-bundle: metrics\.txt: no running server/),
    ]);
    const files = extract(out, tempDir('tams-support-y-').path);

    expect(leaks(out, files, everySecret())).toEqual([]);
    const logs = files.get('logs.txt') ?? '';
    expect(logs).toContain(`lines from the file ${logFile}`);
    expect(logs).toContain('Authorization: [REDACTED]');
    expect(logs).toContain('Cookie: [REDACTED]');
    expect(logs).toContain('postgres://tams:***@db.example');
    expect(logs).toContain('sig=[REDACTED]');

    // --lines: the last N lines of the file, no more.
    const fewOut = join(dir.path, 'few.tar.gz');
    const few = await runCli(['support-bundle', '--log', logFile, '--lines', '3', '--out', fewOut], { env });
    expect(few.code, few.err).toBe(0);
    const fewLogs = extract(fewOut, tempDir('tams-support-z-').path).get('logs.txt') ?? '';
    expect(fewLogs.trim().split('\n').slice(1)).toEqual([
      'upstream postgres://tams:***@db.example:5432/tamsdb password=[REDACTED]',
      'GET /media/x?expires=1&sig=[REDACTED] 200',
      'webhook key [REDACTED] sent',
    ]);

    // The row counts are the tables' own, as `tams-mgmt tables` counts them.
    const counted = await runCli(['tables', '--json'], { env });
    expect(counted.code, counted.err).toBe(0);
    const own = JSON.parse(counted.out) as { table: string; rows: number }[];
    const bundled = JSON.parse(files.get('tables.json') ?? '') as { table: string; rows: number }[];
    expect(bundled.map((t) => [t.table, t.rows])).toEqual(own.map((t) => [t.table, t.rows]));
    expect(JSON.parse(files.get('verify.json') ?? '')).toMatchObject({
      segments: 3,
      problems: 0,
      complete: true,
    });
    expect(JSON.parse(files.get('webhooks.json') ?? '')).toHaveLength(2);
    expect(files.get('README.txt')).toContain('by tams-mgmt against the stopped store');
  });
});
