/**
 * Deletion requests shared by replicas through their lease (deletion.worker.ts): a request another
 * replica holds is not worked on; a worker whose lease was taken over drops its next chunk
 * unseen; a commit lost to other writers or a database that cannot serve leaves the request for
 * a later step instead of failing it for good. Workers are built here on a server's store (the
 * class the server runs), each with its own owner (a replica) and a clock the test moves.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONFLICT_RUNS } from '../../src/db/db.conflicts.ts';
import { DbConflictError, DbUnavailableError } from '../../src/db/db.errors.ts';
import type { DbSession, Engine } from '../../src/db/db.types.ts';
import { SHARED_TOPOLOGY } from '../../src/db/topology.ts';
import { DeletionWorker } from '../../src/deletion/deletion.worker.ts';
import type { DeletionRecord } from '../../src/store/deletions.repo.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { MovableClock } from '../media/media.gc.replay.ts';
import { fillFlow, newFlow } from './helpers.ts';

const LEASE_MS = 60_000;

/** An engine whose next transactions fail before they start, as `fail` says. */
function failing(engine: Engine): Engine & { fail: (() => Error)[] } {
  const wrapped = Object.create(engine) as Engine & { fail: (() => Error)[] };
  wrapped.fail = [];
  wrapped.transaction = <T>(fn: (tx: DbSession) => Promise<T>): Promise<T> => {
    const error = wrapped.fail.shift();
    return error ? Promise.reject(error()) : engine.transaction(fn);
  };
  return wrapped;
}

let server: TestServer;
let engine: ReturnType<typeof failing> | undefined;
const clock = new MovableClock();

beforeAll(async () => {
  server = await startServer({
    env: { TAMS_DELETE_SYNC_LIMIT: '5', TAMS_DELETE_CHUNK: '3' },
    workers: false,
    wrapEngine: (inner) => {
      engine = failing(inner);
      return engine;
    },
  });
});
afterAll(() => server?.close());

/** A replica's deletion worker on the server's store. */
function replica(owner: string): DeletionWorker {
  return new DeletionWorker({
    store: server.runtime.store,
    clock,
    owner,
    chunkSize: 3,
    leaseMs: LEASE_MS,
    retentionMs: 600_000,
    topology: SHARED_TOPOLOGY,
  });
}

/** A Flow of `n` segments and a request (202) deleting them all, not yet claimed. */
async function pending(n: number): Promise<{ flowId: string; id: string }> {
  const flowId = await newFlow(server);
  await fillFlow(server, flowId, n);
  const res = await server.delete(`/flows/${flowId}/segments`);
  expect(res.status, res.text).toBe(202);
  return { flowId, id: (res.body as { id: string }).id };
}

async function request(id: string): Promise<DeletionRecord> {
  const record = await server.runtime.store.deletions.get(id);
  if (!record) throw new Error(`no deletion request ${id}`);
  return record;
}

const segments = (flowId: string) => server.runtime.store.segments.countFlow(flowId);

describe('deletion requests under leases', () => {
  it('are not worked on while another replica holds their lease', async () => {
    const { flowId, id } = await pending(8);
    // What another replica's claim leaves.
    await server.runtime.store.transaction(async (tx) => {
      const record = (await tx.deletions.get(id)) as DeletionRecord;
      await tx.deletions.save({
        ...record,
        status: 'started',
        lease_owner: 'replica-b',
        lease_until: new Date(clock.now().getTime() + LEASE_MS),
      });
    });
    const a = replica('replica-a');
    expect(await a.step()).toBe(false);
    expect(await segments(flowId)).toBe(8);
    expect(await request(id)).toMatchObject({ status: 'started', lease_owner: 'replica-b' });

    // Once it lapses (replica-b died), replica-a takes it over and finishes it.
    clock.offsetMs += LEASE_MS + 1000;
    while (await a.step()) {}
    expect(await request(id)).toMatchObject({ status: 'done' });
    expect(await segments(flowId)).toBe(0);
  });

  it('a worker whose lease was taken over drops its next chunk, and the new holder finishes', async () => {
    const { flowId, id } = await pending(8);
    const a = replica('replica-a');
    const b = replica('replica-b');
    expect(await a.step()).toBe(true);
    expect(await segments(flowId)).toBe(5);
    // Kept between chunks, renewed by each.
    expect(await request(id)).toMatchObject({ status: 'started', lease_owner: 'replica-a' });

    // replica-a stalls past its lease; replica-b takes the request over and deletes a chunk.
    clock.offsetMs += LEASE_MS + 1000;
    expect(await b.step()).toBe(true);
    expect(await segments(flowId)).toBe(2);
    expect(await request(id)).toMatchObject({ status: 'started', lease_owner: 'replica-b' });

    // replica-a comes back to its request: it finds the lease gone and deletes nothing.
    const before = await request(id);
    expect(await a.step()).toBe(true);
    expect(await segments(flowId)).toBe(2);
    expect(await request(id)).toEqual(before);
    // And cannot claim it while replica-b holds it.
    expect(await a.step()).toBe(false);

    while (await b.step()) {}
    expect(await request(id)).toMatchObject({ status: 'done' });
    expect((await request(id)).lease_owner).toBeUndefined();
    expect(await segments(flowId)).toBe(0);
  });

  it('a commit lost to other writers or a database that cannot serve leaves the request to go on later', async () => {
    if (!engine) throw new Error('engine not wrapped');
    const { flowId, id } = await pending(8);
    const a = replica('replica-a');
    expect(await a.step()).toBe(true);
    expect(await segments(flowId)).toBe(5);

    // The store runs a transaction whose commit lost up to CONFLICT_RUNS times, then gives up.
    engine.fail.push(
      ...Array.from({ length: CONFLICT_RUNS }, () => () => new DbConflictError('test', 'injected')),
    );
    await expect(a.step()).rejects.toBeInstanceOf(DbConflictError);
    engine.fail.push(() => new DbUnavailableError('test', 'injected outage'));
    await expect(a.step()).rejects.toBeInstanceOf(DbUnavailableError);
    const record = await request(id);
    expect(record).toMatchObject({ status: 'started', lease_owner: 'replica-a' });
    expect(record.error).toBeUndefined();
    expect(await segments(flowId)).toBe(5);

    while (await a.step()) {}
    expect(await request(id)).toMatchObject({ status: 'done' });
    expect(await segments(flowId)).toBe(0);
  });

  it('any other failure marks the request error', async () => {
    if (!engine) throw new Error('engine not wrapped');
    const { id } = await pending(8);
    const a = replica('replica-a');
    expect(await a.step()).toBe(true);
    engine.fail.push(() => new Error('injected: a bug'));
    expect(await a.step()).toBe(true);
    expect(await request(id)).toMatchObject({
      status: 'error',
      error: { type: 'Error', summary: 'injected: a bug' },
    });
    expect((await request(id)).lease_owner).toBeUndefined();
  });
});
