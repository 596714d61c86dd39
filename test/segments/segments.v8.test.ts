/**
 * Segments and objects through TAMS 8.2 (/tams/v8.2): `include_object_timerange`, the objects'
 * `timerange` and `key_frame_count`, 8.2's registration rules, `flow_tag` and
 * `storage_backend_tag` filters; every answer valid against the 8.2 spec's own schemas, and what
 * the same store answers through 7.0 valid against 7.0's, as before.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mountClient } from '../helpers/mounts.ts';
import { type HttpClient, startServer, type TestServer } from '../helpers/server.ts';
import { assertSpecValid } from '../helpers/spec-schemas.ts';
import { spec82 } from '../helpers/spec82-schemas.ts';
import { type Doc, expectError, getAndHead, nextLink, putValue } from '../http/fixtures.ts';
import { addSegments, allocate, getSegments, newFlow, objectIds, secs } from './helpers.ts';

let server: TestServer;
let v8: HttpClient;
beforeAll(async () => {
  server = await startServer({ workers: false });
  v8 = mountClient(server, '/tams/v8.2');
});
afterAll(() => server.close());

type Segment = Doc & { object_id: string; timerange: string; object_timerange?: string; get_urls?: Doc[] };

/** GET (and HEAD) of a Flow's segments through 8.2, valid against 8.2's flow-segment.json. */
async function segments82(flowId: string, query: Record<string, string | number | boolean> = {}) {
  const res = await getAndHead<Segment[]>(v8, `/flows/${flowId}/segments`, { query });
  expect(res.status, res.text).toBe(200);
  spec82.assertSpecValid('flow-segment.json[]', res.body);
  return res;
}

async function object82(id: string, query: Record<string, string | number | boolean> = {}) {
  const res = await getAndHead<Doc>(v8, `/objects/${encodeURIComponent(id)}`, { query });
  expect(res.status, res.text).toBe(200);
  spec82.assertSpecValid('object.json', res.body);
  return res.body;
}

/** An ingest through 7.0 (the 8.2 mount serves no Flows or storage yet): three objects. */
async function ingest(): Promise<{ flowId: string; ids: [string, string, string] }> {
  const flowId = await newFlow(server);
  const ids = (await objectIds(server, flowId, 3)) as [string, string, string];
  await addSegments(server, flowId, [
    { object_id: ids[0], timerange: secs(0, 10), key_frame_count: 2 },
    { object_id: ids[1], timerange: secs(10, 20), ts_offset: '10:0' },
    { object_id: ids[2], timerange: secs(20, 30) },
  ]);
  return { flowId, ids };
}

describe('GET /tams/v8.2/flows/{flowId}/segments', () => {
  it("gives each segment's object timerange when asked, and 7.0 answers as before", async () => {
    const { flowId, ids } = await ingest();
    const edit = await newFlow(server);
    // An edit through 7.0 with the sample counts 7.0 readers use (BBC's 7.0 simple_edit.py).
    await addSegments(server, edit, [
      { object_id: ids[1], timerange: secs(0, 4), ts_offset: '-2:0', sample_offset: 50, sample_count: 100 },
      { object_id: ids[2], timerange: secs(4, 14), ts_offset: '-16:0' },
    ]);
    const plain = await segments82(flowId);
    for (const s of plain.body) expect(s).not.toHaveProperty('object_timerange');
    const asked = await segments82(flowId, { include_object_timerange: true });
    expect(asked.body.map((s) => s.object_timerange)).toEqual([secs(0, 10), secs(0, 10), secs(20, 30)]);
    // The same segments otherwise (but for the URLs' signatures, made per request).
    const bare = (s: Segment) => {
      const { object_timerange: _range, get_urls: _urls, ...rest } = s;
      return rest;
    };
    expect(asked.body.map(bare)).toEqual(plain.body.map(bare));
    const edited = await segments82(edit, { include_object_timerange: true });
    expect(edited.body.map((s) => [s.object_timerange, s.sample_offset])).toEqual([
      [secs(0, 10), 50],
      [secs(20, 30), undefined],
    ]);
    // 7.0 as it always was: no object timerange, valid against 7.0's schema.
    const seven = await getSegments(server, edit);
    for (const s of seven.body) expect(s).not.toHaveProperty('object_timerange');
    const old = await getSegments(mountClient(server, '/tams/v7.0'), edit);
    expect(old.body.map((s) => s.timerange)).toEqual([secs(0, 4), secs(4, 14)]);
  });

  it("pages with links under /tams/v8.2, and filters get_urls by their backends' tags", async () => {
    const { flowId } = await ingest();
    const first = await segments82(flowId, { limit: 2, include_object_timerange: true });
    const next = nextLink(first);
    expect(next).toContain('/tams/v8.2/flows/');
    const rest = await getAndHead<Segment[]>(v8, next as string);
    spec82.assertSpecValid('flow-segment.json[]', rest.body);
    expect(rest.body.map((s) => s.object_timerange)).toEqual([secs(20, 30)]);
    // No storage backend has tags: no URL matches a tag value or a tag's presence.
    const filters: Record<string, string | boolean>[] = [
      { 'storage_backend_tag.site': 'a' },
      { 'storage_backend_tag_exists.site': true },
    ];
    for (const query of filters) {
      const none = await segments82(flowId, query);
      expect(none.body.map((s) => s.get_urls ?? [])).toEqual([[], [], []]);
    }
    const all = await segments82(flowId, { 'storage_backend_tag_exists.site': false });
    for (const s of all.body) expect(s.get_urls?.length).toBeGreaterThan(0);
  });
});

describe('POST /tams/v8.2/flows/{flowId}/segments', () => {
  it('registers with an object timerange, and refuses what 8.2 refuses with the TAMS error body', async () => {
    const flowId = await newFlow(server);
    const [a, b] = (await objectIds(server, flowId, 2)) as [string, string];
    const created = await v8.post(`/flows/${flowId}/segments`, {
      object_id: a,
      timerange: secs(0, 10),
      object_timerange: '[-5:0_15:0)',
      key_frame_count: 4,
    });
    expect(created.status, created.text).toBe(201);
    expect(await object82(a)).toMatchObject({ timerange: '[-5:0_15:0)', key_frame_count: 4 });
    const refusals: [Doc, string][] = [
      [
        { object_id: a, timerange: secs(10, 20), ts_offset: '10:0', key_frame_count: 1 },
        'key_frame_count 1 conflicts',
      ],
      [{ object_id: a, timerange: secs(20, 40), ts_offset: '20:0' }, 'is not within the timerange of object'],
      [
        { object_id: b, timerange: secs(40, 50), object_timerange: secs(41, 50) },
        'is not within the timerange',
      ],
      [
        { object_id: b, timerange: secs(40, 50), init_object_id: 'init-1' },
        'init_object_id init-1 is unknown',
      ],
      [
        { object_id: b, timerange: secs(40, 50), get_urls: [{ url: 'http://x.invalid/b' }] },
        'label is required',
      ],
    ];
    for (const [body, message] of refusals) {
      const res = await v8.post(`/flows/${flowId}/segments`, body);
      expectError(res, 400);
      expect((res.body as Doc).summary).toContain(message);
    }
    // In an array: 200 with the failed ones, the others registered.
    const bulk = await v8.post(`/flows/${flowId}/segments`, [
      { object_id: b, timerange: secs(40, 50) },
      { object_id: a, timerange: secs(50, 52), ts_offset: '45:0', key_frame_count: 3 },
    ]);
    expect(bulk.status, bulk.text).toBe(200);
    spec82.assertSpecValid('flow-segment-bulk-failure.json', bulk.body);
    expect((bulk.body as { failed_segments: Doc[] }).failed_segments.map((f) => f.timerange)).toEqual([
      secs(50, 52),
    ]);
    // 7.0 takes what 8.2 refused.
    await addSegments(server, flowId, {
      object_id: a,
      timerange: secs(60, 80),
      ts_offset: '60:0',
      key_frame_count: 1,
    });
    const listed = await segments82(flowId, { include_object_timerange: true });
    expect(listed.body.map((s) => [s.timerange, s.object_timerange, s.key_frame_count])).toEqual([
      [secs(0, 10), '[-5:0_15:0)', 4],
      [secs(40, 50), secs(40, 50), undefined],
      [secs(60, 80), '[-5:0_15:0)', 1],
    ]);
    const deleted = await v8.delete(`/flows/${flowId}/segments`, { query: { timerange: secs(60, 80) } });
    expect(deleted.status).toBe(204);
  });

  it("accepts 8.2's request example (flow-segment-post.json) as a segment of an object allocated here", async () => {
    const example = spec82.specExample('flow-segment-post.json') as Doc;
    const flowId = await newFlow(server);
    // The example's object id is one its own store allocated: this store's allocation stands in.
    const [objectId] = await objectIds(server, flowId, 1);
    const posted = await v8.post(`/flows/${flowId}/segments`, { ...example, object_id: objectId });
    expect(posted.status, posted.text).toBe(201);
    const listed = (await segments82(flowId)).body;
    expect(listed.map((s) => [s.object_id, s.timerange])).toEqual([[objectId, example.timerange]]);
  });
});

describe('GET /tams/v8.2/objects/{objectId}', () => {
  it('gives the timerange and key_frame_count; 7.0 gives neither; flow_tag filters the Flows', async () => {
    const { flowId, ids } = await ingest();
    const other = await newFlow(server);
    await addSegments(server, other, { object_id: ids[0], timerange: secs(100, 105), ts_offset: '100:0' });
    expect((await putValue(server, `/flows/${other}/tags/genre`, 'news')).status).toBe(204);
    const { get_urls: urls, ...rest } = await object82(ids[0]);
    expect(rest).toEqual({
      id: ids[0],
      referenced_by_flows: [flowId, other].sort(),
      first_referenced_by_flow: flowId,
      timerange: secs(0, 10),
      key_frame_count: 2,
    });
    // Its own storage's URLs, as its segments have them.
    const [segment] = (await getSegments(server, flowId)).body;
    expect((urls as Doc[]).map((u) => u.label)).toEqual(segment?.get_urls?.map((u) => u.label));
    expect(await object82(ids[1])).toMatchObject({ timerange: secs(0, 10) });
    // A comma-separated list, its commas written as they are (an encoded one is part of a value).
    const listed = await getAndHead<Doc>(v8, `/objects/${ids[0]}?flow_tag.genre=sport,news`);
    expect(listed.status).toBe(200);
    spec82.assertSpecValid('object.json', listed.body);
    expect(listed.body).toMatchObject({ referenced_by_flows: [other] });
    expect(await object82(ids[0], { 'flow_tag.genre': 'sport,news' })).toMatchObject({
      referenced_by_flows: [],
    });
    expect(await object82(ids[0], { 'flow_tag_exists.genre': false })).toMatchObject({
      referenced_by_flows: [flowId],
      first_referenced_by_flow: flowId,
    });
    const seven = await getAndHead<Doc>(server, `/objects/${ids[0]}`);
    assertSpecValid('object.json', seven.body);
    expect(Object.keys(seven.body).sort()).toEqual(['first_referenced_by_flow', 'id', 'referenced_by_flows']);
    // Allocated but not registered: 404 (8.1), in both.
    const [pending] = await allocate(server, flowId);
    expectError(await v8.get(`/objects/${pending?.object_id}`), 404);
  });
});
