/**
 * On a remote engine every select, count, insert, update and delete is one round trip (VAST
 * DataBase: one HTTP request each; a transaction adds its begin and commit). Without the store's
 * cache every read of registration and of a segment page reaches the database, so their number
 * is what a client waits for. Counted here over real HTTP on the memory engine acting as a shared
 * database (a shared topology: no cache), by kind of call.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHARED_TOPOLOGY } from '../../src/db/topology.ts';
import { SLOW_TEST_MS } from '../helpers/deadlines.ts';
import { mountClient } from '../helpers/mounts.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { videoFlow } from '../http/fixtures.ts';
import { initSegmentsFlow } from '../http/fixtures.v82.ts';
import { addSegments, newFlow, objectIds } from '../segments/helpers.ts';
import { type CallStats, emptyCallStats, MemoryEngine } from '../support/db/contract/memory.engine.ts';
import type { Waves } from '../support/db/contract/memory.waves.ts';

let server: TestServer;
let engine: MemoryEngine;

beforeAll(async () => {
  // As VAST: no cache, ORDER BY and LIMIT not pushed down.
  engine = new MemoryEngine(
    { tables: new Map() },
    { topology: SHARED_TOPOLOGY, waves: true, pushdown: { orderBy: false, limit: false } },
  );
  server = await startServer({ engine, workers: false });
}, SLOW_TEST_MS);

afterAll(async () => {
  await server?.close();
});

/** The calls `request` made, by kind, and their sum (round trips). */
async function measure(
  request: () => Promise<unknown>,
): Promise<CallStats & { total: number; waves: number }> {
  const waves = engine.waves as Waves;
  engine.calls = emptyCallStats();
  waves.count = 0;
  await request();
  const calls = engine.calls;
  engine.calls = emptyCallStats();
  const total = Object.values(calls).reduce((a, b) => a + b, 0);
  return { ...calls, total, waves: waves.count };
}

const segment = (objectId: string, i: number) => ({ object_id: objectId, timerange: `[${i}:0_${i + 1}:0)` });

describe('round trips per request, without the store cache', () => {
  it('a segment page is one read of the Flow row and one of its segments', async () => {
    const flowId = await newFlow(server);
    const objects = await objectIds(server, flowId, 10);
    // Tenths of a second: the page of 5 lies in the first window of segments.window.ts.
    const tenth = (i: number) => `${Math.floor(i / 10)}:${(i % 10) * 100_000_000}`;
    await addSegments(
      server,
      flowId,
      objects.map((id, i) => ({ object_id: id, timerange: `[${tenth(i)}_${tenth(i + 1)})` })),
    );
    const calls = await measure(async () => {
      const res = await server.get(`/flows/${flowId}/segments`, { query: { limit: 5 } });
      expect(res.status, res.text).toBe(200);
      expect((res.body as unknown[]).length).toBe(5);
    });
    console.log('segment page:', calls);
    // The Flow's row (the windows' bounds, and whether it is being deleted) and one window: no
    // other read of the Flow.
    expect(calls.select).toBe(2);
    expect(calls.total).toBe(2);
  });

  it('a page of a time range or after a cursor reads its first window beside the Flow row', async () => {
    const flowId = await newFlow(server);
    const objects = await objectIds(server, flowId, 30);
    await addSegments(
      server,
      flowId,
      objects.map((id, i) => segment(id, i)),
    );
    let nextKey: string | undefined;
    const page = (query: Record<string, string | number>) =>
      measure(async () => {
        const res = await server.get(`/flows/${flowId}/segments`, { query: { limit: 5, ...query } });
        expect(res.status, res.text).toBe(200);
        expect((res.body as unknown[]).length).toBe(5);
        nextKey = res.headers.get('x-paging-nextkey') ?? undefined;
      });
    // The first page of a range: the window is guessed and the Flow's row read beside it; the
    // guess may fall short (more windows follow).
    const first = await page({ timerange: '[3:500000000_20:0)' });
    console.log('range page, first:', first);
    // The Flow's spacing is known from then on: begin, then the window and the Flow's row side
    // by side. Forward, the window holds the segment holding the range's start: no select for it.
    const again = await page({ timerange: '[10:500000000_25:0)' });
    console.log('range page, spacing known:', again);
    expect(again.waves).toBe(2);
    expect(again.select).toBe(2);
    expect(nextKey).toBeDefined();
    const next = await page({ timerange: '[10:500000000_25:0)', page: nextKey as string });
    expect(next.waves).toBe(2);
    expect(next.select).toBe(2);
    // Reverse, the scan stops at the segment holding the range's start: it is read beside them.
    const reverse = await page({ timerange: '[0:0_20:0)', reverse_order: 'true' });
    console.log('reverse range page:', reverse);
    expect(reverse.waves).toBe(2);
    expect(reverse.select).toBe(3);
  });

  it('a single-segment POST: begin, the reads of one table each, the writes, commit', async () => {
    const flowId = await newFlow(server);
    const objects = await objectIds(server, flowId, 2);
    await addSegments(server, flowId, segment(objects[0] as string, 0));
    const calls = await measure(() => addSegments(server, flowId, segment(objects[1] as string, 1)));
    console.log('single POST:', calls);
    expect(calls.begin).toBe(1);
    expect(calls.commit).toBe(1);
    // The Flow's row, its neighbouring segments, the object, its allocation and its uses, the
    // collections the event's filters need (the Flows of its Source, who collects them), and the
    // process's event slot (src/store/outbox/events.slots.ts: numbers unique across replicas).
    expect(calls.select + calls.count).toBeLessThanOrEqual(8);
    // The segment, the object's first use, the event; the Flow's envelope and the slot's high;
    // the allocation, gone at the object's first use (so that housekeeping releasing it
    // conflicts with this registration).
    expect(calls.insert).toBe(3);
    expect(calls.update).toBe(2);
    expect(calls.delete).toBe(1);
    expect(calls.total).toBeLessThanOrEqual(16);
    // On the response path: begin; every read side by side (the events' filter fields too: the
    // Flows of the Source and who collects them, from the Source this Flow had when last seen,
    // checked against its row); every write side by side; commit.
    expect(calls.waves).toBe(4);
  });

  it('a single 8.2 POST naming an init object: its instances read beside the collectors', async () => {
    const v8 = mountClient(server, '/tams/v8.2');
    const flow = initSegmentsFlow();
    expect((await v8.put(`/flows/${flow.id}`, flow)).status).toBe(201);
    const flowId = flow.id as string;
    const storage = async (body: Record<string, unknown>) => {
      const res = await v8.post<{ media_objects: { object_id: string }[] }>(`/flows/${flowId}/storage`, body);
      expect(res.status, res.text).toBe(201);
      return res.body.media_objects.map((o) => o.object_id);
    };
    const [init] = (await storage({ limit: 1, content_type: 'application/mp4' })) as [string];
    const objects = await storage({ limit: 2 });
    const post = (i: number) => async () => {
      const body = { ...segment(objects[i] as string, i), init_object_id: init };
      const res = await v8.post(`/flows/${flowId}/segments`, body);
      expect(res.status, res.text).toBe(201);
    };
    await post(0)();
    const calls = await measure(post(1));
    console.log('single 8.2 POST with an init object:', calls);
    // The init object is read with the media object (one select, as a 7.0 POST's); its
    // instances (the event's init_object lists their URLs, as GET does) are one select more, in
    // a wave the POST has anyway (17 calls and 5 waves before events carried init_object).
    expect(calls.select + calls.count).toBeLessThanOrEqual(9);
    expect(calls.total).toBeLessThanOrEqual(18);
    expect(calls.waves).toBe(5);
  });

  it('a PUT creating a Flow with a Source of its own: its writes and the reads they need', async () => {
    const flow = videoFlow({ tags: { genre: 'news', region: 'north' } });
    const calls = await measure(async () => {
      const res = await server.put(`/flows/${flow.id}`, flow);
      expect(res.status, res.text).toBe(201);
    });
    console.log('Flow create:', calls);
    expect(calls.begin).toBe(1);
    expect(calls.commit).toBe(1);
    // The event slot, the Flow's row (live or being deleted), the Source's row: nothing read
    // twice, nothing of the Flow or Source written in this transaction read back.
    expect(calls.select + calls.count).toBe(3);
    // The Source, the Flow, its tags, the events; the guard rows (Flow and Source together) and
    // the slot's high. Nothing deleted: a new Flow or Source has no tags to replace.
    expect(calls.insert).toBe(4);
    expect(calls.update).toBe(2);
    expect(calls.delete).toBe(0);
    // 31 calls in 22 waves before issue 62. On the response path: begin; the slot beside the
    // Flow's row; the guards; the Source's row; the inserts of the Source, the Flow and its
    // tags side by side; the events beside the slot's high; commit.
    expect(calls.total).toBe(11);
    expect(calls.waves).toBeLessThanOrEqual(7);
  });

  it('a PUT replacing a Flow rewrites only what changed', async () => {
    const flow = videoFlow({ tags: { genre: 'news' } });
    expect((await server.put(`/flows/${flow.id}`, flow)).status).toBe(201);
    const calls = await measure(async () => {
      const res = await server.put(`/flows/${flow.id}`, { ...flow, label: 'renamed' });
      expect(res.status, res.text).toBe(204);
    });
    console.log('Flow replacement:', calls);
    // The slot, the Flow's row, tags, collection and collectors; the event's filter fields (its
    // Source's Flows, who collects them). Its Source, unchanged, is not read.
    expect(calls.select + calls.count).toBeLessThanOrEqual(7);
    // Its row and the slot's high; the event. Its tags and collection, unchanged, stay.
    expect(calls.update).toBe(2);
    expect(calls.insert).toBe(1);
    expect(calls.delete).toBe(0);
    // 25 calls in 16 waves before issue 62.
    expect(calls.total).toBeLessThanOrEqual(12);
    expect(calls.waves).toBeLessThanOrEqual(8);
  });

  it('a tag PUT reads the Flow once and writes only its tags', async () => {
    const flow = videoFlow({ tags: { genre: 'news' } });
    expect((await server.put(`/flows/${flow.id}`, flow)).status).toBe(201);
    const calls = await measure(async () => {
      const res = await server.put(`/flows/${flow.id}/tags/region`, JSON.stringify('north'));
      expect(res.status, res.text).toBe(204);
    });
    console.log('tag PUT:', calls);
    // The slot, the Flow's row, tags, collection and collectors; the event's filter fields.
    // Not the Flow again for its event (4 reads more before issue 62), nor its collection
    // rewritten (a delete).
    expect(calls.select + calls.count).toBeLessThanOrEqual(7);
    expect(calls.delete).toBe(1);
    expect(calls.total).toBeLessThanOrEqual(14);
  });

  it('concurrent single POSTs to many Flows share their reads', async () => {
    const FLOWS = 24;
    const flows: string[] = [];
    for (let i = 0; i < FLOWS; i++) flows.push(await newFlow(server));
    const objects = await Promise.all(flows.map((id) => objectIds(server, id, 1)));
    const calls = await measure(() =>
      Promise.all(flows.map((id, i) => addSegments(server, id, segment(objects[i]?.[0] as string, 0)))),
    );
    console.log(`${FLOWS} concurrent single POSTs:`, calls);
    // However the POSTs fall into transactions, each transaction reads each table about once;
    // segments twice, side by side, for Flows it knows nothing of: a window from a little
    // before the new segments, and whether one from further back reaches them.
    expect(calls.select + calls.count).toBeLessThanOrEqual(9 * calls.begin);
    expect(calls.begin).toBeLessThan(FLOWS);
    // The first POST to a Flow reads its Source's Flows, then who collects them: two waves more.
    expect(calls.waves).toBeLessThanOrEqual(6 * calls.begin);
    const again = await measure(() =>
      Promise.all(flows.map((id, i) => addSegments(server, id, segment(objects[i]?.[0] as string, 1)))),
    );
    console.log(`${FLOWS} concurrent single POSTs again:`, again);
    // Re-using objects, a batch also reads their instances for its events (segments_added lists
    // an object's URLs as GET does): one wave more than a first use.
    expect(again.waves).toBeLessThanOrEqual(5 * again.begin);
  });
});
