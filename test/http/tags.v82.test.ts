/**
 * Tag values that are a string or a list of strings through TAMS 8.2's tag endpoints
 * (/tams/v8.2/{flows,sources}/{id}/tags[/{name}]), and what the same store answers through 7.0
 * (at / and /tams/v7.0) afterwards: every answer valid against its own version's schemas.
 */
import { describe, expect, it } from 'vitest';
import { mountedServer } from '../helpers/mounts.ts';
import type { HttpClient } from '../helpers/server.ts';
import { assertSpecValid } from '../helpers/spec-schemas.ts';
import { spec82 } from '../helpers/spec82-schemas.ts';
import {
  createFlow,
  type Doc,
  expectError,
  expectGetError,
  getAndHead,
  getFlow,
  videoFlow,
} from './fixtures.ts';

const { server, v7, v8 } = mountedServer({ workers: false });

const put = (client: HttpClient, path: string, value: unknown) => client.put(path, JSON.stringify(value));

/** 8.2's answer of a tag by name: 200 with the value, valid against 8.2's schema of it. */
async function tag82(path: string): Promise<unknown> {
  const res = await getAndHead(v8, path);
  expect(res.status, res.text).toBe(200);
  spec82.assertSpecValid('tags.json', { value: res.body });
  return res.body;
}

async function tags82(path: string): Promise<Doc> {
  const res = await getAndHead<Doc>(v8, path);
  expect(res.status, res.text).toBe(200);
  spec82.assertSpecValid('tags.json', res.body);
  return res.body;
}

async function newFlow(
  tags: Record<string, string> = { owner: 'me' },
): Promise<{ id: string; source: string }> {
  const flow = videoFlow({ tags });
  await createFlow(server, flow);
  return { id: flow.id as string, source: flow.source_id as string };
}

describe('8.2 tag endpoints', () => {
  for (const kind of ['flows', 'sources'] as const) {
    it(`${kind}: PUT/GET/DELETE a string, a list, an empty list`, async () => {
      const flow = await newFlow();
      const base = `/${kind}/${kind === 'flows' ? flow.id : flow.source}/tags`;
      expect((await put(v8, `${base}/langs`, ['en', 'fr', 'en'])).status).toBe(204);
      expect((await put(v8, `${base}/none`, [])).status).toBe(204);
      expect((await put(v8, `${base}/kind`, 'news')).status).toBe(204);
      expect(await tag82(`${base}/langs`)).toEqual(['en', 'fr', 'en']);
      expect(await tag82(`${base}/none`)).toEqual([]);
      expect(await tag82(`${base}/kind`)).toBe('news');
      expect(await tags82(base)).toMatchObject({ langs: ['en', 'fr', 'en'], none: [], kind: 'news' });
      expect((await v8.delete(`${base}/langs`)).status).toBe(204);
      await expectGetError(server, `/tams/v8.2${base}/langs`, 404);
      expect((await tags82(base)).langs).toBeUndefined();
    });

    it(`${kind}: a value neither a string nor a list of strings is a 400`, async () => {
      const flow = await newFlow();
      const base = `/${kind}/${kind === 'flows' ? flow.id : flow.source}/tags`;
      for (const bad of [1, ['a', 2], { a: 'b' }, null, [['a']]]) {
        expectError(await put(v8, `${base}/x`, bad), 400);
      }
      expect((await tags82(base)).x).toBeUndefined();
    });
  }

  it('refuses a list too large for the Flow to be stored whole, storing nothing', async () => {
    const flow = await newFlow();
    const big = Array.from({ length: 200 }, (_, i) => `${i}`.padEnd(1000, '.'));
    expectError(await put(v8, `/flows/${flow.id}/tags/big`, big), 400);
    expect((await tags82(`/flows/${flow.id}/tags`)).big).toBeUndefined();
  });

  it('403 on a read-only Flow', async () => {
    const flow = await newFlow();
    expect((await put(server, `/flows/${flow.id}/read_only`, true)).status).toBe(204);
    expectError(await put(v8, `/flows/${flow.id}/tags/langs`, ['en']), 403);
    expectError(await v8.delete(`/flows/${flow.id}/tags/owner`), 403);
  });
});

describe('lists written through 8.2, read through 7.0', () => {
  it('7.0 answers leave them out and 404 them by name, at / and /tams/v7.0', async () => {
    const flow = await newFlow({ owner: 'me' });
    expect((await put(v8, `/flows/${flow.id}/tags/langs`, ['en', 'cy'])).status).toBe(204);
    expect((await put(v8, `/sources/${flow.source}/tags/langs`, ['en'])).status).toBe(204);
    for (const client of [server, v7]) {
      const doc = await getAndHead<Doc>(client, `/flows/${flow.id}`);
      assertSpecValid('flow.json', doc.body);
      expect(doc.body.tags).toEqual({ owner: 'me' });
      const tags = await getAndHead<Doc>(client, `/flows/${flow.id}/tags`);
      assertSpecValid('tags.json', tags.body);
      expect(tags.body).toEqual({ owner: 'me' });
      const source = await getAndHead<Doc>(client, `/sources/${flow.source}`);
      assertSpecValid('source.json', source.body);
      expect(source.body.tags).toBeUndefined();
      expectError(await client.get(`/flows/${flow.id}/tags/langs`), 404);
      expectError(await client.get(`/sources/${flow.source}/tags/langs`), 404);
      const listed = await client.get<Doc[]>('/flows', { query: { 'tag.langs': 'en' } });
      assertSpecValid('flow.json[]', listed.body);
      expect(listed.body.map((f) => f.id)).not.toContain(flow.id);
    }
  });

  it('a 7.0 PUT of the Flow keeps them; a 7.0 string of the same name replaces one', async () => {
    const flow = await newFlow({ owner: 'me' });
    expect((await put(v8, `/flows/${flow.id}/tags/langs`, ['en', 'cy'])).status).toBe(204);
    expect((await put(v8, `/flows/${flow.id}/tags/crew`, ['a'])).status).toBe(204);
    const seen = await getFlow(server, flow.id);
    expect((await server.put(`/flows/${flow.id}`, { ...seen, label: 'renamed', tags: {} })).status).toBe(204);
    expect(await tags82(`/flows/${flow.id}/tags`)).toEqual({ langs: ['en', 'cy'], crew: ['a'] });
    expect((await put(v7, `/flows/${flow.id}/tags/crew`, 'b')).status).toBe(204);
    expect(await tags82(`/flows/${flow.id}/tags`)).toEqual({ langs: ['en', 'cy'], crew: 'b' });
    expect((await getFlow(server, flow.id)).tags).toEqual({ crew: 'b' });
  });
});
