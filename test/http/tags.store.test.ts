/**
 * Tag values that are a string or a list of strings (TAMS 8.x, ADR 0040), at store level, on
 * whichever engine the project runs (DuckDB with and without the store cache, the VAST engine on
 * its fake, PostgreSQL): how lists are kept and read back, and what each version's filters find
 * (src/http/tags.version.ts builds them; docs/api-versions.md says what they mean).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tagFilters } from '../../src/http/tags.version.ts';
import type { TagFilters, Tags } from '../../src/store/store.types.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { createFlow, uuid, videoFlow } from './fixtures.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startServer({ workers: false });
});
afterAll(async () => {
  await server?.close();
});

/** A new Flow (and its Source) through the API; returns the Flow's and the Source's ids. */
async function newFlow(): Promise<{ id: string; sourceId: string }> {
  const flow = videoFlow();
  await createFlow(server, flow);
  return { id: flow.id as string, sourceId: flow.source_id as string };
}

/** Replaces a Flow's tags in the store, as a write through 8.2 does. */
async function setFlowTags(id: string, tags: Tags): Promise<void> {
  await server.runtime.store.transaction(async (store) => {
    const flow = await store.flows.get(id);
    if (!flow) throw new Error(`no Flow ${id}`);
    await store.flows.save({ ...flow, tags }, false);
  });
}

async function flowTags(id: string): Promise<Tags | undefined> {
  return (await server.runtime.store.flows.get(id))?.tags;
}

async function flowsMatching(tags: TagFilters): Promise<string[]> {
  const page = await server.runtime.store.flows.list({ tags }, undefined, 1000);
  return page.items.map((f) => f.id).sort();
}

async function sourcesMatching(tags: TagFilters): Promise<string[]> {
  const page = await server.runtime.store.sources.list({ tags }, undefined, 1000);
  return page.items.map((s) => s.id).sort();
}

/** The filters of a listing's query string as `version` reads it (e.g. `tag.x=a,b`). */
function filtersOf(query: string, version: '7.0' | '8.2'): TagFilters {
  // As the route's schema leaves the parsed query: tag_exists values are booleans.
  const parsed = [...new URLSearchParams(query)].map(([k, v]) => [
    k,
    k.includes('_exists.') ? v === 'true' : v,
  ]);
  return tagFilters({ url: `/flows?${query}`, query: Object.fromEntries(parsed) }, version);
}

const sorted = (ids: string[]) => [...ids].sort();

describe('list-valued tags in the store', () => {
  it('keeps strings, lists (order, repeats, empty items) and empty lists as written', async () => {
    const { id } = await newFlow();
    const tags: Tags = {
      s: 'one',
      list: ['c', 'a', 'b', 'a'],
      single: ['only'],
      empty: [],
      blanks: ['', 'x', ''],
      'a,b': 'comma in the name',
    };
    await setFlowTags(id, tags);
    expect(await flowTags(id)).toEqual(tags);
    const [db] = await server.runtime.store.flows.getMany([id]);
    expect(db?.tags).toEqual(tags);
  });

  it('a list replaces a string of the same name, and a string a list', async () => {
    const { id } = await newFlow();
    await setFlowTags(id, { t: 'x', u: ['1', '2'] });
    await setFlowTags(id, { t: ['x', 'y'], u: '3' });
    expect(await flowTags(id)).toEqual({ t: ['x', 'y'], u: '3' });
    await setFlowTags(id, { t: [] });
    expect(await flowTags(id)).toEqual({ t: [] });
  });

  it("a Source's tag put one at a time keeps lists", async () => {
    const { sourceId } = await newFlow();
    await server.runtime.store.transaction(async (store) => {
      await store.sources.tags.put(sourceId, 'langs', ['en', 'fr']);
      await store.sources.tags.put(sourceId, 'none', []);
      await store.sources.tags.put(sourceId, 'owner', 'me');
    });
    expect((await server.runtime.store.sources.get(sourceId))?.tags).toEqual({
      langs: ['en', 'fr'],
      none: [],
      owner: 'me',
    });
    await server.runtime.store.transaction((store) => store.sources.tags.put(sourceId, 'langs', 'de'));
    expect((await server.runtime.store.sources.get(sourceId))?.tags.langs).toBe('de');
  });

  it('names the values held as a string or as list elements (taggedValues)', async () => {
    const name = `t-${uuid()}`;
    const [a, b, c] = [await newFlow(), await newFlow(), await newFlow()];
    await setFlowTags(a.id, { [name]: 'v1' });
    await setFlowTags(b.id, { [name]: ['v2', 'v3'] });
    await setFlowTags(c.id, { [name]: [] });
    const found = await server.runtime.store.flows.taggedValues(name, ['v1', 'v2', 'v4', '']);
    expect([...found].sort()).toEqual(['v1', 'v2']);
  });
});

describe('tag filters on lists', () => {
  it('8.2: tag.{name}=a,b finds a string equal to either or a list holding either', async () => {
    const name = `lang-${uuid()}`;
    const [str, list, other, empty, joined] = [
      await newFlow(),
      await newFlow(),
      await newFlow(),
      await newFlow(),
      await newFlow(),
    ];
    await setFlowTags(str.id, { [name]: 'en' });
    await setFlowTags(list.id, { [name]: ['fr', 'de'] });
    await setFlowTags(other.id, { [name]: ['es'] });
    await setFlowTags(empty.id, { [name]: [] });
    await setFlowTags(joined.id, { [name]: 'en,fr' });
    const q = (query: string) => flowsMatching(filtersOf(query, '8.2'));
    expect(await q(`tag.${name}=en,de`)).toEqual(sorted([str.id, list.id]));
    expect(await q(`tag.${name}=fr`)).toEqual([list.id]);
    expect(await q(`tag.${name}=e`)).toEqual([]); // no partial matches
    // A comma inside a value is written %2C: the string "en,fr" itself.
    expect(await q(`tag.${name}=en%2Cfr`)).toEqual([joined.id]);
    expect(await q(`tag.${name}=`)).toEqual([]); // "" is held by none (not by the empty list)
    expect(await q(`tag_exists.${name}=true`)).toEqual(
      sorted([str.id, list.id, other.id, empty.id, joined.id]),
    );
    const absent = await q(`tag.${name}=es&tag_exists.${name}=false`);
    expect(absent).toEqual([]);
  });

  it('7.0: the whole value against string tags only; lists are as if absent', async () => {
    const name = `lang-${uuid()}`;
    const [str, list, joined] = [await newFlow(), await newFlow(), await newFlow()];
    await setFlowTags(str.id, { [name]: 'en', group: name });
    await setFlowTags(list.id, { [name]: ['en', 'fr'], group: name });
    await setFlowTags(joined.id, { [name]: 'en,fr', group: name });
    const q = (query: string) => flowsMatching(filtersOf(query, '7.0'));
    expect(await q(`tag.${name}=en`)).toEqual([str.id]);
    expect(await q(`tag.${name}=en,fr`)).toEqual([joined.id]);
    expect(await q(`tag.${name}=fr`)).toEqual([]);
    expect(await q(`tag_exists.${name}=true`)).toEqual(sorted([str.id, joined.id]));
    expect(await q(`tag.group=${name}&tag_exists.${name}=false`)).toEqual([list.id]);
  });

  it('Sources: the same per version', async () => {
    const name = `k-${uuid()}`;
    const [a, b] = [await newFlow(), await newFlow()];
    await server.runtime.store.transaction(async (store) => {
      await store.sources.tags.put(a.sourceId, name, ['x', 'y']);
      await store.sources.tags.put(b.sourceId, name, 'y');
    });
    expect(await sourcesMatching(filtersOf(`tag.${name}=y,z`, '8.2'))).toEqual(
      sorted([a.sourceId, b.sourceId]),
    );
    expect(await sourcesMatching(filtersOf(`tag.${name}=x`, '8.2'))).toEqual([a.sourceId]);
    expect(await sourcesMatching(filtersOf(`tag.${name}=y`, '7.0'))).toEqual([b.sourceId]);
    expect(await sourcesMatching(filtersOf(`tag_exists.${name}=true`, '7.0'))).toEqual([b.sourceId]);
    expect(await sourcesMatching(filtersOf(`tag_exists.${name}=true`, '8.2'))).toEqual(
      sorted([a.sourceId, b.sourceId]),
    );
  });
});
