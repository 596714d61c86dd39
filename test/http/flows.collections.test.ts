import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { steppingClock } from '../helpers/clock.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { assertSpecValid } from '../helpers/spec-schemas.ts';
import {
  audioFlow,
  createFlow,
  type Doc,
  dataFlow,
  expectError,
  expectGetError,
  getFlow,
  getSource,
  multiFlow,
  uuid,
  videoFlow,
} from './fixtures.ts';

let server: TestServer;
/** Moved on between a read and a change, so the change's new time is a later one. */
const clock = steppingClock();
beforeAll(async () => {
  server = await startServer({ clock });
});
afterAll(async () => {
  await server.close();
});

interface Setup {
  video: Doc;
  audio: Doc;
  data: Doc;
  multi: Doc;
}

/** Three member Flows on their own Sources, and a multi Flow collecting them. */
async function setup(): Promise<Setup> {
  const video = await createFlow(server, videoFlow());
  const audio = await createFlow(server, audioFlow());
  const data = await createFlow(server, dataFlow());
  const multi = multiFlow({
    flow_collection: [
      { id: video.id, role: 'video' },
      { id: audio.id, role: 'audio', container_mapping: { track_index: 1 } },
      { id: data.id, role: 'subtitles' },
    ],
  });
  const res = await server.put<Doc>(`/flows/${multi.id}`, multi);
  expect(res.status).toBe(201);
  assertSpecValid('flow.json', res.body);
  expect(res.body.flow_collection).toEqual(multi.flow_collection);
  return { video, audio, data, multi };
}

const collectedBy = async (flowId: unknown) => (await getFlow(server, flowId as string)).collected_by;
const sourceOf = async (flow: Doc) => getSource(server, flow.source_id as string);

describe('flow collections', () => {
  it('members list the collector in collected_by', async () => {
    const s = await setup();
    for (const member of [s.video, s.audio, s.data]) {
      expect(await collectedBy(member.id)).toEqual([s.multi.id]);
    }
    expect(await collectedBy(s.multi.id)).toBeUndefined();
    const collection = await server.get<Doc[]>(`/flows/${s.multi.id}/flow_collection`);
    assertSpecValid('flow-collection.json', collection.body);
    expect(collection.body).toEqual(s.multi.flow_collection);
  });

  it('Sources: the multi Source collects the members’ Sources with their roles, and they list it in collected_by', async () => {
    const s = await setup();
    const multiSource = await sourceOf(s.multi);
    expect(multiSource.format).toBe('urn:x-nmos:format:multi');
    expect(multiSource.source_collection).toEqual(
      expect.arrayContaining([
        { id: s.video.source_id, role: 'video' },
        { id: s.audio.source_id, role: 'audio' },
        { id: s.data.source_id, role: 'subtitles' },
      ]),
    );
    expect(multiSource.source_collection).toHaveLength(3);
    expect(multiSource.collected_by).toBeUndefined();
    for (const member of [s.video, s.audio, s.data]) {
      const source = await sourceOf(member);
      expect(source.collected_by).toEqual([s.multi.source_id]);
      expect(source.source_collection).toBeUndefined();
    }
    // The listing shows the same inferred collections.
    const listed = await server.get<Doc[]>('/sources', { query: { format: 'urn:x-nmos:format:multi' } });
    assertSpecValid('source.json[]', listed.body);
    expect(listed.body.find((x) => x.id === s.multi.source_id)).toEqual(multiSource);
  });

  it('a member collected by two collectors lists both', async () => {
    const s = await setup();
    const second = await createFlow(server, multiFlow({ flow_collection: [{ id: s.video.id, role: 'v' }] }));
    expect([...((await collectedBy(s.video.id)) as string[])].sort()).toEqual(
      [s.multi.id as string, second.id as string].sort(),
    );
    expect([...((await sourceOf(s.video)).collected_by as string[])].sort()).toEqual(
      [s.multi.source_id as string, second.source_id as string].sort(),
    );
    expect(await collectedBy(s.audio.id)).toEqual([s.multi.id]);
  });

  it('joining a collection is a metadata change of the member and of its Source', async () => {
    const member = await createFlow(server, videoFlow());
    const source = await sourceOf(member);
    clock.advance();
    await createFlow(server, multiFlow({ flow_collection: [{ id: member.id, role: 'video' }] }));
    const after = await getFlow(server, member.id as string);
    expect(after.metadata_version).not.toBe(member.metadata_version);
    expect(Date.parse(after.metadata_updated as string)).toBeGreaterThan(
      Date.parse(member.metadata_updated as string),
    );
    expect(after.created).toBe(member.created);
    const sourceAfter = await sourceOf(member);
    expect(Date.parse(sourceAfter.updated as string)).toBeGreaterThan(Date.parse(source.updated as string));
    expect(sourceAfter.created).toBe(source.created);
  });

  it('rejects an unknown member with 400 (PUT Flow and PUT flow_collection), changing nothing', async () => {
    const member = await createFlow(server, videoFlow());
    const ghost = uuid();
    const multi = multiFlow({
      flow_collection: [
        { id: member.id, role: 'video' },
        { id: ghost, role: 'audio' },
      ],
    });
    expectError(await server.put(`/flows/${multi.id}`, multi), 400, 'Bad request. Invalid flow JSON.');
    await expectGetError(server, `/flows/${multi.id}`, 404);
    await expectGetError(server, `/sources/${multi.source_id}`, 404);
    expect(await collectedBy(member.id)).toBeUndefined();

    const collector = await createFlow(server, multiFlow());
    expectError(
      await server.put(`/flows/${collector.id}/flow_collection`, [{ id: ghost, role: 'audio' }]),
      400,
      'Bad request. Invalid flow collection.',
    );
    expect(await getFlow(server, collector.id as string)).toEqual(collector);
    await expectGetError(server, `/flows/${ghost}`, 404);
  });

  it('removing a member by replacing the collector updates Flows and Sources', async () => {
    const s = await setup();
    const replacement = {
      ...s.multi,
      flow_collection: (s.multi.flow_collection as Doc[]).filter((i) => i.id !== s.audio.id),
    };
    expect((await server.put(`/flows/${s.multi.id}`, replacement)).status).toBe(204);
    expect(await collectedBy(s.audio.id)).toBeUndefined();
    expect(await collectedBy(s.video.id)).toEqual([s.multi.id]);
    expect((await sourceOf(s.audio)).collected_by).toBeUndefined();
    expect((await sourceOf(s.video)).collected_by).toEqual([s.multi.source_id]);
    const multiSource = await sourceOf(s.multi);
    expect(multiSource.source_collection).toHaveLength(2);
    expect(multiSource.source_collection).not.toContainEqual(
      expect.objectContaining({ id: s.audio.source_id }),
    );
  });

  it('removing a member through PUT flow_collection, and changing a role', async () => {
    const s = await setup();
    const collection = [
      { id: s.video.id, role: 'main video' },
      { id: s.data.id, role: 'subtitles' },
    ];
    expect((await server.put(`/flows/${s.multi.id}/flow_collection`, collection)).status).toBe(204);
    expect((await getFlow(server, s.multi.id as string)).flow_collection).toEqual(collection);
    expect(await collectedBy(s.audio.id)).toBeUndefined();
    expect((await sourceOf(s.audio)).collected_by).toBeUndefined();
    expect((await sourceOf(s.multi)).source_collection).toEqual(
      expect.arrayContaining([
        { id: s.video.source_id, role: 'main video' },
        { id: s.data.source_id, role: 'subtitles' },
      ]),
    );
    expect((await sourceOf(s.multi)).source_collection).toHaveLength(2);
  });

  it('DELETE flow_collection clears collected_by of every member and of their Sources', async () => {
    const s = await setup();
    expect((await server.delete(`/flows/${s.multi.id}/flow_collection`)).status).toBe(204);
    for (const member of [s.video, s.audio, s.data]) {
      expect(await collectedBy(member.id)).toBeUndefined();
      expect((await sourceOf(member)).collected_by).toBeUndefined();
    }
    expect((await getFlow(server, s.multi.id as string)).flow_collection).toBeUndefined();
    expect((await sourceOf(s.multi)).source_collection).toBeUndefined();
  });

  it('deleting the collector clears collected_by of members and Sources, and removes its Source', async () => {
    const s = await setup();
    expect((await server.delete(`/flows/${s.multi.id}`)).status).toBe(204);
    for (const member of [s.video, s.audio, s.data]) {
      const flow = await getFlow(server, member.id as string);
      expect(flow.collected_by).toBeUndefined();
      expect((await sourceOf(member)).collected_by).toBeUndefined();
    }
    await expectGetError(server, `/sources/${s.multi.source_id}`, 404);
  });

  it('deleting a member removes it from the collection and from the multi Source', async () => {
    const s = await setup();
    const before = await getFlow(server, s.multi.id as string);
    expect((await server.delete(`/flows/${s.audio.id}`)).status).toBe(204);
    const after = await getFlow(server, s.multi.id as string);
    expect((after.flow_collection as Doc[]).map((i) => i.id)).toEqual([s.video.id, s.data.id]);
    expect(after.metadata_version).not.toBe(before.metadata_version);
    const multiSource = await sourceOf(s.multi);
    expect(multiSource.source_collection).toHaveLength(2);
    expect(multiSource.source_collection).not.toContainEqual(
      expect.objectContaining({ id: s.audio.source_id }),
    );
  });

  it('a member moving to another Source moves in the multi Source’s collection', async () => {
    const s = await setup();
    const newSource = uuid();
    expect((await server.put(`/flows/${s.video.id}`, { ...s.video, source_id: newSource })).status).toBe(204);
    await expectGetError(server, `/sources/${s.video.source_id}`, 404);
    const moved = await getSource(server, newSource);
    expect(moved.collected_by).toEqual([s.multi.source_id]);
    expect((await sourceOf(s.multi)).source_collection).toContainEqual({ id: newSource, role: 'video' });
    expect((await sourceOf(s.multi)).source_collection).not.toContainEqual(
      expect.objectContaining({ id: s.video.source_id }),
    );
  });

  it('a replacement that keeps the collection keeps the members untouched', async () => {
    const s = await setup();
    const video = await getFlow(server, s.video.id as string);
    clock.advance();
    expect((await server.put(`/flows/${s.multi.id}`, { ...s.multi, label: 'renamed' })).status).toBe(204);
    expect(await getFlow(server, s.video.id as string)).toEqual(video);
  });

  it('client-supplied collected_by is ignored', async () => {
    const s = await setup();
    const other = uuid();
    await server.put(`/flows/${s.video.id}`, { ...s.video, label: 'x', collected_by: [other] });
    expect(await collectedBy(s.video.id)).toEqual([s.multi.id]);
    const lone = await createFlow(server, videoFlow({ collected_by: [s.multi.id] }));
    expect(lone.collected_by).toBeUndefined();
    expect((await getFlow(server, s.multi.id as string)).flow_collection).toHaveLength(3);
  });
});
