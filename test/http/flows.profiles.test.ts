/**
 * Flows made from a Profile (TAMS 8.2, ADR 0047, AppNote 0020), through both versions: an 8.2
 * PUT with `profile_id` takes the Profile's technical metadata; while linked, 8.2 refuses (400)
 * a write that would change it (a whole-Flow PUT, `avg_bit_rate`) until `profile_id: ""` unlinks
 * it; 7.0 sees an ordinary complete Flow, and its writes keep the link while the technical
 * metadata still matches and drop it when they change it, never refused (docs/api-versions.md).
 * Answers are checked against each version's schemas.
 */
import { describe, expect, it } from 'vitest';
import { mountedServer } from '../helpers/mounts.ts';
import type { HttpClient } from '../helpers/server.ts';
import { assertSpecValid } from '../helpers/spec-schemas.ts';
import { spec82 } from '../helpers/spec82-schemas.ts';
import { type Doc, expectError, getAndHead, uuid } from './fixtures.ts';
import { getFlow82 } from './fixtures.v82.ts';
import { PROFILE_METADATA } from './profiles.fixture.ts';

const { server, v7, v8 } = mountedServer({ workers: false });

/** A new Profile of PROFILE_METADATA (with `changes`); its id. */
async function newProfile(changes: Doc = {}): Promise<string> {
  const id = uuid();
  const res = await v8.post(`/service/profiles/${id}`, {
    id,
    label: 'house video',
    flow_metadata: { ...PROFILE_METADATA, ...changes },
  });
  expect(res.status, res.text).toBe(201);
  return id;
}

/** A Flow body without technical metadata, to be made from a Profile. */
const common = (profileId: string, extra: Doc = {}): Doc => ({
  id: uuid(),
  source_id: uuid(),
  label: 'from a profile',
  tags: { group: 'profiled' },
  profile_id: profileId,
  ...extra,
});

/** PUTs `body` through 8.2, which must create the Flow; the 201 body (valid flow-get.json). */
async function create82(body: Doc): Promise<Doc> {
  const res = await v8.put<Doc>(`/flows/${body.id}`, body);
  expect(res.status, res.text).toBe(201);
  spec82.assertSpecValid('flow-get.json', res.body);
  return res.body;
}

/** The Flow through 7.0 at `client` (the root or /tams/v7.0): valid flow.json. */
async function get70(client: HttpClient, id: string): Promise<Doc> {
  const res = await getAndHead<Doc>(client, `/flows/${id}`);
  expect(res.status, res.text).toBe(200);
  assertSpecValid('flow.json', res.body);
  return res.body;
}

async function byProfile(profileId: string): Promise<string[]> {
  const res = await getAndHead<Doc[]>(v8, '/flows', { query: { profile_id: profileId } });
  expect(res.status, res.text).toBe(200);
  spec82.assertSpecValid('flow-get.json[]', res.body);
  return res.body.map((f) => f.id as string);
}

/** A Flow document's fields but those the server manages. */
function metadata(doc: Doc): Doc {
  const { created: _c, metadata_updated: _u, metadata_version: _v, updated_by: _b, ...rest } = doc;
  return rest;
}

describe('an 8.2 PUT with profile_id', () => {
  it("makes a Flow with the Profile's technical metadata, linked; 7.0 sees an ordinary Flow", async () => {
    const profileId = await newProfile();
    const body = common(profileId);
    const created = await create82(body);
    expect(created).toMatchObject({ ...body, ...PROFILE_METADATA, profile_id: profileId });
    expect(metadata(await getFlow82(v8, body.id as string))).toEqual(metadata(created));
    expect(await byProfile(profileId)).toEqual([body.id]);

    for (const client of [server, v7]) {
      const seen = await get70(client, body.id as string);
      expect(seen).not.toHaveProperty('profile_id');
      const { profile_id: _link, ...rest } = body;
      expect(seen).toMatchObject({ ...rest, ...PROFILE_METADATA });
    }
  });

  it("accepts 8.2's flow-put-profile.json once its Profile (profile-put.json) exists", async () => {
    const flow = spec82.specExample('flow-put-profile.json') as Doc;
    expectError(await v8.put(`/flows/${flow.id}`, flow), 400);
    const profile = spec82.specExample('profile-put.json') as Doc;
    expect((await v8.post(`/service/profiles/${profile.id}`, profile)).status).toBe(201);
    const created = await create82(flow);
    expect(created).toMatchObject({ ...flow, ...(profile.flow_metadata as Doc) });
  });
});

describe('8.2 writes to a Flow linked to its Profile', () => {
  it('are refused (400) when they change inherited metadata, until profile_id "" unlinks', async () => {
    const profileId = await newProfile();
    const body = common(profileId);
    const created = await create82(body);
    const id = body.id as string;
    const path = `/flows/${id}`;
    const full = { ...metadata(created) };
    delete full.profile_id;

    const refusals = [
      await v8.put(`${path}/avg_bit_rate`, JSON.stringify(9000)),
      await v8.delete(`${path}/avg_bit_rate`),
      await v8.put(path, { ...full, codec: 'video/h265' }),
      await v8.put(path, {
        ...full,
        essence_parameters: { ...PROFILE_METADATA.essence_parameters, frame_width: 640 },
      }),
    ];
    for (const res of refusals) {
      expectError(res, 400);
      expect((res.body as Doc).summary).toContain(profileId);
      expect((res.body as Doc).summary).toContain('profile_id ""');
    }
    expect(metadata(await getFlow82(v8, id))).toEqual(metadata(created));

    // What a Profile does not hold changes freely, and the link stays: max_bit_rate (AppNote 0020),
    // the label, and a whole-Flow PUT that gives the Profile's metadata or none of it.
    expect((await v8.put(`${path}/max_bit_rate`, JSON.stringify(12000))).status).toBe(204);
    expect((await v8.put(`${path}/label`, JSON.stringify('relabelled'))).status).toBe(204);
    expect((await v8.put(`${path}/avg_bit_rate`, JSON.stringify(PROFILE_METADATA.avg_bit_rate))).status).toBe(
      204,
    );
    expect((await v8.put(path, { ...full, label: 'full' })).status).toBe(204);
    expect((await v8.put(path, { ...body, label: 'by profile' })).status).toBe(204);
    const linked = await getFlow82(v8, id);
    expect(linked).toMatchObject({ ...PROFILE_METADATA, profile_id: profileId, label: 'by profile' });
    expect(await byProfile(profileId)).toEqual([id]);

    // Unlinked with new technical metadata: no longer found by its Profile, then free to change.
    const unlinked = { ...full, profile_id: '', avg_bit_rate: 9000 };
    expect((await v8.put(path, unlinked)).status).toBe(204);
    const own = await getFlow82(v8, id);
    expect(own).not.toHaveProperty('profile_id');
    expect(own.avg_bit_rate).toBe(9000);
    expect(await byProfile(profileId)).toEqual([]);
    expect((await v8.delete(`${path}/avg_bit_rate`)).status).toBe(204);
  });

  it('can link a Flow made in full to a Profile, or to another one', async () => {
    const first = await newProfile();
    const second = await newProfile({ avg_bit_rate: 5000 });
    const body = common(first);
    await create82(body);
    const id = body.id as string;
    expect((await v8.put(`/flows/${id}`, { ...body, profile_id: second })).status).toBe(204);
    expect(await getFlow82(v8, id)).toMatchObject({ profile_id: second, avg_bit_rate: 5000 });
    expect(await byProfile(first)).toEqual([]);
    expect(await byProfile(second)).toEqual([id]);
  });
});

describe('7.0 writes to a Flow made from a Profile', () => {
  it('keep the link while the technical metadata matches it, and drop it when they change it', async () => {
    const profileId = await newProfile();
    for (const client of [server, v7]) {
      const body = common(profileId);
      await create82(body);
      const id = body.id as string;
      const seen = await get70(client, id);

      // A 7.0 GET-and-PUT (a relabel) leaves the technical metadata as the Profile's.
      expect((await client.put(`/flows/${id}`, { ...seen, label: 'relabelled by 7.0' })).status).toBe(204);
      expect(await getFlow82(v8, id)).toMatchObject({ profile_id: profileId, label: 'relabelled by 7.0' });

      // A 7.0 change of what the Profile holds is accepted (7.0 has no such rule) and unlinks.
      expect((await client.put(`/flows/${id}`, { ...seen, codec: 'video/h265' })).status).toBe(204);
      const changed = await getFlow82(v8, id);
      expect(changed).not.toHaveProperty('profile_id');
      expect(changed.codec).toBe('video/h265');
      expect(await get70(client, id)).toMatchObject({ codec: 'video/h265' });
    }
    expect(await byProfile(profileId)).toEqual([]);
  });

  it('avg_bit_rate through 7.0: accepted, and the Flow is no longer linked', async () => {
    const profileId = await newProfile();
    for (const [client, write] of [
      [server, (path: string) => server.put(path, JSON.stringify(9000))],
      [v7, (path: string) => v7.delete(path)],
    ] as const) {
      const body = common(profileId);
      await create82(body);
      const id = body.id as string;
      expect((await write(`/flows/${id}/avg_bit_rate`)).status).toBe(204);
      expect(await getFlow82(v8, id)).not.toHaveProperty('profile_id');
      await get70(client, id);
    }
    expect(await byProfile(profileId)).toEqual([]);
  });
});
