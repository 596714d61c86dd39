/**
 * Flows and Sources written through one TAMS version and read through the other, on one store:
 * every answer valid against the schemas of the version answering (7.0's at / and /tams/v7.0,
 * 8.2's at /tams/v8.2), and a write through one version keeping what it cannot see of the
 * other's (docs/api-versions.md, "TAMS 7.0 and 8.2").
 */
import { describe, expect, it } from 'vitest';
import { mountedServer } from '../helpers/mounts.ts';
import { assertSpecValid } from '../helpers/spec-schemas.ts';
import { spec82 } from '../helpers/spec82-schemas.ts';
import { audioFlow, createFlow, type Doc, getAndHead, multiFlow, uuid, videoFlow } from './fixtures.ts';

const { server, v7, v8 } = mountedServer({ workers: false });

/** 7.0's answer at / and at /tams/v7.0 (the same), valid against 7.0's `schema`. */
async function read70(path: string, schema: string): Promise<Doc> {
  const [root, mounted] = [await getAndHead<Doc>(server, path), await getAndHead<Doc>(v7, path)];
  expect(root.status, root.text).toBe(200);
  assertSpecValid(schema, root.body);
  expect(mounted.body).toEqual(root.body);
  return root.body;
}

async function read82(path: string, schema: string): Promise<Doc> {
  const res = await getAndHead<Doc>(v8, path);
  expect(res.status, res.text).toBe(200);
  spec82.assertSpecValid(schema, res.body);
  return res.body;
}

async function put82(flow: Doc, status = 201): Promise<void> {
  const res = await v8.put(`/flows/${flow.id}`, flow);
  expect(res.status, res.text).toBe(status);
}

const essence = (doc: Doc) => doc.essence_parameters as Doc;

describe('written through 8.2, read through 7.0', () => {
  it('a Flow with status, vfr, init_segments and list tags is a plain 7.0 Flow', async () => {
    const flow = videoFlow({ status: 'ingesting', tags: { owner: 'me', langs: ['en', 'cy'] } });
    flow.essence_parameters = { frame_width: 1280, frame_height: 720, vfr: true, init_segments: true };
    await put82(flow);
    const seven = await read70(`/flows/${flow.id}`, 'flow.json');
    expect(seven.status).toBeUndefined();
    expect(essence(seven)).toEqual({ frame_width: 1280, frame_height: 720 });
    expect(seven.tags).toEqual({ owner: 'me' });
    const listed = await getAndHead<Doc[]>(server, '/flows', {
      query: { source_id: flow.source_id as string },
    });
    assertSpecValid('flow.json[]', listed.body);
    expect(listed.body).toEqual([seven]);
    const eight = await read82(`/flows/${flow.id}`, 'flow-get.json');
    expect(eight).toMatchObject({ status: 'ingesting', tags: { owner: 'me', langs: ['en', 'cy'] } });
  });

  it('collection items without a role: role "" in 7.0, none in 8.2; so in Source collections', async () => {
    const members = [audioFlow(), audioFlow({ tags: { side: 'right' } })];
    for (const member of members) await put82(member);
    const collector = multiFlow({
      flow_collection: [{ id: members[0]?.id }, { id: members[1]?.id, role: 'R' }],
    });
    await put82(collector);
    const seven = await read70(`/flows/${collector.id}`, 'flow.json');
    expect(seven.flow_collection).toEqual([
      { id: members[0]?.id, role: '' },
      { id: members[1]?.id, role: 'R' },
    ]);
    const items = await read70(`/flows/${collector.id}/flow_collection`, 'flow-collection.json');
    expect(items).toEqual(seven.flow_collection);
    const source7 = await read70(`/sources/${collector.source_id}`, 'source.json');
    expect(source7.source_collection).toEqual([
      { id: members[0]?.source_id, role: '' },
      { id: members[1]?.source_id, role: 'R' },
    ]);
    const source8 = await read82(`/sources/${collector.source_id}`, 'source.json');
    expect(source8.source_collection).toEqual([
      { id: members[0]?.source_id },
      { id: members[1]?.source_id, role: 'R' },
    ]);
    const sources = await getAndHead<Doc[]>(v8, '/sources', {
      query: { collected_by_ids: collector.source_id as string },
    });
    spec82.assertSpecValid('source.json[]', sources.body);
    expect(sources.body.map((s) => s.id).sort()).toEqual(members.map((m) => m.source_id).sort());
    const top = await getAndHead<Doc[]>(v8, '/sources', { query: { collected_by_ids: '', limit: 1000 } });
    spec82.assertSpecValid('source.json[]', top.body);
    const topIds = top.body.map((s) => s.id);
    expect(topIds).toContain(collector.source_id);
    for (const member of members) expect(topIds).not.toContain(member.source_id);
    // A 7.0 client GETs and PUTs the collection back: role "" is still "no role".
    expect((await server.put(`/flows/${collector.id}/flow_collection`, items)).status).toBe(204);
    const back = await read82(`/flows/${collector.id}/flow_collection`, 'flow-collection.json');
    expect(back).toEqual([{ id: members[0]?.id }, { id: members[1]?.id, role: 'R' }]);
  });
});

describe('a 7.0 write over what only 8.2 sees', () => {
  it('a 7.0 GET-then-PUT keeps status, vfr, init_segments and list tags', async () => {
    const flow = videoFlow({ status: 'closed_complete', tags: { langs: ['en'] } });
    flow.essence_parameters = { frame_width: 640, frame_height: 480, vfr: true, init_segments: true };
    await put82(flow);
    for (const client of [server, v7]) {
      const seen = await read70(`/flows/${flow.id}`, 'flow.json');
      expect((await client.put(`/flows/${flow.id}`, { ...seen, label: 'relabelled' })).status).toBe(204);
      const eight = await read82(`/flows/${flow.id}`, 'flow-get.json');
      expect(eight).toMatchObject({
        label: 'relabelled',
        status: 'closed_complete',
        tags: { langs: ['en'] },
      });
      expect(essence(eight)).toEqual({ frame_width: 640, frame_height: 480, vfr: true, init_segments: true });
    }
  });

  it('a 7.0 PUT that sets a frame_rate ends vfr; init_segments stays', async () => {
    const flow = audioFlow();
    const video = videoFlow({ id: flow.id, source_id: flow.source_id, status: 'ingesting' });
    video.essence_parameters = { frame_width: 640, frame_height: 480, vfr: true, init_segments: true };
    await put82(video);
    const seen = await read70(`/flows/${flow.id}`, 'flow.json');
    const fixed = { ...essence(seen), frame_rate: { numerator: 30000, denominator: 1001 } };
    expect((await server.put(`/flows/${flow.id}`, { ...seen, essence_parameters: fixed })).status).toBe(204);
    const eight = await read82(`/flows/${flow.id}`, 'flow-get.json');
    expect(essence(eight)).toEqual({ ...fixed, init_segments: true });
    expect(eight.status).toBe('ingesting');
  });
});

describe('written through 7.0, read through 8.2', () => {
  it('a video Flow without a frame_rate reads as vfr: true; 7.0 sees it as it wrote it', async () => {
    const flow = videoFlow({ essence_parameters: { frame_width: 1920, frame_height: 1080 } });
    const created = await createFlow(server, flow);
    const eight = await read82(`/flows/${flow.id}`, 'flow-get.json');
    expect(essence(eight)).toEqual({ frame_width: 1920, frame_height: 1080, vfr: true });
    expect(await read70(`/flows/${flow.id}`, 'flow.json')).toEqual(created);
    // An 8.2 client GETs and PUTs it back: now stored as variable.
    await put82(eight, 204);
    expect(essence(await read70(`/flows/${flow.id}`, 'flow.json'))).toEqual(essence(created));
  });

  it("a multi Flow's free-form parameters: 8.2 sees init_segments only, 7.0 all of them", async () => {
    const free = multiFlow({ essence_parameters: { streams: 3 } });
    const init = multiFlow({ essence_parameters: { init_segments: true, streams: 2 } });
    for (const flow of [free, init]) await createFlow(server, flow);
    expect((await read82(`/flows/${free.id}`, 'flow-get.json')).essence_parameters).toBeUndefined();
    expect((await read82(`/flows/${init.id}`, 'flow-get.json')).essence_parameters).toEqual({
      init_segments: true,
    });
    expect(essence(await read70(`/flows/${init.id}`, 'flow.json'))).toEqual({
      init_segments: true,
      streams: 2,
    });
    const listed = await getAndHead<Doc[]>(v8, '/flows', {
      query: { init_segments: true, source_id: init.source_id as string },
    });
    expect(listed.body.map((f) => f.id)).toEqual([init.id]);
    // 8.2 replaces what it writes: the parameters 7.0 gave are gone.
    const { essence_parameters: _e, ...bare } = await read82(`/flows/${free.id}`, 'flow-get.json');
    await put82(bare, 204);
    expect((await read70(`/flows/${free.id}`, 'flow.json')).essence_parameters).toBeUndefined();
  });

  it("a 7.0 client's own `status` property stays 7.0's: echoed by 7.0, not 8.2's status", async () => {
    const group = uuid();
    const flow = videoFlow({ status: 'not a flow-status', tags: { group } });
    await createFlow(server, flow);
    expect((await read70(`/flows/${flow.id}`, 'flow.json')).status).toBe('not a flow-status');
    expect((await read82(`/flows/${flow.id}`, 'flow-get.json')).status).toBeUndefined();
    const listed = await getAndHead<Doc[]>(v8, '/flows', {
      query: { 'tag.group': group, status: 'ingesting' },
    });
    expect(listed.body).toEqual([]);
  });

  it('list filters of 8.2 find 7.0 writes: tags, collected_by_ids', async () => {
    const member = videoFlow({ tags: { kind: 'a,b' } });
    await createFlow(server, member);
    const collector = multiFlow({ flow_collection: [{ id: member.id, role: 'v' }] });
    await createFlow(server, collector);
    const byTag = await getAndHead<Doc[]>(v8, '/flows?tag.kind=a%2Cb');
    spec82.assertSpecValid('flow-get.json[]', byTag.body);
    expect(byTag.body.map((f) => f.id)).toEqual([member.id]);
    const collected = await getAndHead<Doc[]>(v8, '/flows', {
      query: { collected_by_ids: collector.id as string },
    });
    expect(collected.body.map((f) => f.id)).toEqual([member.id]);
    const top = await getAndHead<Doc[]>(v8, '/flows', {
      query: { collected_by_ids: '', source_id: collector.source_id as string },
    });
    expect(top.body.map((f) => f.id)).toEqual([collector.id]);
    const none = await getAndHead<Doc[]>(v8, '/flows', {
      query: { collected_by_ids: '', source_id: member.source_id as string },
    });
    expect(none.body).toEqual([]);
  });
});
