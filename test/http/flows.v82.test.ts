/**
 * The Flows and Sources of TAMS 8.2 at /tams/v8.2: the Flow fields 8.2 adds (`status`, `vfr`,
 * `init_segments`, a multi Flow's parameters, `metadata_version` on creation, `profile_id`), the
 * property endpoints as 8.2 has them (8.1's label rule), `GET /`, and deletion. Every answer is
 * checked against 8.2's own schemas.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mountClient } from '../helpers/mounts.ts';
import { type HttpClient, startServer, type TestServer } from '../helpers/server.ts';
import { spec82 } from '../helpers/spec82-schemas.ts';
import {
  audioFlow,
  type Doc,
  expectError,
  getAndHead,
  multiFlow,
  uuid,
  VIDEO,
  videoFlow,
} from './fixtures.ts';
import { createFlow82, getFlow82 } from './fixtures.v82.ts';

let server: TestServer;
let v8: HttpClient;
beforeAll(async () => {
  server = await startServer({ workers: false });
  v8 = mountClient(server, '/tams/v8.2');
});
afterAll(async () => {
  await server?.close();
});

async function list82(query: Record<string, string | number | boolean>): Promise<string[]> {
  const res = await getAndHead<Doc[]>(v8, '/flows', { query });
  expect(res.status, res.text).toBe(200);
  spec82.assertSpecValid('flow-get.json[]', res.body);
  return res.body.map((f) => f.id as string);
}

const value = (client: HttpClient, path: string, body: unknown) => client.put(path, JSON.stringify(body));

describe('GET / at /tams/v8.2', () => {
  it('lists the Flows and Sources beside the service', async () => {
    const res = await getAndHead<string[]>(v8, '/');
    expect(res.body).toEqual(expect.arrayContaining(['service', 'flows', 'sources']));
  });
});

describe('status (flow-status.json)', () => {
  it('is written and read through 8.2, filtered on, and refused outside its values', async () => {
    const group = uuid();
    const flow = videoFlow({ status: 'ingesting', tags: { group } });
    expect((await createFlow82(v8, flow)).status).toBe('ingesting');
    await createFlow82(v8, videoFlow({ status: 'closed_complete', tags: { group } }));
    await createFlow82(v8, videoFlow({ tags: { group } }));
    expect(await list82({ 'tag.group': group, status: 'ingesting' })).toEqual([flow.id]);
    expectError(await v8.put(`/flows/${flow.id}`, { ...flow, status: 'finished' }), 400);
    expectError(await v8.get('/flows', { query: { status: 'finished' } }), 400);
    const { status: _gone, ...rest } = flow;
    expect((await v8.put(`/flows/${flow.id}`, rest)).status).toBe(204);
    expect((await getFlow82(v8, flow.id as string)).status).toBeUndefined();
  });
});

describe('frame_rate unless vfr (ADR 0041)', () => {
  const params = { frame_width: 1920, frame_height: 1080 };

  it('a video Flow has a frame_rate, or vfr: true and none', async () => {
    const fixed = await createFlow82(v8, videoFlow());
    expect((fixed.essence_parameters as Doc).vfr).toBeUndefined();
    const variable = videoFlow({ essence_parameters: { ...params, vfr: true } });
    expect((await createFlow82(v8, variable)).essence_parameters).toEqual({ ...params, vfr: true });
    const explicit = videoFlow({
      essence_parameters: { ...params, vfr: false, frame_rate: { numerator: 50 } },
    });
    expect((await createFlow82(v8, explicit)).essence_parameters).toMatchObject({ vfr: false });
  });

  it('refuses a video Flow without a frame_rate, or with one and vfr: true, storing nothing', async () => {
    for (const [essence, message] of [
      [params, 'body.essence_parameters.frame_rate is required unless vfr is true'],
      [{ ...params, vfr: false }, 'body.essence_parameters.frame_rate is required unless vfr is true'],
      [
        { ...params, vfr: true, frame_rate: { numerator: 25 } },
        'body.essence_parameters.frame_rate must not be set',
      ],
    ] as const) {
      const flow = videoFlow({ essence_parameters: essence });
      const res = await v8.put<Doc>(`/flows/${flow.id}`, flow);
      expectError(res, 400);
      expect(res.body.summary).toContain(message);
      expectError(await v8.get(`/flows/${flow.id}`), 404);
    }
    expectError(
      await v8.put(`/flows/${uuid()}`, videoFlow({ essence_parameters: { ...params, vfr: 'yes' } })),
      400,
    );
  });
});

describe('essence_parameters of 8.2', () => {
  it('init_segments on video, audio and multi Flows, and the init_segments filter', async () => {
    const group = uuid();
    const video = videoFlow({ tags: { group } });
    (video.essence_parameters as Doc).init_segments = true;
    const audio = audioFlow({ tags: { group } });
    (audio.essence_parameters as Doc).init_segments = false;
    const multi = multiFlow({ tags: { group }, essence_parameters: { init_segments: true } });
    const plain = videoFlow({ tags: { group } });
    for (const flow of [video, audio, multi, plain]) await createFlow82(v8, flow);
    expect((await getFlow82(v8, multi.id as string)).essence_parameters).toEqual({ init_segments: true });
    expect((await list82({ 'tag.group': group, init_segments: true })).sort()).toEqual(
      [video.id, multi.id].sort(),
    );
    expect((await list82({ 'tag.group': group, init_segments: false })).sort()).toEqual(
      [audio.id, plain.id].sort(),
    );
  });

  it("refuses a multi Flow's parameters other than init_segments", async () => {
    expectError(await v8.put(`/flows/${uuid()}`, multiFlow({ essence_parameters: { streams: 2 } })), 400);
    const image: Doc = { ...videoFlow(), format: 'urn:x-tam:format:image', codec: 'image/jpeg' };
    image.essence_parameters = { frame_width: 10, frame_height: 10, init_segments: true };
    expectError(await v8.put(`/flows/${image.id}`, image), 400);
  });
});

describe('metadata_version', () => {
  it("keeps a client's metadata_version when 8.2 creates the Flow, and sets new ones on change", async () => {
    const flow = videoFlow({ metadata_version: 'replicated-7' });
    expect((await createFlow82(v8, flow)).metadata_version).toBe('replicated-7');
    expect((await v8.put(`/flows/${flow.id}`, flow)).status).toBe(204);
    expect((await getFlow82(v8, flow.id as string)).metadata_version).toBe('replicated-7');
    expect((await v8.put(`/flows/${flow.id}`, { ...flow, label: 'moved' })).status).toBe(204);
    const changed = await getFlow82(v8, flow.id as string);
    expect(changed.metadata_version).not.toBe('replicated-7');
    expect((await v8.put(`/flows/${flow.id}`, { ...flow, metadata_version: 'mine' })).status).toBe(204);
    expect((await getFlow82(v8, flow.id as string)).metadata_version).not.toBe('mine');
  });

  it('ignores one through 7.0, as 7.0 always did', async () => {
    const flow = videoFlow({ metadata_version: 'replicated-7' });
    const res = await server.put<Doc>(`/flows/${flow.id}`, flow);
    expect(res.status).toBe(201);
    expect(res.body.metadata_version).not.toBe('replicated-7');
  });
});

describe('profile_id', () => {
  it('a Profile this store does not hold is a 400; with technical metadata too, a 400', async () => {
    const profile = uuid();
    const { format: _f, codec: _c, essence_parameters: _e, container: _k, ...common } = videoFlow();
    const res = await v8.put<Doc>(`/flows/${common.id}`, { ...common, profile_id: profile });
    expectError(res, 400);
    expect(res.body.summary).toContain(profile);
    const both = videoFlow({ profile_id: profile });
    const refused = await v8.put<Doc>(`/flows/${both.id}`, both);
    expectError(refused, 400);
    expect(refused.body.summary).toContain('not both');
    expectError(await v8.get(`/flows/${both.id}`), 404);
  });

  it('an empty profile_id with full metadata is a Flow without a Profile', async () => {
    const flow = videoFlow({ profile_id: '' });
    expect((await createFlow82(v8, flow)).profile_id).toBeUndefined();
    expect(await list82({ profile_id: uuid() })).toEqual([]);
  });
});

describe('property endpoints through 8.2', () => {
  it('label: "" when unset (8.1), where 7.0 answers 404; set, read, deleted', async () => {
    const flow = await createFlow82(v8, videoFlow());
    const path = `/flows/${flow.id}/label`;
    expect((await getAndHead(v8, path)).body).toBe('');
    expectError(await server.get(path), 404);
    expect((await value(v8, path, 'camera 1')).status).toBe(204);
    expect((await getAndHead(v8, path)).body).toBe('camera 1');
    expect((await v8.delete(path)).status).toBe(204);
    expect((await getAndHead(v8, path)).body).toBe('');
    expectError(await v8.get(`/flows/${uuid()}/label`), 404);
  });

  it('Source label: "" when unset through 8.2, 404 through 7.0', async () => {
    const flow = await createFlow82(v8, videoFlow());
    const path = `/sources/${flow.source_id}/label`;
    expect((await getAndHead(v8, path)).body).toBe('');
    expectError(await server.get(path), 404);
    expect((await value(v8, path, 'studio')).status).toBe(204);
    expect((await getAndHead(server, path)).body).toBe('studio');
    expectError(await v8.get(`/sources/${uuid()}/label`), 404);
  });

  it('description, read_only and the bit rates as 7.0 has them', async () => {
    const flow = await createFlow82(v8, videoFlow());
    const base = `/flows/${flow.id}`;
    expectError(await v8.get(`${base}/description`), 404);
    for (const [key, given] of [
      ['description', 'a long text'],
      ['max_bit_rate', 6000],
      ['avg_bit_rate', 5000],
    ] as const) {
      expect((await value(v8, `${base}/${key}`, given)).status).toBe(204);
      expect((await getAndHead(v8, `${base}/${key}`)).body).toBe(given);
    }
    expect((await getAndHead(v8, `${base}/read_only`)).body).toBe(false);
    expect((await value(v8, `${base}/read_only`, true)).status).toBe(204);
    expectError(await value(v8, `${base}/label`, 'x'), 403);
    expectError(await v8.delete(`${base}/avg_bit_rate`), 403);
    expectError(await v8.delete(base), 403);
    expect((await value(v8, `${base}/read_only`, false)).status).toBe(204);
    expect((await v8.delete(`${base}/avg_bit_rate`)).status).toBe(204);
    expectError(await v8.get(`${base}/avg_bit_rate`), 404);
    expect(await getFlow82(v8, flow.id as string)).toMatchObject({
      description: 'a long text',
      max_bit_rate: 6000,
    });
  });

  it('flow_collection: items without a role read back without one; a role "" reads back absent', async () => {
    const members = [await createFlow82(v8, audioFlow()), await createFlow82(v8, audioFlow())];
    const collector = await createFlow82(v8, multiFlow());
    const path = `/flows/${collector.id}/flow_collection`;
    const items = [{ id: members[0]?.id }, { id: members[1]?.id, role: '' }];
    expect((await v8.put(path, items)).status).toBe(204);
    const got = await getAndHead(v8, path);
    spec82.assertSpecValid('flow-collection.json', got.body);
    expect(got.body).toEqual([{ id: members[0]?.id }, { id: members[1]?.id }]);
    expectError(await v8.put(path, [{ id: members[0]?.id, role: 1 }]), 400);
    expectError(await v8.put(path, [{ role: 'left' }]), 400);
  });
});

describe('DELETE /flows/{id} through 8.2', () => {
  it('deletes the Flow, and its Source with it', async () => {
    const flow = await createFlow82(v8, videoFlow({ format: VIDEO }));
    expect((await v8.delete(`/flows/${flow.id}`)).status).toBe(204);
    expectError(await v8.get(`/flows/${flow.id}`), 404);
    expectError(await v8.get(`/sources/${flow.source_id}`), 404);
    expectError(await v8.delete(`/flows/${flow.id}`), 404);
  });
});
