/**
 * The object size follower and its backfill (src/analytics/analytics.sizes.ts,
 * analytics.backfill.ts): sizes recorded from the media backend after registration, each object
 * once, misses recorded; one replica at a time (the lease); the outbox held for it; the backfill
 * for objects registered before, misses asked again, orphans pruned; sizes going with their
 * objects as the follower comes to their deletion. Stepped by hand: no timing.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AnalyticsRuntime, analyticsFeature } from '../../src/analytics/analytics.feature.ts';
import type { SizeFollower } from '../../src/analytics/analytics.sizes.ts';
import { SIZES_CURSOR } from '../../src/analytics/analytics.sizes.ts';
import { objectSizes } from '../../src/analytics/store/sizes.repo.ts';
import { CELL_MAX_BYTES, jsonBytes } from '../../src/common/cells.ts';
import { OWNED_TOPOLOGY, SHARED_TOPOLOGY } from '../../src/db/topology.ts';
import { OBJECTS_DELETED, type ObjectsDeletedPayload } from '../../src/store/outbox/events.types.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { createFlow, videoFlow } from '../http/fixtures.ts';
import { type AllocatedObject, addSegments, allocate, fillFlow, upload } from '../segments/helpers.ts';

const quiet = { info: () => {}, warn: () => {}, error: () => {} };
let server: TestServer;
let analytics: AnalyticsRuntime;
let flow: string;
let objects: AllocatedObject[];

beforeAll(async () => {
  server = await startServer({ workers: false, env: { TAMS_ANALYTICS: 'true' } });
  analytics = server.runtime.features.get(analyticsFeature) as AnalyticsRuntime;
  const doc = videoFlow();
  await createFlow(server, doc);
  flow = doc.id as string;
  objects = await allocate(server, flow, { limit: 6 });
});
afterAll(async () => {
  await server?.close();
});

const id = (i: number) => (objects[i] as AllocatedObject).object_id;
const sizesOf = async (...ids: string[]) => {
  const rows = await objectSizes(server.runtime.store).get(ids);
  return Object.fromEntries(rows.map((r) => [r.objectId, r.size]));
};
/**
 * Registrations may commit through the embedded engine's append journal, whose rows the outbox's
 * readers see once DuckDB holds them (the server wakes its followers then): a read of the events
 * makes DuckDB take them now.
 */
const published = () => server.runtime.store.events.countAfter(0n);
async function drain(follower: SizeFollower): Promise<void> {
  while (await follower.step()) {
    // until the outbox is followed to its end
  }
}

describe('the object size follower', () => {
  it('records each registered object once, a miss as null, an external object unsized', async () => {
    await upload(objects[0] as AllocatedObject, Buffer.alloc(100));
    await upload(objects[1] as AllocatedObject, Buffer.alloc(200));
    await addSegments(server, flow, [
      { object_id: id(0), timerange: '[0:0_1:0)' },
      { object_id: id(1), timerange: '[1:0_2:0)' },
      { object_id: id(2), timerange: '[2:0_3:0)' },
      { object_id: id(0), timerange: '[3:0_4:0)' },
      { object_id: 'external-1', timerange: '[4:0_5:0)', get_urls: [{ url: 'http://media.invalid/e1' }] },
    ] as never);
    const follower = analytics.follower.create(quiet, 'replica-a', SHARED_TOPOLOGY);
    await drain(follower);
    expect(await sizesOf(id(0), id(1), id(2), 'external-1')).toEqual({
      [id(0)]: 100n,
      [id(1)]: 200n,
      [id(2)]: null,
      'external-1': null,
    });
    const [outside] = await objectSizes(server.runtime.store).get(['external-1']);
    expect(outside?.storageId).toBeUndefined();
    const [row] = await objectSizes(server.runtime.store).get([id(1)]);
    expect(row).toMatchObject({ flowId: flow, segStart: 1_000_000_000n });
    // Every event followed: the outbox need keep none for it.
    expect(await analytics.follower.holdBack()).toBe(await server.runtime.store.events.lastSeq());
    await follower.release();
  });

  it('takes turns under the lease: a replica does nothing while another holds it', async () => {
    const a = analytics.follower.create(quiet, 'replica-a', SHARED_TOPOLOGY);
    const b = analytics.follower.create(quiet, 'replica-b', SHARED_TOPOLOGY);
    await upload(objects[3] as AllocatedObject, Buffer.alloc(300));
    await addSegments(server, flow, { object_id: id(3), timerange: '[10:0_11:0)' });
    await published();
    expect(await a.step()).toBe(false);
    expect(await sizesOf(id(3))).toEqual({ [id(3)]: 300n });
    // a holds the lease (it released nothing: it had work): b's step leaves the next batch alone.
    await upload(objects[4] as AllocatedObject, Buffer.alloc(400));
    await addSegments(server, flow, { object_id: id(4), timerange: '[11:0_12:0)' });
    await published();
    expect(await b.step()).toBe(false);
    expect(await sizesOf(id(4))).toEqual({});
    await drain(a);
    expect(await a.step()).toBe(false);
    expect(await sizesOf(id(4))).toEqual({ [id(4)]: 400n });
    // Idle, a let the lease go: now b may work.
    await addSegments(server, flow, { object_id: id(5), timerange: '[12:0_13:0)' });
    await published();
    await drain(b);
    expect(await sizesOf(id(5))).toEqual({ [id(5)]: null });
    await b.release();
  });

  it('alone on its store, keeps its cursor in memory and sizes nothing twice after a crash', async () => {
    const { store } = server.runtime;
    const more = await allocate(server, flow, { limit: 2 });
    const ids = more.map((o) => o.object_id);
    // Every object here uploaded: no miss left for the backfill's test below to ask again.
    await upload(more[0] as AllocatedObject, Buffer.alloc(70));
    await upload(more[1] as AllocatedObject, Buffer.alloc(80));
    const written = await store.settings.get(SIZES_CURSOR);
    await addSegments(server, flow, [
      { object_id: ids[0] as string, timerange: '[30:0_31:0)' },
      { object_id: ids[1] as string, timerange: '[31:0_32:0)' },
    ]);
    await published();
    const a = analytics.follower.create(quiet, 'this-process', OWNED_TOPOLOGY);
    expect(await a.step()).toBe(false);
    expect(await sizesOf(...ids)).toEqual({ [ids[0] as string]: 70n, [ids[1] as string]: 80n });
    // The sizes are stored; the cursor past them is not yet.
    expect(await store.settings.get(SIZES_CURSOR)).toEqual(written);
    // a's memory gone (a crash): the next follower reads those events again, first uses and all.
    const b = analytics.follower.create(quiet, 'this-process', OWNED_TOPOLOGY);
    await drain(b);
    expect(await objectSizes(store).get(ids)).toHaveLength(2);
    // With nothing left to do, it writes its cursor: the outbox need keep nothing for it.
    expect(await b.step()).toBe(false);
    expect(await analytics.follower.holdBack()).toBe(await store.events.lastSeq());
    // Registered since b started: a first use is taken at its word, and sized once.
    await addSegments(server, flow, { object_id: ids[0] as string, timerange: '[32:0_33:0)' });
    const another = await allocate(server, flow, { limit: 1 });
    const newest = (another[0] as AllocatedObject).object_id;
    await upload(another[0] as AllocatedObject, Buffer.alloc(90));
    await addSegments(server, flow, { object_id: newest, timerange: '[33:0_34:0)' });
    await published();
    await drain(b);
    expect(await b.step()).toBe(false);
    expect(await objectSizes(store).get([...ids, newest])).toHaveLength(3);
    await b.release();
  });

  it('drops the sizes of objects deleted as it comes to their deletion in the outbox', async () => {
    const deleted = await server.delete(`/flows/${flow}/segments`, { query: { timerange: '[10:0_12:0)' } });
    expect(deleted.status).toBe(204);
    // The deletion only recorded which objects went: the rows are the follower's to drop.
    expect(await sizesOf(id(3), id(4))).toEqual({ [id(3)]: 300n, [id(4)]: 400n });
    await published();
    const follower = analytics.follower.create(quiet, 'replica-a', SHARED_TOPOLOGY);
    await drain(follower);
    expect(await sizesOf(id(3), id(4))).toEqual({});
    await follower.release();
  });

  it("drops every size of a Flow deleted whole whose objects fill more than one event's cell", async () => {
    const { store } = server.runtime;
    const doc = videoFlow();
    await createFlow(server, doc);
    const big = doc.id as string;
    // 39 bytes an id in the payload's list: 4,000 ids are ~156,000 bytes, over one cell.
    const ids = await fillFlow(server, big, 4000);
    await published();
    const follower = analytics.follower.create(quiet, 'replica-a', SHARED_TOPOLOGY);
    await drain(follower);
    expect(await objectSizes(store).get(ids)).toHaveLength(ids.length);
    const before = await store.events.lastSeq();
    expect((await server.delete(`/flows/${big}`)).status).toBe(204);
    const deleted = (await store.events.after(before, 1000)).filter((e) => e.event_type === OBJECTS_DELETED);
    expect(deleted.length).toBeGreaterThan(1);
    for (const event of deleted) expect(jsonBytes(event.payload)).toBeLessThanOrEqual(CELL_MAX_BYTES);
    const named = deleted.flatMap((e) => (e.payload as unknown as ObjectsDeletedPayload).object_ids);
    expect(named.sort()).toEqual([...ids].sort());
    await drain(follower);
    expect(await objectSizes(store).get(ids)).toEqual([]);
    await follower.release();
  });

  it('sizes no object deleted before it came to its registration', async () => {
    const [late] = await allocate(server, flow, { limit: 1 });
    const object = late as AllocatedObject;
    // Its bytes stay until the media GC (not running here) deletes them: a HEAD would find them.
    await upload(object, Buffer.alloc(50));
    await addSegments(server, flow, { object_id: object.object_id, timerange: '[40:0_41:0)' });
    const deleted = await server.delete(`/flows/${flow}/segments`, { query: { timerange: '[40:0_41:0)' } });
    expect(deleted.status).toBe(204);
    await published();
    const follower = analytics.follower.create(quiet, 'replica-a', SHARED_TOPOLOGY);
    await drain(follower);
    expect(await sizesOf(object.object_id)).toEqual({});
    expect(await analytics.follower.holdBack()).toBe(await server.runtime.store.events.lastSeq());
    await follower.release();
  });
});

describe('the size backfill', () => {
  it('sizes objects the follower never saw, asks misses again, prunes orphans', async () => {
    const { store } = server.runtime;
    const more = await allocate(server, flow, { limit: 2 });
    await upload(more[0] as AllocatedObject, Buffer.alloc(10));
    await addSegments(server, flow, [
      { object_id: (more[0] as AllocatedObject).object_id, timerange: '[20:0_21:0)' },
      { object_id: (more[1] as AllocatedObject).object_id, timerange: '[21:0_22:0)' },
      { object_id: 'external-2', timerange: '[22:0_23:0)', get_urls: [{ url: 'http://media.invalid/e2' }] },
    ] as never);
    // As if analytics had been off: the follower's cursor past these registrations.
    const last = await store.events.lastSeq();
    await store.transaction((tx) => tx.settings.set(SIZES_CURSOR, last.toString()));
    const orphan = { objectId: 'gone-object', size: 5n, checked: new Date(), storageId: 'x' };
    await store.transaction((tx) => objectSizes(tx).insert([orphan]));
    await upload(objects[5] as AllocatedObject, Buffer.alloc(600));
    const backfill = analytics.createBackfill('mgmt');
    const counts = await backfill.run({ prune: true, missing: true }, () => {});
    await backfill.release();
    expect(counts).toMatchObject({ sized: 1, missing: 1, found: 1, pruned: 1 });
    const ids = more.map((o) => o.object_id);
    expect(await sizesOf(...ids, id(5), 'gone-object')).toEqual({
      [ids[0] as string]: 10n,
      [ids[1] as string]: null,
      // Uploaded late: found by --missing.
      [id(5)]: 600n,
    });
    // The external object has its row too (unsized: no backend to miss its bytes or find them).
    expect(await sizesOf('external-2')).toEqual({ 'external-2': null });
    // Run again: nothing left to do.
    const again = analytics.createBackfill('mgmt');
    expect(await again.run({}, () => {})).toMatchObject({ sized: 0, missing: 0 });
    await again.release();
  });
});
