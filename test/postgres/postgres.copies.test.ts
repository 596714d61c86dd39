/**
 * Copies of objects (TAMS 8.2 controlled object instances) made by two tams-server processes on
 * one PostgreSQL database, both running the copy worker: every copy asked for, through either,
 * is made once and advertised by both, its bytes those uploaded; an object moved to its copy
 * through one process (TAMS 8.2 "move to archive") while the other deletes that copy, or
 * registers segments re-using the object, keeps one location its segments all name. Media: the
 * fs store in a directory both reach, and two buckets of an s3rver in this process.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type PostgresServer,
  postgresAvailable,
  startPostgres,
} from '../../tools/postgres/postgres.server.ts';
import { SLOW_TEST_MS } from '../helpers/deadlines.ts';
import { Replicas } from '../helpers/replicas.ts';
import { backendsEnv, fsBackendEntry, s3BackendEntry } from '../helpers/s3.server.ts';
import { tempDir } from '../helpers/server.ts';
import { videoFlow } from '../http/fixtures.ts';
import { waitFor } from '../segments/helpers.ts';
import { type S3rverHandle, startS3rver } from '../support/media/s3/s3.testkit.ts';

const available = postgresAvailable();
const media = tempDir('tams-pg-copies-media-');
const FS_ID = randomUUID();
const A_ID = randomUUID();
const B_ID = randomUUID();

interface Allocation {
  media_objects: { object_id: string; put_url: { url: string; 'content-type': string } }[];
}

describe.skipIf(!available)('copies of objects by two server processes on one PostgreSQL', () => {
  let server: PostgresServer;
  let s3: S3rverHandle;
  let replicas: Replicas;

  beforeAll(async () => {
    server = await startPostgres();
    s3 = await startS3rver(['a', 'b']);
    replicas = await Replicas.start(2, {
      TAMS_DB: 'postgres',
      TAMS_POSTGRES_URL: server.url,
      TAMS_POSTGRES_SCHEMA: 'copies',
      TAMS_MEDIA_DIR: media.path,
      ...backendsEnv([
        fsBackendEntry({ id: FS_ID }),
        s3BackendEntry(s3, 'a', { id: A_ID }),
        s3BackendEntry(s3, 'b', { id: B_ID }),
      ]),
      TAMS_TRANSACTION_GUARD: 'true',
      TAMS_SEARCH: 'false',
      TAMS_EXR: 'false',
      TAMS_ANALYTICS: 'false',
      TAMS_WORKER_IDLE_MS: '20',
      TAMS_WORKER_LEASE_SECONDS: '10',
    });
  }, SLOW_TEST_MS);
  afterAll(async () => {
    await replicas?.close();
    await s3?.close();
    await server?.close();
    media.remove();
  });

  /**
   * A Flow made through process `at`, with `count` objects allocated there, uploaded (`size(k)`
   * random bytes each) and registered as 1 s segments through process `via`; each object's SHA-256.
   */
  async function ingested(count: number, size: (k: number) => number, at: number, via: number) {
    const flow = videoFlow();
    expect((await replicas.send('PUT', `/flows/${flow.id}`, flow, at)).status).toBe(201);
    const alloc = await replicas.send('POST', `/flows/${flow.id}/storage`, { limit: count }, at);
    expect(alloc.status).toBe(201);
    const objects = (alloc.body as Allocation).media_objects;
    const sums = new Map<string, string>();
    for (const [k, o] of objects.entries()) {
      const bytes = randomBytes(size(k));
      sums.set(o.object_id, createHash('sha256').update(bytes).digest('hex'));
      const put = await fetch(o.put_url.url, {
        method: 'PUT',
        body: bytes,
        headers: { 'content-type': o.put_url['content-type'] },
      });
      expect(put.status).toBe(200);
    }
    const segments = objects.map((o, k) => ({ object_id: o.object_id, timerange: `[${k}:0_${k + 1}:0)` }));
    expect((await replicas.send('POST', `/flows/${flow.id}/segments`, segments, via)).status).toBe(201);
    return { flow, objects, sums };
  }

  it('makes each copy asked for through either once, advertised by both', async () => {
    const { objects, sums } = await ingested(6, (k) => 20_000 + k, 0, 1);
    // Every object to both buckets, the requests spread over the two processes.
    const asks = objects.flatMap((o, k) =>
      [A_ID, B_ID].map((storage_id, n) =>
        replicas.send('POST', `/tams/v8.2/objects/${o.object_id}/instances`, { storage_id }, (k + n) % 2),
      ),
    );
    for (const answer of await Promise.all(asks)) expect(answer.status, answer.text).toBe(201);
    for (const o of objects) {
      for (const replica of [0, 1]) {
        const urls = await waitFor(`copies of ${o.object_id} on replica ${replica}`, async () => {
          const res = await replicas.send(
            'GET',
            `/tams/v8.2/objects/${o.object_id}?verbose_storage=true&presigned=true`,
            undefined,
            replica,
          );
          const list = (res.body as { get_urls: { url: string; storage_id: string }[] }).get_urls;
          return list.length === 3 && list;
        });
        // Its own storage first; the two copies in the order they were asked for, here at once.
        expect(urls[0]?.storage_id).toBe(FS_ID);
        expect(
          urls
            .slice(1)
            .map((u) => u.storage_id)
            .sort(),
        ).toEqual([A_ID, B_ID].sort());
        for (const u of urls.slice(1)) {
          const res = await fetch(u.url);
          expect(
            createHash('sha256')
              .update(new Uint8Array(await res.arrayBuffer()))
              .digest('hex'),
          ).toBe(sums.get(o.object_id));
        }
      }
    }
  });

  it('moves an object to its copy through one process while the other deletes the copy: one wins', async () => {
    const { flow, objects, sums } = await ingested(4, () => 5_000, 1, 0);
    for (const [k, o] of objects.entries()) {
      const path = `/tams/v8.2/objects/${o.object_id}`;
      expect((await replicas.send('POST', `${path}/instances`, { storage_id: A_ID }, k % 2)).status).toBe(
        201,
      );
      await waitFor(`the copy of ${o.object_id}`, async () => {
        const res = await replicas.send('GET', `${path}?accept_storage_ids=${A_ID}`, undefined, 0);
        return (res.body as { get_urls: unknown[] }).get_urls.length > 0;
      });
      // The own storage's instance through one process, the copy through the other, at once.
      const [own, copy] = await Promise.all([
        replicas.send('DELETE', `${path}/instances?storage_id=${FS_ID}`, undefined, k % 2),
        replicas.send('DELETE', `${path}/instances?storage_id=${A_ID}`, undefined, (k + 1) % 2),
      ]);
      expect([own.status, copy.status].sort(), `${own.text} ${copy.text}`).toEqual([204, 400]);
      const where = own.status === 204 ? A_ID : FS_ID;
      for (const replica of [0, 1]) {
        const res = await replicas.send(
          'GET',
          `/tams/v8.2/flows/${flow.id}/segments?object_id=${o.object_id}&verbose_storage=true&presigned=true`,
          undefined,
          replica,
        );
        const [segment] = res.body as { get_urls: { url: string; storage_id: string }[] }[];
        expect(segment?.get_urls.map((u) => u.storage_id)).toEqual([where]);
        const bytes = await fetch(segment?.get_urls[0]?.url as string);
        expect(
          createHash('sha256')
            .update(new Uint8Array(await bytes.arrayBuffer()))
            .digest('hex'),
        ).toBe(sums.get(o.object_id));
      }
    }
  });

  it('moves an object while the other process registers segments re-using it: all point at the copy', async () => {
    const flows = Array.from({ length: 6 }, () => videoFlow());
    for (const f of flows) expect((await replicas.send('PUT', `/flows/${f.id}`, f, 0)).status).toBe(201);
    const [home] = flows as [ReturnType<typeof videoFlow>];
    for (let round = 0; round < 4; round++) {
      const alloc = await replicas.send('POST', `/flows/${home.id}/storage`, { limit: 1 }, 0);
      const [o] = (alloc.body as Allocation).media_objects;
      if (!o) throw new Error('nothing allocated');
      const put = await fetch(o.put_url.url, {
        method: 'PUT',
        body: randomBytes(3_000),
        headers: { 'content-type': o.put_url['content-type'] },
      });
      expect(put.status).toBe(200);
      const at = (k: number) => `[${100 * round + k}:0_${100 * round + k + 1}:0)`;
      const first = { object_id: o.object_id, timerange: at(0) };
      expect((await replicas.send('POST', `/flows/${home.id}/segments`, first, 0)).status).toBe(201);
      const path = `/tams/v8.2/objects/${o.object_id}`;
      expect((await replicas.send('POST', `${path}/instances`, { storage_id: A_ID }, 0)).status).toBe(201);
      await waitFor(`the copy of ${o.object_id}`, async () => {
        const res = await replicas.send('GET', `${path}?accept_storage_ids=${A_ID}`, undefined, 0);
        return (res.body as { get_urls: unknown[] }).get_urls.length > 0;
      });
      // Re-uses in the other Flows through one process while the other moves the object.
      const answers = await Promise.all([
        replicas.send('DELETE', `${path}/instances?storage_id=${FS_ID}`, undefined, 0),
        ...flows
          .slice(1)
          .map((f, k) =>
            replicas.send(
              'POST',
              `/flows/${f.id}/segments`,
              { object_id: o.object_id, timerange: at(k + 1) },
              1,
            ),
          ),
      ]);
      expect(answers.map((a) => a.status)).toEqual([204, 201, 201, 201, 201, 201]);
      for (const f of flows) {
        const res = await replicas.send(
          'GET',
          `/flows/${f.id}/segments?object_id=${o.object_id}&verbose_storage=true`,
          undefined,
          1,
        );
        const [segment] = res.body as { get_urls: { storage_id: string }[] }[];
        expect(segment?.get_urls.map((u) => u.storage_id)).toEqual([A_ID]);
      }
    }
  });
});
