/**
 * A restart in the middle of an asynchronous deletion finishes it (DIGEST §9; deletion.worker.ts
 * records progress in timerange_remaining). The first server runs without workers and one chunk
 * is carried out by a DeletionWorker on its store; it is closed, and a new server on the same
 * data directory, with its workers, finishes the request and deletes the bytes.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/common/clock.ts';
import { SHARED_TOPOLOGY } from '../../src/db/topology.ts';
import { DeletionWorker } from '../../src/deletion/deletion.worker.ts';
import { onSharedEngine } from '../helpers/engine.mode.ts';
import { startServer, type TestServer, tempDir } from '../helpers/server.ts';
import { assertSpecValid } from '../helpers/spec-schemas.ts';
import { type Doc, expectGetError, videoFlow } from '../http/fixtures.ts';
import {
  addSegments,
  allocate,
  bytesExist,
  contiguous,
  FAST_WORKERS,
  fetchStatus,
  getSegments,
  newFlow,
  presignedUrls,
  upload,
  waitFor,
  waitGcIdle,
} from './helpers.ts';

const dir = tempDir('tams-restart-');
afterAll(() => dir.remove());

const SETTINGS = { TAMS_DELETE_SYNC_LIMIT: '5', TAMS_DELETE_CHUNK: '3' };

/** The same presigned URL on another server (port) of the same data directory. */
function on(server: TestServer, url: string): string {
  const moved = new URL(url);
  const target = new URL(server.url);
  moved.host = target.host;
  return moved.toString();
}

describe('restart during an asynchronous deletion', () => {
  it('a new server on the same data directory finishes the request and deletes the bytes', async () => {
    const flow = videoFlow();
    const flowId = flow.id as string;
    let requestId: string;
    let urls: Map<string, string>;
    let shared: string;
    let editId: string;

    const first = await startServer({ dataDir: dir.path, env: SETTINGS, workers: false });
    try {
      expect((await first.put(`/flows/${flowId}`, flow)).status).toBe(201);
      const objects = await allocate(first, flowId, { limit: 10 });
      for (const o of objects) await upload(o);
      const ids = objects.map((o) => o.object_id);
      await addSegments(first, flowId, contiguous(ids));
      shared = ids[8] as string;
      editId = await newFlow(first);
      await addSegments(first, editId, { object_id: shared, timerange: '[0:0_10:0)' });
      urls = await presignedUrls(first, flowId);
      expect(urls.size).toBe(10);

      const res = await first.delete(`/flows/${flowId}`);
      expect(res.status).toBe(202);
      assertSpecValid('deletion-request.json', res.body);
      requestId = (res.body as Doc).id as string;

      // One chunk of 3 before the restart.
      const worker = new DeletionWorker({
        store: first.runtime.store,
        clock: systemClock,
        owner: 'before-restart',
        chunkSize: 3,
        leaseMs: 60_000,
        retentionMs: 60_000,
        topology: SHARED_TOPOLOGY,
      });
      expect(await worker.step()).toBe(true);
      const partial = await first.get<Doc>(`/flow-delete-requests/${requestId}`);
      expect(partial.body).toMatchObject({ status: 'started', timerange_remaining: '[30:0_' });
      expect(await first.runtime.store.segments.countFlow(flowId)).toBe(7);
      // The worker keeps its lease between chunks; a server's shutdown gives it up (deps.ts), so
      // that the next start (or another replica on a shared database) goes on at once.
      await worker.release();
    } finally {
      await first.close();
    }

    const second = await startServer({ dataDir: dir.path, env: { ...SETTINGS, ...FAST_WORKERS } });
    try {
      const done = await waitFor('the deletion request to finish after the restart', async () => {
        const res = await second.get<Doc>(`/flow-delete-requests/${requestId}`);
        expect(res.status).toBe(200);
        assertSpecValid('deletion-request.json', res.body);
        expect(res.body.status).not.toBe('error');
        return res.body.status === 'done' && res.body;
      });
      expect(done).toMatchObject({ flow_id: flowId, delete_flow: true, timerange_remaining: '()' });
      expect(done.expiry).toEqual(expect.any(String));

      await expectGetError(second, `/flows/${flowId}`, 404);
      expect((await getSegments(second, flowId)).body).toEqual([]);
      expect(await second.runtime.store.segments.countFlow(flowId)).toBe(0);

      // Bytes: every unshared object's, including those of the chunk done before the restart,
      // whose deletion was queued but not carried out by the first server.
      for (const [objectId, url] of urls) {
        if (objectId === shared) continue;
        await waitFor(`bytes of ${objectId} deleted`, async () => !(await bytesExist(second, url)));
        expect(await fetchStatus(on(second, url))).toBe(404);
        await expectGetError(second, `/objects/${objectId}`, 404);
      }
      await waitGcIdle(second);
      expect(await fetchStatus(on(second, urls.get(shared) as string))).toBe(200);
      const object = await second.get<Doc>(`/objects/${shared}`);
      expect(object.body.referenced_by_flows).toEqual([editId]);

      // The Flow id is free again.
      expect((await second.put(`/flows/${flowId}`, flow)).status).toBe(201);
    } finally {
      await second.close();
    }
  });

  // Embedded engine only: on a shared database (VAST, PostgreSQL) a lease's owner may be another
  // live process, so start-up frees none; the lease lapses instead.
  it.skipIf(onSharedEngine)(
    'resumes at start-up a request whose process was killed holding its lease (embedded engine)',
    async () => {
      const killed = tempDir('tams-killed-');
      // The clock stands still: a lease taken "now" for 60 s never lapses in this test, so only
      // the start-up's release can let the request go on.
      const now = new Date();
      const clock = { now: () => now };
      const flowId = videoFlow().id as string;
      let requestId: string;
      try {
        const first = await startServer({ dataDir: killed.path, env: SETTINGS, workers: false, clock });
        try {
          expect((await first.put(`/flows/${flowId}`, { ...videoFlow(), id: flowId })).status).toBe(201);
          const objects = await allocate(first, flowId, { limit: 8 });
          await addSegments(first, flowId, contiguous(objects.map((o) => o.object_id)));
          const res = await first.delete(`/flows/${flowId}`);
          expect(res.status).toBe(202);
          requestId = (res.body as Doc).id as string;
          // What a process killed in the middle of a chunk leaves: the request claimed, its lease
          // held by an owner that is gone, nothing of the chunk committed.
          const { store } = first.runtime;
          const request = await store.deletions.get(requestId);
          if (!request) throw new Error('deletion request missing');
          request.status = 'started';
          request.lease_owner = 'host:4242:killed';
          request.lease_until = new Date(now.getTime() + 60_000);
          await store.deletions.save(request);
        } finally {
          await first.close();
        }

        const second = await startServer({
          dataDir: killed.path,
          env: { ...SETTINGS, ...FAST_WORKERS },
          clock,
        });
        try {
          const done = await waitFor("the killed process's deletion to finish", async () => {
            const res = await second.get<Doc>(`/flow-delete-requests/${requestId}`);
            expect(res.body.status).not.toBe('error');
            return res.body.status === 'done' && res.body;
          });
          expect(done).toMatchObject({ flow_id: flowId, timerange_remaining: '()' });
          await expectGetError(second, `/flows/${flowId}`, 404);
        } finally {
          await second.close();
        }
      } finally {
        killed.remove();
      }
    },
  );
});
