/**
 * Copies of objects (TAMS 8.2 controlled object instances) made by two tams-server processes on
 * one PostgreSQL database, both running the copy worker: every copy asked for, through either,
 * is made once and advertised by both, its bytes those uploaded. Media: the fs store in a
 * directory both reach, and two buckets of an s3rver in this process.
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
import { fsBackendEntry, S3_CREDENTIALS_ENV, s3BackendEntry } from '../helpers/s3.server.ts';
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
      ...S3_CREDENTIALS_ENV,
      TAMS_DB: 'postgres',
      TAMS_POSTGRES_URL: server.url,
      TAMS_POSTGRES_SCHEMA: 'copies',
      TAMS_MEDIA_DIR: media.path,
      TAMS_STORAGE_BACKENDS: JSON.stringify([
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

  it('makes each copy asked for through either once, advertised by both', async () => {
    const flow = videoFlow();
    expect((await replicas.send('PUT', `/flows/${flow.id}`, flow, 0)).status).toBe(201);
    const alloc = await replicas.send('POST', `/flows/${flow.id}/storage`, { limit: 6 }, 0);
    expect(alloc.status).toBe(201);
    const objects = (alloc.body as Allocation).media_objects;
    const sums = new Map<string, string>();
    for (const [k, o] of objects.entries()) {
      const bytes = randomBytes(20_000 + k);
      sums.set(o.object_id, createHash('sha256').update(bytes).digest('hex'));
      const put = await fetch(o.put_url.url, {
        method: 'PUT',
        body: bytes,
        headers: { 'content-type': o.put_url['content-type'] },
      });
      expect(put.status).toBe(200);
    }
    const segments = objects.map((o, k) => ({ object_id: o.object_id, timerange: `[${k}:0_${k + 1}:0)` }));
    expect((await replicas.send('POST', `/flows/${flow.id}/segments`, segments, 1)).status).toBe(201);
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
});
