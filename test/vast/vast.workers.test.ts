/**
 * Background work shared by two servers on one VAST database (`vast` project only; two app
 * instances in this process, each with its own VAST engine, on one schema of the fake and one
 * S3 bucket: see vast.replicas.test.ts). Both run every worker, fast (TAMS_WORKER_IDLE_MS=20):
 * a deletion request is worked on by the replica holding its lease and reaches `done`; the media
 * GC deletes each key once, under its job lease; a webhook gets every event in order, delivered
 * from one replica at a time. And the write skew of housekeeping releasing an allocation that a
 * registration on the other replica is using: the two change one row, so one commit loses.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeletionRecord } from '../../src/store/deletions.repo.ts';
import type { StoreTx } from '../../src/store/store.ts';
import { TimeRange } from '../../src/time/index.ts';
import type { FakeVast } from '../../tools/vast-fake/fake.server.ts';
import { SLOW_TEST_MS } from '../helpers/deadlines.ts';
import { type Receiver, startReceiver } from '../helpers/receiver.ts';
import { startServer, type TestServer, tempDir } from '../helpers/server.ts';
import { sharedFakeVast } from '../helpers/vast.mode.ts';
import { createFlow, videoFlow } from '../http/fixtures.ts';
import {
  addSegments,
  allocate,
  bytesExist,
  contiguous,
  fillFlow,
  newFlow,
  type StoredBytes,
  storedBytes,
  upload,
  waitFor,
} from '../segments/helpers.ts';

let a: TestServer;
let b: TestServer;
let vast: FakeVast;
const data = tempDir('tams-replica-workers-');
const ENV = {
  TAMS_WORKER_IDLE_MS: '20',
  TAMS_DELETE_SYNC_LIMIT: '5',
  TAMS_DELETE_CHUNK: '3',
  TAMS_WEBHOOK_ALLOW: '127.0.0.1',
  TAMS_WEBHOOK_BACKOFF_MS: '20',
  // Reads right after the other server's write see it (no shared read snapshot, whose lag is
  // docs/replicas.md's bound).
  TAMS_VAST_READ_SNAPSHOT_MS: '0',
};
beforeAll(async () => {
  vast = await sharedFakeVast();
  a = await startServer({ dataDir: data.path, env: ENV });
  b = await startServer({ dataDir: data.path, env: ENV });
});
let closed = false;
afterAll(async () => {
  vast.faults.clear();
  if (!closed) {
    await a?.close();
    await b?.close();
  }
  data.remove();
});

async function deletionRequest(server: TestServer, id: string): Promise<DeletionRecord> {
  const record = await server.runtime.store.deletions.get(id);
  if (!record) throw new Error(`no deletion request ${id}`);
  return record;
}

describe('two servers running the same workers on one VAST database', () => {
  it('carry an asynchronous Flow deletion to done through a database outage, never error, every segment gone', async () => {
    const flowId = await newFlow(a);
    await fillFlow(a, flowId, 40);
    const res = await a.delete(`/flows/${flowId}`);
    expect(res.status, res.text).toBe(202);
    const id = (res.body as { id: string }).id;
    // The database refuses the next ten deletes (503 SlowDown, past the client's retries): some
    // chunks fail as unavailable, which must leave the request to go on, not fail it.
    const fired = vast.stats.faultsFired;
    vast.faults.slowDown({ kinds: ['delete'], times: 10 });
    const statuses = new Set<string>();
    await expect
      .poll(
        async () => {
          const status = (await b.get<{ status: string }>(`/flow-delete-requests/${id}`)).body.status;
          statuses.add(status);
          return status;
        },
        { interval: 20 },
      )
      .toBe('done');
    expect(statuses).not.toContain('error');
    expect(vast.stats.faultsFired - fired).toBe(10);
    vast.faults.clear();
    for (const server of [a, b]) {
      expect(await server.runtime.store.segments.countFlow(flowId)).toBe(0);
      expect((await server.get(`/flows/${flowId}`)).status).toBe(404);
    }
    expect((await deletionRequest(a, id)).lease_owner).toBeUndefined();
  });

  it('leave alone a deletion request whose lease another replica holds', async () => {
    const held = await newFlow(a);
    await fillFlow(a, held, 8);
    // What a third replica's claim leaves: the request leased to it, for ten minutes.
    const now = new Date();
    const leased: DeletionRecord = {
      id: randomUUID(),
      flow_id: held,
      delete_flow: false,
      status: 'started',
      timerange_to_delete: TimeRange.ETERNITY,
      timerange_remaining: TimeRange.ETERNITY,
      created: now,
      updated: now,
      lease_owner: 'replica-c',
      lease_until: new Date(now.getTime() + 600_000),
    };
    await a.runtime.store.transaction((tx) => tx.deletions.insert(leased));
    // A later request, free: both servers' workers look at the older one first, and pass it by.
    const free = await newFlow(a);
    await fillFlow(a, free, 8);
    const res = await b.delete(`/flows/${free}/segments`);
    expect(res.status, res.text).toBe(202);
    const freeId = (res.body as { id: string }).id;
    await expect.poll(async () => (await deletionRequest(a, freeId)).status, { interval: 20 }).toBe('done');
    expect(await deletionRequest(b, leased.id)).toMatchObject({
      status: 'started',
      lease_owner: 'replica-c',
      timerange_remaining: TimeRange.ETERNITY,
    });
    expect(await b.runtime.store.segments.countFlow(held)).toBe(8);
    // Given up (as replica-c's shutdown would), it is taken and finished.
    await a.runtime.store.transaction(async (tx) => {
      const record = await tx.deletions.get(leased.id);
      if (record) await tx.deletions.save({ ...record, lease_owner: undefined, lease_until: undefined });
    });
    await expect
      .poll(async () => (await deletionRequest(a, leased.id)).status, { interval: 20 })
      .toBe('done');
    expect(await a.runtime.store.segments.countFlow(held)).toBe(0);
  });

  it('delete each media key once between them, and finish each queue row', async () => {
    const flowId = await newFlow(a);
    const objects = await allocate(a, flowId, { limit: 30 });
    const where: StoredBytes[] = [];
    for (const o of objects) {
      await upload(o);
      where.push(await storedBytes(a, o.object_id));
    }
    await addSegments(a, flowId, contiguous(objects.map((o) => o.object_id)));
    // Every S3 delete either server sends, by key.
    const deletes = new Map<string, number>();
    const storageId = (where[0] as StoredBytes).storageId;
    for (const server of [a, b]) {
      const backend = server.runtime.media.get(storageId);
      if (!backend) throw new Error('no S3 backend');
      const del = backend.delete.bind(backend);
      backend.delete = async (path: string) => {
        deletes.set(path, (deletes.get(path) ?? 0) + 1);
        await del(path);
      };
    }
    // 30 segments: a deletion request, carried out in chunks, each queueing its objects' bytes.
    expect((await b.delete(`/flows/${flowId}`)).status).toBe(202);
    await expect
      .poll(
        async () => {
          let left = 0;
          for (const w of where) if (await bytesExist(a, w)) left++;
          return left;
        },
        { interval: 50 },
      )
      .toBe(0);
    await expect.poll(() => a.runtime.store.mediaGc.backlog(), { interval: 20 }).toBe(0);
    const rows = (await a.runtime.db.select('media_gc')).filter((r) =>
      where.some((w) => w.path === r.storage_path),
    );
    // Each key once: deleted by one of the two, and its row (kept to delete the key again once
    // its PUT URL has expired) written once, with nothing left to retry.
    expect(
      [...deletes.values()].filter((n) => n !== 1),
      'keys deleted more than once',
    ).toEqual([]);
    expect(deletes.size).toBe(where.length);
    expect(rows).toHaveLength(where.length);
    for (const row of rows) expect(row).toMatchObject({ deleted: expect.any(Date), attempts: 0 });
  });

  it(
    'deliver every event to a webhook, in order, each from one replica at a time',
    async () => {
      const receiver: Receiver = await startReceiver();
      try {
        const reg = await a.post('/service/webhooks', {
          url: receiver.url,
          events: ['sources/created', 'flows/created'],
        });
        expect(reg.status, reg.text).toBe(201);
        const expected: string[] = [];
        for (let i = 0; i < 120; i++) {
          const flow = videoFlow();
          await createFlow(a, flow);
          expected.push(`sources/created ${flow.source_id}`, `flows/created ${flow.id}`);
        }
        const keyOf = (e: { event_type: string; event: Record<string, unknown> }) => {
          const subject = (e.event.flow ?? e.event.source) as { id: string };
          return `${e.event_type} ${subject.id}`;
        };
        await expect
          .poll(() => new Set(receiver.accepted().map(keyOf)).size, { interval: 50 })
          .toBe(expected.length);
        const received = receiver.accepted().map(keyOf);
        const firsts = [...new Set(received)];
        expect(firsts).toEqual(expected);
        // A replica delivers a webhook only while holding its lease, so nothing is sent twice
        // unless a lease was lost (then at most what was sent since the last progress write).
        const duplicates = received.length - firsts.length;
        console.info(`webhook on two replicas: ${received.length} deliveries, ${duplicates} duplicates`);
        expect(duplicates).toBeLessThanOrEqual(100);
      } finally {
        await receiver.close();
        await a.post('/service/webhooks', { url: receiver.url, events: [] });
      }
    },
    SLOW_TEST_MS,
  );
});

describe('housekeeping and registration of one allocated object on two replicas', () => {
  it('cannot both commit: the release, run again, finds the object in use', async () => {
    const flowId = await newFlow(a);
    const [object] = await allocate(a, flowId, { limit: 1 });
    const id = object?.object_id as string;
    let runs = 0;
    let releasing = false;
    let registered = () => {};
    const registration = new Promise<void>((resolve) => {
      registered = resolve;
    });
    // Replica a's housekeeping releases the allocation as abandoned; its transaction stays open
    // until replica b's registration of the object has committed.
    const release = a.runtime.store.transaction(async (tx: StoreTx) => {
      runs++;
      await tx.objects.tidyAllocations([], [id], new Date());
      releasing = true;
      await registration;
    });
    await waitFor('the release written, not committed', async () => releasing);
    const res = await b.post(`/flows/${flowId}/segments`, { object_id: id, timerange: '[0:0_10:0)' });
    expect(res.status, res.text).toBe(201);
    registered();
    await release;
    expect(runs).toBe(2);
    expect((await a.get(`/objects/${id}`)).status).toBe(200);
    const queued = (await a.runtime.db.select('media_gc')).filter((r) => r.object_id === id);
    expect(queued).toEqual([]);
    expect((await a.get<unknown[]>(`/flows/${flowId}/segments`)).body).toHaveLength(1);
  });

  it('take a job lease for one of two replicas asking at once', async () => {
    let arrived = 0;
    let both = () => {};
    const barrier = new Promise<void>((resolve) => {
      both = resolve;
    });
    const take = (server: TestServer, owner: string) =>
      server.runtime.store.transaction(async (tx) => {
        const took = await tx.leases.take('allocations', owner, new Date(), 60_000);
        if (++arrived === 2) both();
        await barrier;
        return took;
      });
    // Two more servers on the schema without workers: a and b's own housekeeping takes this lease
    // when it finds work, and a take that finds it held by them conflicts with nothing.
    const x = await startServer({ dataDir: data.path, env: ENV, workers: false });
    const y = await startServer({ dataDir: data.path, env: ENV, workers: false });
    try {
      const free = async () =>
        (await x.runtime.store.leases.holder('allocations', new Date())) === undefined ? true : undefined;
      await waitFor('the housekeeping lease to be free', free);
      // The last test of the file: a and b stop here (afterAll closes what is still open).
      await Promise.all([a, b].map((s) => s.close()));
      closed = true;
      const conflicts = vast.stats.conflicts;
      const taken = await Promise.all([take(x, 'replica-x'), take(y, 'replica-y')]);
      expect([...taken].sort()).toEqual([false, true]);
      expect(vast.stats.conflicts - conflicts).toBeGreaterThan(0);
    } finally {
      await x.close();
      await y.close();
    }
  });
});
