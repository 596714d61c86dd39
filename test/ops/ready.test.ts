/**
 * /health and /ready: ready while the store and every media backend are; 503 with a TAMS error
 * body naming the failing part otherwise (fs root gone, S3 endpoint closed). The embedded
 * engine's segment indexes load in the background: readiness does not wait for them.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import type { DbSession, Engine } from '../../src/db/db.types.ts';
import { openEngine } from '../../src/db/engine.factory.ts';
import { buildRuntime } from '../../src/deps.ts';
import { FsMediaStore } from '../../src/media/fs/fs.store.ts';
import { startServer, type TestServer, tempDir } from '../helpers/server.ts';
import { videoFlow } from '../http/fixtures.ts';
import { startS3rver } from '../support/media/s3/s3.testkit.ts';
import { parseMetrics, value } from './prom.ts';

interface ErrorDoc {
  type: string;
  summary: string;
  time: string;
  message: string;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function server(env: Record<string, string> = {}): Promise<TestServer> {
  const s = await startServer({ env: { TAMS_READY_TIMEOUT_MS: '2000', ...env } });
  cleanups.push(() => s.close());
  await expect.poll(async () => (await s.get('/ready')).status).toBe(200);
  return s;
}

function expectNotReady(res: { status: number; body: unknown }, part: string): ErrorDoc {
  expect(res.status).toBe(503);
  const body = res.body as ErrorDoc;
  expect(Object.keys(body).sort()).toEqual(['message', 'summary', 'time', 'type']);
  expect(body.type).toBe('ServiceUnavailable');
  expect(body.summary).toContain(part);
  return body;
}

describe('/health and /ready', () => {
  it('answer 200 JSON, and are documented as public extensions', async () => {
    const s = await server();
    const health = await s.get<{ status: string }>('/health');
    expect(health.status).toBe(200);
    expect(health.headers.get('content-type')).toBe('application/json');
    expect(health.body).toEqual({ status: 'ok' });
    const ready = await s.get<{ status: string; checks: Record<string, string> }>('/ready');
    expect(ready.status).toBe(200);
    expect(ready.body.status).toBe('ready');
    expect(Object.keys(ready.body.checks)).toEqual(
      expect.arrayContaining(['store', expect.stringMatching(/^media backend "local"/)]),
    );
    expect(Object.keys(ready.body.checks)).not.toContain('segment index');
    expect(Object.keys(ready.body.checks)).toHaveLength(2);
    // Documented as operations beyond TAMS 7.0, public (no credentials).
    type Op = { tags?: string[]; security?: unknown[]; 'x-tams-extension'?: boolean };
    const { paths } = (await s.get<{ paths: Record<string, Record<string, Op>> }>('/openapi.json')).body;
    for (const path of ['/health', '/ready', '/metrics']) {
      expect(paths[path]?.get, path).toMatchObject({
        tags: ['Operations'],
        security: [],
        'x-tams-extension': true,
      });
    }
  });

  it('is 503 naming the fs media backend while its root is gone, and ready again once it is back', async () => {
    const s = await server();
    const fs = s.runtime.media.stores.find((m): m is FsMediaStore => m instanceof FsMediaStore);
    if (!fs) throw new Error('no fs media store');
    rmSync(fs.root, { recursive: true, force: true });
    const body = expectNotReady(await s.get('/ready'), 'media backend "local"');
    expect(body.summary).not.toContain('store:');
    // Liveness is not readiness: the process still answers.
    expect((await s.get('/health')).status).toBe(200);
    mkdirSync(fs.root, { recursive: true });
    expect((await s.get('/ready')).status).toBe(200);
  });

  it('is 503 naming the S3 backend when its endpoint stops answering', async () => {
    const s3 = await startS3rver();
    let s3Open = true;
    cleanups.push(async () => {
      if (s3Open) await s3.close();
    });
    const backends = [
      {
        kind: 's3',
        id: '0b5f3c1e-9f0a-4d8e-8a51-3c2d1e0f9a7b',
        label: 'minio-like',
        provider: 's3rver',
        store_product: 's3',
        region: 'us-east-1',
        endpoint: s3.endpoint,
        bucket: 'ready-test',
        force_path_style: true,
        create_bucket: true,
        access_key_id: 'S3RVER',
        secret_access_key: 'S3RVER',
      },
    ];
    const s = await server({ TAMS_STORAGE_BACKENDS: JSON.stringify(backends) });
    expect((await s.get('/ready')).status).toBe(200);
    await s3.close();
    s3Open = false;
    const refused = expectNotReady(await s.get('/ready'), 'media backend "minio-like"');
    expect(refused.summary).not.toContain('S3RVER');
    // An endpoint that takes connections and never answers: the probe still answers, failed by
    // its bound (TAMS_READY_TIMEOUT_MS), whatever the SDK's own timeouts and retries.
    const port = Number(new URL(s3.endpoint).port);
    const sockets = new Set<Socket>();
    const hung = createServer((socket) => void sockets.add(socket));
    await new Promise<void>((resolve) => hung.listen(port, '127.0.0.1', resolve));
    cleanups.push(async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => hung.close(() => resolve()));
    });
    const silent = expectNotReady(await s.get('/ready'), 'media backend "minio-like"');
    expect(silent.summary).toContain('no answer within 2000 ms');
    expect(silent.summary).not.toContain('S3RVER');
  });

  it('is ready while segment indexes are still loading, and pages are answered meanwhile', async () => {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const dir = tempDir();
    const config = loadConfig({ TAMS_LOG_LEVEL: 'silent', TAMS_DATA_DIR: dir.path, TAMS_AUTH: 'none' });
    let held: Promise<void> | undefined;
    const engine = gatedSegmentsScan(await openEngine(config, { memory: true }), () => held);
    const runtime = await buildRuntime(config, { engine });
    // From here on, index loads wait (the start-up check of timeranges read the table before).
    held = gate;
    const app = await buildApp({ ...runtime, logger: false });
    cleanups.push(async () => {
      open();
      await app.close();
      await runtime.close();
      dir.remove();
    });
    const flow = videoFlow();
    const flowId = flow.id as string;
    await runtime.flows.put(flowId, flow, undefined);
    const ctx = { baseUrl: 'http://localhost', expiresIn: 60 };
    const objects = await runtime.storage.allocate(flowId, { limit: 3 }, ctx);
    const failures = await runtime.segments.register(
      flowId,
      objects.map((o, i) => ({ object_id: o.object_id, timerange: `[${i * 2}:0_${i * 2 + 2}:0)` })),
    );
    expect(failures).toEqual([]);
    runtime.start(app.log);
    // The Flow's index load (asked for by the registration) and the warm-up wait on the gate.
    expect(runtime.accelerator?.segmentIndexHolds(flowId)).toBe(false);
    expect((await app.inject({ method: 'GET', url: '/ready' })).statusCode).toBe(200);
    const metrics = parseMetrics((await app.inject({ method: 'GET', url: '/metrics' })).body);
    expect(value(metrics, 'tams_segment_index_loading')).toBe(1);
    expect(value(metrics, 'tams_segment_index_flows')).toBe(0);
    // Answered from the database meanwhile.
    // Unsigned URLs: a signed one's expiry moves with the second the request is answered in.
    const pagePath = `/flows/${flowId}/segments?timerange=[1:0_5:0)&presigned=false`;
    const page = await app.inject({ method: 'GET', url: pagePath });
    expect(page.statusCode).toBe(200);
    expect(page.json().map((s: { timerange: string }) => s.timerange)).toEqual([
      '[0:0_2:0)',
      '[2:0_4:0)',
      '[4:0_6:0)',
    ]);
    open();
    await runtime.accelerator?.segmentLoadsIdle();
    expect(runtime.accelerator?.segmentIndexHolds(flowId)).toBe(true);
    const again = await app.inject({ method: 'GET', url: pagePath });
    expect(again.json()).toEqual(page.json());
  });

  it('is 503 once a shutdown has begun', async () => {
    const s = await server();
    s.runtime.readiness.shuttingDown();
    expectNotReady(await s.get('/ready'), 'server: shutting down');
  });
});

/**
 * The engine, with scans of the segments table (index loads) held while `held()` gives a promise,
 * until it resolves.
 */
function gatedSegmentsScan(engine: Engine, held: () => Promise<void> | undefined): Engine {
  const inner = engine.session;
  const session: DbSession = {
    select: (t, o) => inner.select(t, o),
    count: (t, w) => inner.count(t, w),
    insert: (t, r) => inner.insert(t, r),
    update: (t, w, c) => inner.update(t, w, c),
    delete: (t, w) => inner.delete(t, w),
    updateEach: (t, k, r) => inner.updateEach(t, k, r),
    scan: async (t, o, onBatch) => {
      if (t === 'segments') await held();
      return inner.scan(t, o, onBatch);
    },
  };
  return {
    name: engine.name,
    topology: engine.topology,
    session,
    listTables: () => engine.listTables(),
    describeTable: (name) => engine.describeTable(name),
    createTable: (def) => engine.createTable(def),
    addColumn: (table, column) => engine.addColumn(table, column),
    dropTable: (name) => engine.dropTable(name),
    transaction: (fn) => engine.transaction(fn),
    close: () => engine.close(),
  };
}
