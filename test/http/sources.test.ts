import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { steppingClock } from '../helpers/clock.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { assertSpecValid } from '../helpers/spec-schemas.ts';
import {
  AUDIO,
  audioFlow,
  createFlow,
  DATA,
  type Doc,
  dataFlow,
  expectError,
  expectGetError,
  getAndHead,
  getSource,
  IMAGE,
  imageFlow,
  MULTI,
  multiFlow,
  putValue,
  uuid,
  VIDEO,
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

/** Creates a Source (through a Flow of the given kind) and returns its id. */
async function newSource(make: (o: Doc) => Doc = videoFlow): Promise<string> {
  const flow = make({});
  await createFlow(server, flow);
  return flow.source_id as string;
}

async function listIds(query: Record<string, string | number | boolean>): Promise<string[]> {
  const res = await getAndHead<Doc[]>(server, '/sources', { query });
  expect(res.status).toBe(200);
  assertSpecValid('source.json[]', res.body);
  return res.body.map((s) => s.id as string).sort();
}

const sorted = (ids: string[]) => [...ids].sort();

describe('GET /sources/{sourceId}', () => {
  it('returns the minimal Source a Flow created, HEAD included', async () => {
    const flow = videoFlow();
    await createFlow(server, flow);
    const res = await getAndHead<Doc>(server, `/sources/${flow.source_id}`);
    expect(res.status).toBe(200);
    assertSpecValid('source.json', res.body);
    expect(res.body).toMatchObject({ id: flow.source_id, format: VIDEO });
    expect(res.body.label).toBeUndefined();
    expect(res.body.source_collection).toBeUndefined();
    expect(Number.isNaN(Date.parse(res.body.created as string))).toBe(false);
  });

  it('answers 404 for an unknown Source, HEAD included', async () => {
    await expectGetError(server, `/sources/${uuid()}`, 404, 'The requested Source does not exist.');
  });

  it('takes each format from its first Flow', async () => {
    for (const [make, format] of [
      [videoFlow, VIDEO],
      [audioFlow, AUDIO],
      [imageFlow, IMAGE],
      [dataFlow, DATA],
      [multiFlow, MULTI],
    ] as const) {
      const id = await newSource(make);
      expect((await getSource(server, id)).format).toBe(format);
    }
  });
});

describe('GET /sources filters', () => {
  it('filters on label (exact match)', async () => {
    const label = `label-${uuid()}`;
    const a = await newSource();
    const b = await newSource(audioFlow);
    await newSource();
    for (const id of [a, b]) expect((await putValue(server, `/sources/${id}/label`, label)).status).toBe(204);
    const other = await newSource();
    await putValue(server, `/sources/${other}/label`, `${label}-not`);
    expect(await listIds({ label })).toEqual(sorted([a, b]));
    expect(await listIds({ label: label.toUpperCase() })).toEqual([]);
  });

  it('filters on format', async () => {
    const tag = uuid();
    const v = await newSource(videoFlow);
    const a = await newSource(audioFlow);
    const d = await newSource(dataFlow);
    for (const id of [v, a, d]) await putValue(server, `/sources/${id}/tags/group`, tag);
    expect(await listIds({ 'tag.group': tag, format: AUDIO })).toEqual([a]);
    expect(await listIds({ 'tag.group': tag, format: DATA })).toEqual([d]);
    expect(await listIds({ 'tag.group': tag, format: IMAGE })).toEqual([]);
    const allVideo = await listIds({ format: VIDEO });
    expect(allVideo).toContain(v);
    expect(allVideo).not.toContain(a);
  });

  it('filters on tag.{name} by exact value', async () => {
    const value = uuid();
    const a = await newSource();
    const b = await newSource();
    const c = await newSource();
    await putValue(server, `/sources/${a}/tags/colour`, value);
    await putValue(server, `/sources/${b}/tags/colour`, value);
    await putValue(server, `/sources/${c}/tags/colour`, `${value}x`);
    expect(await listIds({ 'tag.colour': value })).toEqual(sorted([a, b]));
    expect(await listIds({ 'tag.colour': `${value}x` })).toEqual([c]);
    expect(await listIds({ 'tag.nosuchtag': value })).toEqual([]);
  });

  it('filters on tag_exists.{name}=true and =false', async () => {
    const name = `t${uuid().slice(0, 8)}`;
    const group = uuid();
    const withTag = await newSource();
    const without = await newSource();
    await putValue(server, `/sources/${withTag}/tags/group`, group);
    await putValue(server, `/sources/${without}/tags/group`, group);
    await putValue(server, `/sources/${withTag}/tags/${name}`, '');
    expect(await listIds({ [`tag_exists.${name}`]: true })).toEqual([withTag]);
    expect(await listIds({ 'tag.group': group, [`tag_exists.${name}`]: false })).toEqual([without]);
    const absent = await listIds({ [`tag_exists.${name}`]: false });
    expect(absent).toContain(without);
    expect(absent).not.toContain(withTag);
  });

  it('handles tag names with percent-escaped characters', async () => {
    const value = uuid();
    const name = 'my tag/with=odd&chars.ü';
    const id = await newSource();
    const other = await newSource();
    const put = await putValue(server, `/sources/${id}/tags/${encodeURIComponent(name)}`, value);
    expect(put.status).toBe(204);
    const tags = await getAndHead<Doc>(server, `/sources/${id}/tags`);
    assertSpecValid('tags.json', tags.body);
    expect(tags.body).toEqual({ [name]: value });
    // fetch/URLSearchParams percent-encode the parameter name: tag.my+tag%2Fwith%3Dodd%26chars.%C3%BC
    expect(await listIds({ [`tag.${name}`]: value })).toEqual([id]);
    const exists = await listIds({ [`tag_exists.${name}`]: true });
    expect(exists).toContain(id);
    expect(exists).not.toContain(other);
    // And with %20 rather than + for the space.
    const raw = await server.get<Doc[]>(
      `/sources?tag.${encodeURIComponent(name)}=${encodeURIComponent(value)}`,
    );
    expect(raw.body.map((s) => s.id)).toEqual([id]);
  });

  it('combines filters with AND', async () => {
    const label = `and-${uuid()}`;
    const value = uuid();
    const match = await newSource(audioFlow);
    const wrongFormat = await newSource(videoFlow);
    const wrongTag = await newSource(audioFlow);
    const noLabel = await newSource(audioFlow);
    for (const id of [match, wrongFormat, wrongTag]) await putValue(server, `/sources/${id}/label`, label);
    for (const id of [match, wrongFormat, noLabel]) await putValue(server, `/sources/${id}/tags/k`, value);
    await putValue(server, `/sources/${wrongTag}/tags/k`, 'other');
    await putValue(server, `/sources/${match}/tags/extra`, 'yes');
    expect(await listIds({ label, format: AUDIO, 'tag.k': value })).toEqual([match]);
    expect(await listIds({ label, 'tag.k': value })).toEqual(sorted([match, wrongFormat]));
    expect(await listIds({ label, 'tag_exists.extra': false })).toEqual(sorted([wrongFormat, wrongTag]));
    expect(await listIds({ 'tag.k': value, 'tag_exists.extra': true, format: AUDIO })).toEqual([match]);
    expect(await listIds({ label, format: MULTI })).toEqual([]);
  });

  it('lists every Source without filters, each a valid source.json', async () => {
    const id = await newSource();
    const res = await getAndHead<Doc[]>(server, '/sources');
    expect(res.status).toBe(200);
    assertSpecValid('source.json[]', res.body);
    expect(res.body.map((s) => s.id)).toContain(id);
    expect(res.headers.get('x-paging-limit')).toMatch(/^[1-9][0-9]*$/);
  });
});

describe('source tags', () => {
  it('GET/HEAD /tags is {} for a new Source, then lists PUT tags', async () => {
    const id = await newSource();
    const empty = await getAndHead<Doc>(server, `/sources/${id}/tags`);
    expect(empty.status).toBe(200);
    assertSpecValid('tags.json', empty.body);
    expect(empty.body).toEqual({});
    expect((await putValue(server, `/sources/${id}/tags/a`, 'one')).status).toBe(204);
    expect((await putValue(server, `/sources/${id}/tags/b`, '')).status).toBe(204);
    const res = await getAndHead<Doc>(server, `/sources/${id}/tags`);
    assertSpecValid('tags.json', res.body);
    expect(res.body).toEqual({ a: 'one', b: '' });
    expect((await getSource(server, id)).tags).toEqual({ a: 'one', b: '' });
  });

  it('GET/HEAD /tags/{name} returns the bare JSON string; PUT replaces; DELETE removes', async () => {
    const id = await newSource();
    const put = await putValue(server, `/sources/${id}/tags/x`, 'first');
    expect(put.status).toBe(204);
    expect(put.text).toBe('');
    const one = await getAndHead<string>(server, `/sources/${id}/tags/x`);
    expect(one.status).toBe(200);
    expect(one.text).toBe('"first"');
    expect((await putValue(server, `/sources/${id}/tags/x`, 'second')).status).toBe(204);
    expect((await server.get<string>(`/sources/${id}/tags/x`)).body).toBe('second');
    const del = await server.delete(`/sources/${id}/tags/x`);
    expect(del.status).toBe(204);
    expect(del.text).toBe('');
    await expectGetError(server, `/sources/${id}/tags/x`, 404, 'The requested Source or tag does not exist.');
    expect((await getSource(server, id)).tags).toBeUndefined();
  });

  it('answers 404 for an unknown tag (GET, HEAD, DELETE) and for an unknown Source', async () => {
    const id = await newSource();
    await expectGetError(
      server,
      `/sources/${id}/tags/nope`,
      404,
      'The requested Source or tag does not exist.',
    );
    expectError(
      await server.delete(`/sources/${id}/tags/nope`),
      404,
      'The requested Source ID or tag in the path is invalid.',
    );
    const missing = uuid();
    await expectGetError(server, `/sources/${missing}/tags`, 404, 'The requested Source does not exist.');
    await expectGetError(
      server,
      `/sources/${missing}/tags/a`,
      404,
      'The requested Source or tag does not exist.',
    );
    expectError(
      await putValue(server, `/sources/${missing}/tags/a`, 'v'),
      404,
      'The requested Source does not exist, or the tag name in the path is invalid.',
    );
    expectError(await server.delete(`/sources/${missing}/tags/a`), 404);
  });

  it('rejects a tag value that is not a string with 400', async () => {
    const id = await newSource();
    for (const body of [5, true, ['a'], { a: 'b' }, null]) {
      expectError(
        await server.put(`/sources/${id}/tags/n`, JSON.stringify(body)),
        400,
        'Bad request. Invalid Source tag value.',
      );
    }
    await expectGetError(server, `/sources/${id}/tags/n`, 404);
  });

  it('updates the Source `updated` time on tag changes and keeps `created`', async () => {
    const id = await newSource();
    const before = await getSource(server, id);
    clock.advance();
    await putValue(server, `/sources/${id}/tags/a`, 'b');
    const after = await getSource(server, id);
    expect(after.created).toBe(before.created);
    expect(Date.parse(after.updated as string)).toBeGreaterThan(Date.parse(before.updated as string));
  });
});

describe('source label and description', () => {
  for (const key of ['label', 'description'] as const) {
    it(`${key}: GET/HEAD 404 when unset, PUT 204, GET bare string, DELETE 204, 404 again`, async () => {
      const id = await newSource();
      const unsetMessage =
        key === 'label'
          ? 'The requested Source does not exist, or does not have a label set.'
          : 'The requested Source does not exist.';
      await expectGetError(server, `/sources/${id}/${key}`, 404, unsetMessage);
      const put = await putValue(server, `/sources/${id}/${key}`, `my ${key} "quoted"`);
      expect(put.status).toBe(204);
      expect(put.text).toBe('');
      const res = await getAndHead<string>(server, `/sources/${id}/${key}`);
      expect(res.status).toBe(200);
      expect(res.body).toBe(`my ${key} "quoted"`);
      expect((await getSource(server, id))[key]).toBe(`my ${key} "quoted"`);
      const del = await server.delete(`/sources/${id}/${key}`);
      expect(del.status).toBe(204);
      await expectGetError(server, `/sources/${id}/${key}`, 404, unsetMessage);
      expect((await getSource(server, id))[key]).toBeUndefined();
    });

    it(`${key}: 400 for a non-string body, 404 for an unknown Source`, async () => {
      const id = await newSource();
      expectError(
        await server.put(`/sources/${id}/${key}`, '42'),
        400,
        `Bad request. Invalid Source ${key}.`,
      );
      const missing = uuid();
      await expectGetError(server, `/sources/${missing}/${key}`, 404);
      expectError(
        await putValue(server, `/sources/${missing}/${key}`, 'x'),
        404,
        'The requested Source does not exist.',
      );
      expectError(await server.delete(`/sources/${missing}/${key}`), 404);
    });
  }

  it('Source metadata is independent of its Flows', async () => {
    const flow = videoFlow({ label: 'flow label', description: 'flow description' });
    await createFlow(server, flow);
    const source = await getSource(server, flow.source_id as string);
    expect(source.label).toBeUndefined();
    await putValue(server, `/sources/${flow.source_id}/label`, 'source label');
    const f = await server.get<Doc>(`/flows/${flow.id}`);
    expect(f.body.label).toBe('flow label');
  });
});

describe('sources are read-only resources', () => {
  it('has no PUT, POST or DELETE on /sources/{id}', async () => {
    const id = await newSource();
    for (const method of ['PUT', 'POST', 'DELETE']) {
      const res = await server.request(method, `/sources/${id}`, method === 'DELETE' ? {} : { body: { id } });
      expect(res.status, method).toBeGreaterThanOrEqual(400);
      expect(res.status, method).toBeLessThan(500);
      assertSpecValid('error.json', res.body);
    }
    expect((await getSource(server, id)).id).toBe(id);
  });
});
