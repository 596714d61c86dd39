/**
 * TAMS 8.2's Flow Profiles at /tams/v8.2 (ADR 0047, AppNote 0020): `POST
 * /service/profiles/{profileId}` creates a Profile once (8.2's `profile-put.json` example and
 * its GET examples accepted as bodies), never updates one (400) and there is no deletion;
 * `GET/HEAD /service/profiles/{profileId}` and the listing, filtered by `format`, `codec` and
 * `label` and paged; every answer valid against 8.2's `profile.json`. Profiles are TAMS 8.2's
 * alone: 7.0 has no such path.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mountClient } from '../helpers/mounts.ts';
import { type HttpClient, startServer, type TestResponse, type TestServer } from '../helpers/server.ts';
import { SPEC_8_2_DIR, spec82 } from '../helpers/spec82-schemas.ts';
import { type Doc, expectError, getAndHead, nextLink, uuid } from './fixtures.ts';

const example = (name: string): Doc =>
  JSON.parse(readFileSync(`${SPEC_8_2_DIR}examples/${name}.json`, 'utf8')) as Doc;

let server: TestServer;
let v8: HttpClient;
beforeAll(async () => {
  server = await startServer();
  v8 = mountClient(server, '/tams/v8.2');
});
afterAll(async () => {
  await server?.close();
});

/** POSTs a Profile that must be new: the 201 body, valid, the request's document with `created`. */
async function create(profile: Doc): Promise<Doc> {
  const res = await v8.post<Doc>(`/service/profiles/${profile.id}`, profile);
  expect(res.status, res.text).toBe(201);
  spec82.assertSpecValid('profile.json', res.body);
  const { created, ...rest } = res.body;
  const { created: _ignored, ...sent } = profile;
  expect(rest).toEqual(sent);
  expect(Date.parse(created as string)).toBeGreaterThan(Date.now() - 600_000);
  return res.body;
}

async function get(id: string): Promise<TestResponse<Doc>> {
  const res = await getAndHead<Doc>(v8, `/service/profiles/${id}`);
  if (res.status === 200) spec82.assertSpecValid('profile.json', res.body);
  return res;
}

const videoMetadata = (essence: Doc = {}): Doc => ({
  format: 'urn:x-nmos:format:video',
  codec: 'video/h264',
  container: 'video/mp2t',
  essence_parameters: { frame_width: 1280, frame_height: 720, frame_rate: { numerator: 25 }, ...essence },
});

describe('POST /tams/v8.2/service/profiles/{profileId}', () => {
  it("creates 8.2's example Profiles, which GET then answers", async () => {
    const put = example('profile-put');
    const created = await create(put);
    // profile-post-201.json: the example as the store answers it, created set.
    const { created: _c, created_by: _by, ...answered } = example('profile-post-201');
    expect(created).toMatchObject(answered);
    expect((await get(put.id as string)).body).toEqual(created);
    // The GET examples as bodies: `created` is the store's, `created_by` the body's.
    for (const name of ['profile-get-200-image', 'profile-get-200-video-h264-mxf']) {
      const body = example(name);
      const made = await create(body);
      expect(made.created).not.toBe(body.created);
      expect(made.created_by).toBe('tams-dev');
    }
  });

  it('never changes a Profile: a second POST of its id is a 400, whatever it holds', async () => {
    const profile = { id: uuid(), label: 'first', flow_metadata: videoMetadata() };
    const created = await create(profile);
    expectError(await v8.post(`/service/profiles/${profile.id}`, profile), 400);
    expectError(await v8.post(`/service/profiles/${profile.id}`, { ...profile, label: 'second' }), 400);
    expect((await get(profile.id)).body).toEqual(created);
    // No update or deletion exists.
    expect((await v8.put(`/service/profiles/${profile.id}`, profile)).status).toBe(404);
    expect((await v8.delete(`/service/profiles/${profile.id}`)).status).toBe(404);
    expect((await get(profile.id)).body).toEqual(created);
  });

  it('keeps list-valued tags and properties profile.json does not name, as sent', async () => {
    const profile = {
      id: uuid(),
      urn: 'urn:x-tam:profile:house_proxy',
      tags: { purpose: ['proxy', 'edit'], owner: 'news' },
      flow_metadata: { ...videoMetadata({ vfr: true, frame_rate: undefined }), avg_bit_rate: 5000 },
    };
    const created = await create(JSON.parse(JSON.stringify(profile)));
    expect(created.urn).toBe('urn:x-tam:profile:house_proxy');
    expect((await get(profile.id)).body).toEqual(created);
  });

  it('refuses bodies that are no profile.json, or not of the path', async () => {
    const id = uuid();
    const post = (body: Doc) => v8.post(`/service/profiles/${id}`, body);
    expectError(await post({ id: uuid(), flow_metadata: videoMetadata() }), 400);
    expectError(await post({ id }), 400);
    expectError(await post({ id, flow_metadata: { format: 'urn:x-nmos:format:multi' } }), 400);
    // 8.2 video: frame_rate unless vfr, never both (ADR 0041); nothing beyond the parameters.
    expectError(await post({ id, flow_metadata: videoMetadata({ frame_rate: undefined }) }), 400);
    expectError(await post({ id, flow_metadata: videoMetadata({ vfr: true }) }), 400);
    expectError(await post({ id, flow_metadata: videoMetadata({ sharpness: 3 }) }), 400);
    expectError(await post({ id, tags: { a: 1 }, flow_metadata: videoMetadata() }), 400);
    expectError(await post({ id, label: 'x'.repeat(126_001), flow_metadata: videoMetadata() }), 400);
    expect((await get(id)).status).toBe(404);
    // The spec's answer to an id in the path that is no UUID.
    expectError(await v8.post('/service/profiles/not-a-uuid', { id: 'not-a-uuid' }), 404);
  });
});

describe('GET /tams/v8.2/service/profiles', () => {
  const made: Doc[] = [];
  beforeAll(async () => {
    const audio = {
      format: 'urn:x-nmos:format:audio',
      codec: 'audio/aac',
      essence_parameters: { sample_rate: 48000, channels: 2, init_segments: true },
    };
    const data = {
      format: 'urn:x-nmos:format:data',
      codec: 'application/ttml+xml',
      essence_parameters: { data_type: 'urn:x-tams:data:subtitle' },
    };
    for (const [label, flow_metadata] of [
      ['listed audio', audio],
      ['listed data', data],
      ['listed video', videoMetadata()],
      ['listed video', { ...videoMetadata(), codec: 'video/mp4v' }],
    ] as const) {
      made.push(await create({ id: uuid(), label, flow_metadata }));
    }
  });

  async function listing(query: Record<string, string | number>): Promise<Doc[]> {
    const found: Doc[] = [];
    let res = await getAndHead<Doc[]>(v8, '/service/profiles', { query });
    for (;;) {
      expect(res.status, res.text).toBe(200);
      for (const profile of res.body) spec82.assertSpecValid('profile.json', profile);
      found.push(...res.body);
      const next = nextLink(res);
      if (next === undefined) return found;
      expect(new URL(next).pathname).toBe('/tams/v8.2/service/profiles');
      if (found.length > 100) throw new Error('paging does not terminate');
      res = await getAndHead<Doc[]>(v8, next);
    }
  }

  it('lists every Profile, paged', async () => {
    const all = await listing({});
    for (const profile of made) expect(all).toContainEqual(profile);
    expect(await listing({ limit: 1 })).toEqual(all);
    const first = await v8.get<Doc[]>('/service/profiles', { query: { limit: 2 } });
    expect(first.headers.get('x-paging-limit')).toBe('2');
    expect(first.body).toHaveLength(2);
  });

  it('filters by format, codec and label', async () => {
    const ids = (docs: Doc[]) => docs.map((d) => d.id).sort();
    const mine = (docs: Doc[]) => ids(docs.filter((d) => made.some((m) => m.id === d.id)));
    expect(mine(await listing({ format: 'urn:x-nmos:format:audio' }))).toEqual(ids([made[0] as Doc]));
    expect(mine(await listing({ codec: 'video/mp4v' }))).toEqual(ids([made[3] as Doc]));
    expect(await listing({ label: 'listed video' })).toEqual(
      [made[2], made[3]].sort((a, b) => String(a?.id).localeCompare(String(b?.id))),
    );
    expect(await listing({ label: 'listed video', codec: 'video/h264' })).toEqual([made[2]]);
    expect(await listing({ format: 'urn:x-nmos:format:multi' })).toEqual([]);
    // 8.2's mime-type.json: `foo` is no media type.
    expectError(await v8.get('/service/profiles', { query: { codec: 'foo/bar' } }), 400);
    expectError(await v8.get('/service/profiles', { query: { format: 'video' } }), 400);
    expectError(await v8.get('/service/profiles', { query: { page: 'not-a-key' } }), 400);
  });
});

describe('Profiles are 8.2 only', () => {
  it('has no /service/profiles in 7.0, at / or /tams/v7.0', async () => {
    const id = (example('profile-put').id as string) ?? uuid();
    for (const prefix of ['', '/tams/v7.0']) {
      expectError(await server.get(`${prefix}/service/profiles`), 404);
      expectError(await server.get(`${prefix}/service/profiles/${id}`), 404);
      expectError(await server.post(`${prefix}/service/profiles/${uuid()}`, example('profile-put')), 404);
    }
  });
});
