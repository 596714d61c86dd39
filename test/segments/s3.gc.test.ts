/**
 * Garbage collection on S3 (issue 5), with S3 (s3rver) the default backend: when the last
 * segment referencing an object goes, the background worker deletes its bytes from the S3 server,
 * while an object another Flow still uses keeps them; uploads abandoned before registration are
 * collected after the grace period; a deletion the S3 server cannot serve is retried, and the API
 * does not wait for it. Bytes are probed on the S3 server itself, by unsigned GETs (s3rver serves
 * them, as a public bucket would) and by the backend's head().
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  S3_CREDENTIALS_ENV,
  type S3TestServer,
  s3BackendEntry,
  startS3Server,
} from '../helpers/s3.server.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { MovableClock, replayedPutIsCollected } from '../media/media.gc.replay.ts';
import {
  type AllocatedObject,
  addSegments,
  allocate,
  bytesExist,
  FAST_WORKERS,
  newFlow,
  type StoredBytes,
  storedBytes,
  upload,
  waitBytesGone,
  waitFor,
  waitGcIdle,
} from './helpers.ts';

const BUCKET = 'media';
const PREFIX = 'tams/';

/** Status of an unsigned GET of the object's key on the S3 server (200 while the bytes are there). */
async function onS3(endpoint: string, where: StoredBytes): Promise<number> {
  const key = (PREFIX + where.path).split('/').map(encodeURIComponent).join('/');
  const res = await fetch(`${endpoint}/${BUCKET}/${key}`);
  await res.arrayBuffer();
  return res.status;
}

/** Allocates `n` objects on the default (S3) backend, uploads each, returns them and their location. */
async function uploaded(server: TestServer, flowId: string, n: number) {
  const objects = await allocate(server, flowId, { limit: n });
  const where: StoredBytes[] = [];
  for (const object of objects) {
    await upload(object, randomBytes(10_000));
    where.push(await storedBytes(server, object.object_id));
  }
  return { objects, where };
}

/**
 * How long an allocation may wait for its registration. Short, for the collection of abandoned
 * uploads to be seen; long enough for the uploads a test registers to be registered first on a
 * loaded machine (1 s was not: a CI run under load had all three collected before their POST).
 */
const GRACE_SECONDS = 5;

describe('S3 garbage collection', () => {
  let target: S3TestServer;
  let server: TestServer;
  beforeAll(async () => {
    target = await startS3Server({
      env: { ...FAST_WORKERS, TAMS_UNUSED_OBJECT_GRACE_SECONDS: String(GRACE_SECONDS) },
    });
    server = target.server;
  });
  afterAll(() => target?.close());

  it('deletes the bytes of an object from S3 when its last segment goes; a shared object survives', async () => {
    const endpoint = target.s3.endpoint;
    const flowId = await newFlow(server);
    const { objects, where } = await uploaded(server, flowId, 3);
    const [own, shared, rest] = where as [StoredBytes, StoredBytes, StoredBytes];
    await addSegments(
      server,
      flowId,
      objects.map((o, i) => ({ object_id: o.object_id, timerange: `[${i * 10}:0_${i * 10 + 10}:0)` })),
    );
    const editId = await newFlow(server);
    await addSegments(server, editId, { object_id: shared.objectId, timerange: '[100:0_110:0)' });
    for (const w of where) expect(await onS3(endpoint, w)).toBe(200);

    // The segments using `own` and `shared` go from the first Flow.
    expect(
      (await server.delete(`/flows/${flowId}/segments`, { query: { timerange: '[0:0_20:0)' } })).status,
    ).toBe(204);
    await waitBytesGone(server, own);
    expect(await onS3(endpoint, own)).toBe(404);
    await waitGcIdle(server);
    expect(await onS3(endpoint, shared)).toBe(200);
    expect(await bytesExist(server, shared)).toBe(true);
    expect(await onS3(endpoint, rest)).toBe(200);
    expect((await server.get(`/objects/${own.objectId}`)).status).toBe(404);
    expect(
      (await server.get<{ referenced_by_flows: string[] }>(`/objects/${shared.objectId}`)).body,
    ).toMatchObject({
      referenced_by_flows: [editId],
    });

    // Its last user gone, the shared object's bytes go too; deleting the Flow takes the rest.
    expect((await server.delete(`/flows/${editId}`)).status).toBe(204);
    expect((await server.delete(`/flows/${flowId}`)).status).toBe(204);
    await waitBytesGone(server, shared);
    await waitBytesGone(server, rest);
    expect([await onS3(endpoint, shared), await onS3(endpoint, rest)]).toEqual([404, 404]);
  });

  it('collects an upload never registered after the grace period, and only that', async () => {
    const endpoint = target.s3.endpoint;
    const flowId = await newFlow(server);
    const beforeAllocation = Date.now();
    const { objects, where } = await uploaded(server, flowId, 2);
    const [used, abandoned] = where as [StoredBytes, StoredBytes];
    // And one allocated without even an upload.
    const [unsent] = (await allocate(server, flowId, { limit: 1 })) as [AllocatedObject];
    await addSegments(server, flowId, { object_id: used.objectId, timerange: '[0:0_10:0)' });
    expect(await onS3(endpoint, abandoned)).toBe(200);

    await waitBytesGone(server, abandoned);
    // Not before the grace period was over.
    expect(Date.now() - beforeAllocation).toBeGreaterThanOrEqual(GRACE_SECONDS * 1000);
    expect(await onS3(endpoint, abandoned)).toBe(404);
    await waitFor(
      'the unsent allocation released',
      async () => (await server.runtime.store.objects.get(unsent.object_id)) === null,
    );
    await waitGcIdle(server);
    // Registering the collected objects now fails: they are no objects of the store any more.
    for (const id of [abandoned.objectId, unsent.object_id]) {
      const late = await server.post(`/flows/${flowId}/segments`, {
        object_id: id,
        timerange: '[50:0_60:0)',
      });
      expect(late.status).toBe(400);
    }
    // The registered one keeps its bytes, past the grace period.
    expect(await onS3(endpoint, used)).toBe(200);
    expect((await server.get(`/objects/${objects[0]?.object_id}`)).status).toBe(200);
  });
});

describe('S3 garbage collection of bytes a replayed put_url wrote after its object went', () => {
  it('deletes the key again once the put_url has expired', async () => {
    const clock = new MovableClock();
    const target = await startS3Server({ clock, env: FAST_WORKERS });
    try {
      await replayedPutIsCollected(target.server, clock);
    } finally {
      await target.close();
    }
  });
});

describe('S3 garbage collection while the S3 server is down', () => {
  it('answers at once, keeps the deletion queued with its error, and retries until it succeeds', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'tams-s3rver-down-'));
    const s3rver = () => new S3rver({ address: '127.0.0.1', port, silent: true, directory });
    let port = 0;
    let s3: S3rver | undefined = new S3rver({
      address: '127.0.0.1',
      port: 0,
      silent: true,
      directory,
      configureBuckets: [{ name: BUCKET }],
    });
    port = (await s3.run()).port;
    const endpoint = `http://127.0.0.1:${port}`;
    const server = await startServer({
      env: {
        ...FAST_WORKERS,
        ...S3_CREDENTIALS_ENV,
        TAMS_STORAGE_BACKENDS: JSON.stringify([s3BackendEntry({ endpoint }, BUCKET, { default: true })]),
      },
    });
    try {
      const flowId = await newFlow(server);
      const { objects, where } = await uploaded(server, flowId, 1);
      const [object] = where as [StoredBytes];
      await addSegments(server, flowId, {
        object_id: objects[0]?.object_id as string,
        timerange: '[0:0_10:0)',
      });
      expect(await onS3(endpoint, object)).toBe(200);

      await s3.close();
      s3 = undefined;
      // The DELETE does not wait on the store of the bytes: when it answers, their deletion is a
      // queued row (no timed assertion: the machine may be loaded).
      expect((await server.delete(`/flows/${flowId}`)).status).toBe(204);
      const queued = await server.runtime.db.select('media_gc');
      expect(queued.map((r) => r.object_id)).toContain(object.objectId);
      const [failed] = await waitFor('a failed deletion attempt', async () => {
        const rows = await server.runtime.db.select('media_gc');
        return rows.some((r) => Number(r.attempts) > 0) && rows;
      });
      expect(failed).toMatchObject({ object_id: object.objectId, storage_path: object.path });
      expect(String(failed?.last_error)).not.toBe('');

      // Back on the same port with the same files: the bytes are still there, then go.
      s3 = s3rver();
      await s3.run();
      expect(await onS3(endpoint, object)).toBe(200);
      await waitBytesGone(server, object);
      expect(await onS3(endpoint, object)).toBe(404);
      await waitGcIdle(server);
    } finally {
      await server.close();
      await s3?.close();
      await rm(directory, { recursive: true, force: true });
    }
  });
});
