/**
 * List-valued tags (TAMS 8.x) through TAMS 7.0, which has none (docs/api-versions.md, decision
 * L1): a list tag is left out of every 7.0 answer and event, 404 by name, invisible to 7.0's
 * filters, and survives 7.0 writes that do not name it. The lists are written at store level, as
 * a write through 8.2 stores them; every 7.0 answer is checked against the 7.0 schemas.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tags } from '../../src/store/store.types.ts';
import { openStream } from '../events/events.fixture.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { assertSpecValid } from '../helpers/spec-schemas.ts';
import {
  createFlow,
  type Doc,
  expectError,
  expectGetError,
  getAndHead,
  getFlow,
  getSource,
  putValue,
  uuid,
  videoFlow,
} from './fixtures.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startServer({ workers: false });
});
afterAll(async () => {
  await server?.close();
});

const LISTS: Tags = { langs: ['en', 'fr'], none: [] };

/** A Flow through 7.0 with string tags `strings`, then given the list tags at store level. */
async function flowWithLists(strings: Record<string, string> = { owner: 'me' }): Promise<Doc> {
  const flow = videoFlow({ tags: strings });
  await createFlow(server, flow);
  await server.runtime.store.transaction(async (store) => {
    const record = await store.flows.get(flow.id as string);
    if (!record) throw new Error('no Flow');
    await store.flows.save({ ...record, tags: { ...record.tags, ...LISTS } }, false);
    await store.sources.tags.replaceAll(flow.source_id as string, { kind: 'camera', ...LISTS });
  });
  return flow;
}

async function storedFlowTags(id: string): Promise<Tags | undefined> {
  return (await server.runtime.store.flows.get(id))?.tags;
}

async function storedSourceTags(id: string): Promise<Tags | undefined> {
  return (await server.runtime.store.sources.get(id))?.tags;
}

async function listIds(path: string, query: Record<string, string | boolean>, schema: string) {
  const res = await getAndHead<Doc[]>(server, path, { query });
  expect(res.status).toBe(200);
  assertSpecValid(`${schema}[]`, res.body);
  return res.body.map((d) => d.id as string).sort();
}

describe('a list-valued tag through 7.0', () => {
  it('is left out of Flow and Source answers, listings and the tags endpoints', async () => {
    const flow = await flowWithLists();
    const id = flow.id as string;
    const sourceId = flow.source_id as string;
    expect((await getFlow(server, id)).tags).toEqual({ owner: 'me' });
    expect((await getSource(server, sourceId)).tags).toEqual({ kind: 'camera' });
    for (const [path, want] of [
      [`/flows/${id}/tags`, { owner: 'me' }],
      [`/sources/${sourceId}/tags`, { kind: 'camera' }],
    ] as const) {
      const res = await getAndHead<Doc>(server, path);
      expect(res.status).toBe(200);
      assertSpecValid('tags.json', res.body);
      expect(res.body).toEqual(want);
    }
    const flows = await getAndHead<Doc[]>(server, '/flows', { query: { 'tag.owner': 'me', limit: 1000 } });
    assertSpecValid('flow.json[]', flows.body);
    expect(flows.body.find((f) => f.id === id)?.tags).toEqual({ owner: 'me' });
    const sources = await getAndHead<Doc[]>(server, '/sources', { query: { 'tag.kind': 'camera' } });
    assertSpecValid('source.json[]', sources.body);
    expect(sources.body.find((s) => s.id === sourceId)?.tags).toEqual({ kind: 'camera' });
  });

  it('answers 404 by name (GET, HEAD, DELETE) and DELETE leaves it', async () => {
    const flow = await flowWithLists();
    const id = flow.id as string;
    const sourceId = flow.source_id as string;
    await expectGetError(server, `/flows/${id}/tags/langs`, 404, 'The requested flow or tag does not exist.');
    await expectGetError(server, `/sources/${sourceId}/tags/none`, 404);
    expectError(await server.delete(`/flows/${id}/tags/langs`), 404);
    expectError(await server.delete(`/sources/${sourceId}/tags/langs`), 404);
    expect(await storedFlowTags(id)).toMatchObject(LISTS);
    expect(await storedSourceTags(sourceId)).toMatchObject(LISTS);
  });

  it('a 7.0 PUT of a string under its name replaces the list', async () => {
    const flow = await flowWithLists();
    const id = flow.id as string;
    const sourceId = flow.source_id as string;
    expect((await putValue(server, `/flows/${id}/tags/langs`, 'de')).status).toBe(204);
    expect((await putValue(server, `/sources/${sourceId}/tags/langs`, 'de')).status).toBe(204);
    expect((await getAndHead(server, `/flows/${id}/tags/langs`)).body).toBe('de');
    expect((await getAndHead(server, `/sources/${sourceId}/tags/langs`)).body).toBe('de');
    expect(await storedFlowTags(id)).toEqual({ owner: 'me', langs: 'de', none: [] });
    expect(await storedSourceTags(sourceId)).toEqual({ kind: 'camera', langs: 'de', none: [] });
  });

  it('is invisible to 7.0 filters: tag.{name} matches whole string values only', async () => {
    const name = `lang-${uuid()}`;
    const group = uuid();
    const str = videoFlow({ tags: { group, [name]: 'en' } });
    const joined = videoFlow({ tags: { group, [name]: 'en,fr' } });
    const list = videoFlow({ tags: { group } });
    for (const f of [str, joined, list]) await createFlow(server, f);
    await server.runtime.store.transaction(async (store) => {
      const record = await store.flows.get(list.id as string);
      if (!record) throw new Error('no Flow');
      await store.flows.save({ ...record, tags: { group, [name]: ['en', 'fr'] } }, false);
    });
    const ids = (query: Record<string, string | boolean>) => listIds('/flows', { group, ...query }, 'flow');
    expect(await ids({ [`tag.${name}`]: 'en' })).toEqual([str.id]);
    expect(await ids({ [`tag.${name}`]: 'en,fr' })).toEqual([joined.id]);
    expect(await ids({ [`tag.${name}`]: 'fr' })).toEqual([]);
    expect(await ids({ 'tag.group': group, [`tag_exists.${name}`]: true })).toEqual(
      [str.id as string, joined.id as string].sort(),
    );
    expect(await ids({ 'tag.group': group, [`tag_exists.${name}`]: false })).toEqual([list.id]);
  });
});

describe('a 7.0 PUT of a whole Flow', () => {
  it('keeps the list tags it could not see, and replaces those it names', async () => {
    const flow = await flowWithLists({ owner: 'me', old: 'x' });
    const id = flow.id as string;
    const before = await getFlow(server, id);
    // What a 7.0 client read, sent back unchanged: nothing it can see changes, nor the version.
    expect((await server.put(`/flows/${id}`, before)).status).toBe(204);
    expect((await getFlow(server, id)).metadata_version).toBe(before.metadata_version);
    expect(await storedFlowTags(id)).toEqual({ owner: 'me', old: 'x', ...LISTS });

    // Without tags: the string tags go, the lists stay.
    const { tags: _dropped, ...bare } = before;
    expect((await server.put(`/flows/${id}`, bare)).status).toBe(204);
    expect((await getFlow(server, id)).tags).toBeUndefined();
    expect(await storedFlowTags(id)).toEqual(LISTS);

    // A tag of the body with a list's name replaces the list.
    expect((await server.put(`/flows/${id}`, { ...bare, tags: { langs: 'it' } })).status).toBe(204);
    expect((await getFlow(server, id)).tags).toEqual({ langs: 'it' });
    expect(await storedFlowTags(id)).toEqual({ langs: 'it', none: [] });
  });
});

describe('7.0 events', () => {
  it('carry Flows and Sources without their list tags, valid 7.0 payloads', async () => {
    const flow = await flowWithLists();
    const id = flow.id as string;
    const sourceId = flow.source_id as string;
    // The event stream sends 7.0's bodies, as 7.0 webhooks get them (the outbox keeps the lists).
    const seq = await server.runtime.store.events.lastSeq();
    const stream = await openStream(server, '?events=flows/updated,sources/updated', {
      'last-event-id': String(seq),
    });
    try {
      expect((await putValue(server, `/flows/${id}/label`, 'relabelled')).status).toBe(204);
      expect((await putValue(server, `/sources/${sourceId}/tags/kind`, 'mic')).status).toBe(204);
      const events = (await stream.next(2)).map((e) => e.data);
      for (const event of events) assertSpecValid(`webhooks/${event.event_type}`, event);
      expect(events.map((e) => e.event_type)).toEqual(['flows/updated', 'sources/updated']);
      expect(events.map((e) => ((e.event.flow ?? e.event.source) as Doc).tags)).toEqual([
        { owner: 'me' },
        { kind: 'mic' },
      ]);
    } finally {
      stream.close();
    }
  });
});
