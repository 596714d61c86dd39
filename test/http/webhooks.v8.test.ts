/**
 * TAMS 8.2's webhooks at /tams/v8.2 beside 7.0's, over one store (docs/api-versions.md): ids and
 * CRUD, the spec's request examples accepted, every answer valid against the 8.2 schemas; a
 * webhook made through 8.2 is invisible to 7.0, one made through 7.0 is in 8.2's list with its
 * id; PUT's rules and status changes; the listing sorted by url, paged, reversed and filtered by
 * tags. Deliveries per version: test/events/webhooks.v8.delivery.test.ts.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { mountClient } from '../helpers/mounts.ts';
import { type HttpClient, startServer, type TestServer } from '../helpers/server.ts';
import { assertSpecValid } from '../helpers/spec-schemas.ts';
import { spec82 } from '../helpers/spec82-schemas.ts';
import { type Doc, expectError, expectGetError, getAndHead, nextLink, uuid } from './fixtures.ts';

/** The id webhook-put.json names (its webhook must exist first). */
const EXAMPLE_ID = 'e85efab4-993b-4ad6-9af3-4cd8d0d38860';
/** Ids the server hands out next, before random ones. */
const queued: string[] = [];

let server: TestServer;
let v8: HttpClient;
let v7: HttpClient;
beforeAll(async () => {
  server = await startServer({
    // Nothing is delivered here: 8.2-made webhooks stay `created`.
    workers: false,
    ids: { uuid: () => queued.shift() ?? randomUUID() },
    env: { TAMS_WEBHOOK_ALLOW: '127.0.0.1,hook.example.com', TAMS_PAGE_LIMIT_DEFAULT: '100' },
  });
  v8 = mountClient(server, '/tams/v8.2');
  v7 = mountClient(server, '/tams/v7.0');
});
afterAll(async () => {
  await server?.close();
});
beforeEach(async () => {
  for (const w of await list82()) expect((await v8.delete(`/service/webhooks/${w.id}`)).status).toBe(204);
});

async function list82(query: Record<string, string | number | boolean> = {}): Promise<Doc[]> {
  const res = await getAndHead<Doc[]>(v8, '/service/webhooks', { query });
  expect(res.status, res.text).toBe(200);
  spec82.assertSpecValid('webhook-get.json[]', res.body);
  return res.body;
}

/** 7.0's list, the same at / and /tams/v7.0, valid 7.0. */
async function list70(): Promise<Doc[]> {
  const res = await getAndHead<Doc[]>(server, '/service/webhooks');
  expect(res.status).toBe(200);
  assertSpecValid('webhook.json[]', res.body);
  expect((await v7.get('/service/webhooks')).body).toEqual(res.body);
  return res.body;
}

async function post82(body: Doc): Promise<Doc> {
  const res = await v8.post<Doc>('/service/webhooks', body);
  expect(res.status, res.text).toBe(201);
  spec82.assertSpecValid('webhook-get.json', res.body);
  return res.body;
}

async function put82(id: string, body: Doc): Promise<Doc> {
  const res = await v8.put<Doc>(`/service/webhooks/${id}`, { id, ...body });
  expect(res.status, res.text).toBe(201);
  spec82.assertSpecValid('webhook-get.json', res.body);
  return res.body;
}

const hook = (path: string) => `http://127.0.0.1:1/${path}`;

describe("8.2's examples", () => {
  it('webhook-post.json registers (201, its id); webhook-put.json then updates it', async () => {
    const put = spec82.specExample('webhook-put.json') as Doc;
    // PUT does not create: the webhook must exist.
    expectError(await v8.put(`/service/webhooks/${EXAMPLE_ID}`, put), 404);

    queued.push(EXAMPLE_ID);
    const created = await post82(spec82.specExample('webhook-post.json') as Doc);
    expect(created).toEqual({
      id: EXAMPLE_ID,
      url: 'https://hook.example.com',
      api_key_name: 'Authorization',
      events: ['flows/created', 'flows/updated'],
      status: 'created',
    });
    const got = await getAndHead<Doc>(v8, `/service/webhooks/${EXAMPLE_ID}`);
    expect(got.status).toBe(200);
    expect(got.body).toEqual(created);

    const updated = await put82(EXAMPLE_ID, put);
    expect(updated).toEqual(created);
    expect((await server.runtime.store.webhooks.get(EXAMPLE_ID))?.api_key_value).toBe(
      'Bearer 21238dksdjqwpqscj9',
    );

    expect((await v8.delete(`/service/webhooks/${EXAMPLE_ID}`)).status).toBe(204);
    await expectGetError(server, `/tams/v8.2/service/webhooks/${EXAMPLE_ID}`, 404);
    expectError(await v8.delete(`/service/webhooks/${EXAMPLE_ID}`), 404);
    await expectGetError(server, '/tams/v8.2/service/webhooks/not-a-uuid', 404);
  });
});

describe('one store, two versions', () => {
  it('7.0 lists only webhooks made through 7.0; 8.2 lists both, with ids', async () => {
    const eight = await post82({ url: hook('a-eight'), events: ['sources/created'], tags: { team: 'news' } });
    const seven = {
      url: hook('b-seven'),
      api_key_name: 'X-Key',
      api_key_value: 's3',
      events: ['flows/created'],
    };
    expect((await server.post('/service/webhooks', seven)).status).toBe(201);

    // 7.0 answers as it always has, and never sees the 8.2 webhook.
    expect(await list70()).toEqual([
      { url: hook('b-seven'), api_key_name: 'X-Key', events: ['flows/created'] },
    ]);
    const listed = await list82();
    expect(listed.map((w) => w.url)).toEqual([hook('a-eight'), hook('b-seven')]);
    const sevenId = listed[1]?.id as string;
    expect(listed[1]).toEqual({
      id: sevenId,
      url: hook('b-seven'),
      api_key_name: 'X-Key',
      events: ['flows/created'],
      status: 'started',
    });
    expect((await v8.get(`/service/webhooks/${sevenId}`)).body).toEqual(listed[1]);

    // 7.0's identity matches 7.0's webhooks alone: an empty `events` for the 8.2 webhook's URL
    // removes nothing, and a re-POST of its identity makes another 7.0 webhook.
    expect((await v7.post('/service/webhooks', { url: hook('a-eight'), events: [] })).status).toBe(204);
    expect((await list82()).map((w) => w.id)).toContain(eight.id);
    expect(
      (await v7.post('/service/webhooks', { url: hook('a-eight'), events: ['flows/deleted'] })).status,
    ).toBe(201);
    expect((await v8.get(`/service/webhooks/${eight.id}`)).body).toEqual(eight);
    expect((await list70()).map((w) => w.url)).toEqual([hook('b-seven'), hook('a-eight')]);

    // 8.2 manages 7.0's webhooks: what 7.0 cannot express stays out of 7.0's list.
    const changed = await put82(sevenId, {
      url: hook('b-seven'),
      api_key_name: 'X-Key',
      events: ['flows/created', 'flows/deleted'],
      source_ids: [uuid()],
      tags: { team: ['news', 'sport'] },
      status: 'created',
    });
    expect(changed.status).toBe('started');
    expect((await server.runtime.store.webhooks.get(sevenId))?.api_key_value).toBe('s3');
    const [sevenSeen] = await list70();
    expect(sevenSeen).toEqual({
      url: hook('b-seven'),
      api_key_name: 'X-Key',
      events: ['flows/created', 'flows/deleted'],
      source_ids: changed.source_ids,
    });
    // Disabled through 8.2: 7.0 says why it receives nothing; 7.0 registering it again enables it.
    expect((await put82(sevenId, { ...changed, status: 'disabled' })).status).toBe('disabled');
    expect((await list70())[0]?.delivery_suspended).toMatch(/disabled by a TAMS 8.2 client/);
    expect((await server.post('/service/webhooks', { ...seven, events: ['flows/created'] })).status).toBe(
      201,
    );
    expect((await v8.get<Doc>(`/service/webhooks/${sevenId}`)).body.status).toBe('created');
    expect((await list70())[0]).not.toHaveProperty('delivery_suspended');

    expect((await v8.delete(`/service/webhooks/${sevenId}`)).status).toBe(204);
    expect((await list70()).map((w) => w.url)).toEqual([hook('a-eight')]);
  });

  it("each version refuses the other's options", async () => {
    const refused = await server.post('/service/webhooks', {
      url: hook('x'),
      events: ['flows/created'],
      tags: {},
    });
    expectError(refused, 400);
    expect((refused.body as Doc).summary).toMatch(/Unsupported webhook options: tags/);
    const sevenOption = await server.post('/service/webhooks', {
      url: hook('x'),
      events: ['flows/segments_added'],
      include_object_timerange: true,
    });
    expectError(sevenOption, 400);
    expect((sevenOption.body as Doc).summary).toMatch(
      /Unsupported webhook options: include_object_timerange/,
    );
    // 8.2's include_object_timerange is kept (its deliveries: test/events/webhooks.v8.delivery.test.ts).
    const on = await post82({
      url: hook('x'),
      events: ['flows/segments_added'],
      include_object_timerange: true,
    });
    expect(on.include_object_timerange).toBe(true);
    expect((await v8.get<Doc>(`/service/webhooks/${on.id}`)).body.include_object_timerange).toBe(true);
    const off = await post82({
      url: hook('x'),
      events: ['flows/segments_added'],
      include_object_timerange: false,
    });
    expect(off.include_object_timerange).toBe(false);
  });

  it('include_object_timerange: true on a webhook registered through 7.0 is a 400 (its payloads are 7.0s)', async () => {
    const seven = { url: hook('seven'), events: ['flows/segments_added'] };
    expect((await server.post('/service/webhooks', seven)).status).toBe(201);
    const [listed] = await list82();
    const id = listed?.id as string;
    const refused = await v8.put(`/service/webhooks/${id}`, {
      id,
      ...seven,
      status: 'created',
      include_object_timerange: true,
    });
    expectError(refused, 400);
    expect((refused.body as Doc).summary).toMatch(
      /include_object_timerange: true .*registered through TAMS 7\.0/,
    );
    expect((await v8.get<Doc>(`/service/webhooks/${id}`)).body).not.toHaveProperty(
      'include_object_timerange',
    );
    // false is what it does: accepted.
    expect((await put82(id, { ...seven, status: 'created', include_object_timerange: false })).url).toBe(
      seven.url,
    );
  });
});

describe('POST and PUT', () => {
  it('POST always registers anew; status disabled registers without delivering', async () => {
    const body = { url: hook('same'), events: ['flows/created'] };
    const [a, b] = [await post82(body), await post82({ ...body, status: 'disabled' })];
    expect(a.id).not.toBe(b.id);
    expect([a.status, b.status]).toEqual(['created', 'disabled']);
    expect(await list82()).toHaveLength(2);
  });

  it('replaces what a client sets; the API key value stays while its name does', async () => {
    const { id } = await post82({
      url: hook('k'),
      api_key_name: 'X-Key',
      api_key_value: 'v1',
      events: ['flows/created'],
      flow_ids: [uuid()],
      tags: { a: 'b' },
    });
    const stored = async () => server.runtime.store.webhooks.get(id as string);
    const kept = await put82(id as string, {
      url: hook('k2'),
      api_key_name: 'X-Key',
      events: [],
      status: 'created',
    });
    expect(kept).toEqual({ id, url: hook('k2'), api_key_name: 'X-Key', events: [], status: 'created' });
    expect((await stored())?.api_key_value).toBe('v1');
    await put82(id as string, { url: hook('k2'), api_key_name: 'X-Other', events: [], status: 'created' });
    expect((await stored())?.api_key_value).toBeUndefined();
    await put82(id as string, {
      url: hook('k2'),
      api_key_name: 'X-Other',
      api_key_value: 'v2',
      events: [],
      status: 'created',
    });
    const dropped = await put82(id as string, {
      url: hook('k2'),
      events: ['flows/deleted'],
      status: 'created',
    });
    expect(dropped).not.toHaveProperty('api_key_name');
    expect(await stored()).not.toHaveProperty('api_key_value');
    expect((await stored())?.api_version).toBe('8.2');
  });

  it('status: created and disabled, back and forth', async () => {
    const { id } = await post82({ url: hook('s'), events: ['flows/created'] });
    const base = { url: hook('s'), events: ['flows/created'] };
    expect((await put82(id as string, { ...base, status: 'disabled' })).status).toBe('disabled');
    expect((await v8.get<Doc>(`/service/webhooks/${id}`)).body.status).toBe('disabled');
    expect((await put82(id as string, { ...base, status: 'created' })).status).toBe('created');
  });

  it('refuses what is wrong with 400 (404 for an unknown id), changing nothing', async () => {
    const created = await post82({ url: hook('r'), events: ['flows/created'] });
    const id = created.id as string;
    const base = { id, url: hook('r'), events: ['flows/created'], status: 'created' };
    const cases: [string, Doc][] = [
      ['another id in the body', { ...base, id: uuid() }],
      ['no status', { id, url: hook('r'), events: ['flows/created'] }],
      ['a status only the server sets', { ...base, status: 'started' }],
      ['an unknown event type', { ...base, events: ['flows/renamed'] }],
      ['an unknown option', { ...base, transcode: true }],
      ['a URL not allowed', { ...base, url: 'http://10.1.2.3/hook' }],
      ['a tag value neither string nor list', { ...base, tags: { n: 1 } }],
    ];
    for (const [what, body] of cases) {
      const res = await v8.put(`/service/webhooks/${id}`, body);
      expect(res.status, `PUT with ${what}`).toBe(400);
      expectError(res, 400);
    }
    for (const [what, { id: _id, status: _status, ...body }] of cases.slice(3)) {
      const res = await v8.post('/service/webhooks', body);
      expect(res.status, `POST with ${what}`).toBe(400);
    }
    expectError(await v8.post('/service/webhooks', { url: hook('r'), events: [], status: 'started' }), 400);
    expectError(await v8.put(`/service/webhooks/${uuid()}`, { ...base, id: undefined }), 400);
    const unknown = uuid();
    expectError(await v8.put(`/service/webhooks/${unknown}`, { ...base, id: unknown }), 404);
    expect(await list82()).toEqual([created]);
  });
});

describe('the listing', () => {
  it('is sorted by url (then id), paged with Link and X-Paging headers, and reversed', async () => {
    const urls = ['d', 'b', 'e', 'a', 'b'].map(hook);
    const made: Doc[] = [];
    for (const url of urls) made.push(await post82({ url, events: ['flows/created'] }));
    const order = made
      .map((w) => [w.url as string, w.id as string] as const)
      .sort(([u1, i1], [u2, i2]) => (u1 === u2 ? (i1 < i2 ? -1 : 1) : u1 < u2 ? -1 : 1))
      .map(([, id]) => id);

    const pages = async (query: { reverse_order?: boolean }) => {
      const ids: string[] = [];
      let res = await getAndHead<Doc[]>(v8, '/service/webhooks', { query: { ...query, limit: 2 } });
      for (;;) {
        expect(res.status).toBe(200);
        spec82.assertSpecValid('webhook-get.json[]', res.body);
        expect(res.headers.get('x-paging-limit')).toBe('2');
        expect(res.headers.get('x-paging-count')).toBe(String(res.body.length));
        expect(res.headers.get('x-paging-reverse-order')).toBe(String(query.reverse_order ?? false));
        ids.push(...res.body.map((w) => w.id as string));
        const next = nextLink(res);
        if (next === undefined) break;
        expect(new URL(next).pathname).toBe('/tams/v8.2/service/webhooks');
        expect(new URL(next).searchParams.get('page')).toBe(res.headers.get('x-paging-nextkey'));
        res = await getAndHead<Doc[]>(v8, next);
      }
      return ids;
    };
    expect(await pages({})).toEqual(order);
    expect(await pages({ reverse_order: true })).toEqual([...order].reverse());
    expect((await list82({ reverse_order: true })).map((w) => w.id)).toEqual([...order].reverse());

    expectError(await v8.get('/service/webhooks', { query: { page: 'bm90LWEta2V5' } }), 400);
    expectError(await v8.get('/service/webhooks', { query: { page: '!' } }), 400);
  });

  it('filters by tags: comma lists of values, elements of list tags, presence', async () => {
    const make = async (name: string, tags: Doc) => (await post82({ url: hook(name), events: [], tags })).id;
    const news = await make('1', { team: 'news' });
    const both = await make('2', { team: ['sport', 'news'] });
    const comma = await make('3', { team: 'a,b' });
    const none = await make('4', { other: 'x' });
    const empty = await make('5', { team: [] });
    const found = async (query: string) => {
      const res = await getAndHead<Doc[]>(v8, `/service/webhooks?${query}`);
      expect(res.status, `${query}: ${res.text}`).toBe(200);
      return res.body.map((w) => w.id);
    };
    expect(await found('tag.team=news')).toEqual([news, both]);
    expect(await found('tag.team=sport,weather')).toEqual([both]);
    expect(await found('tag.team=a%2Cb')).toEqual([comma]);
    expect(await found('tag.team=a')).toEqual([]);
    expect(await found('tag_exists.team=false')).toEqual([none]);
    expect(await found('tag_exists.team=true')).toEqual([news, both, comma, empty]);
    expect(await found('tag_exists.other=false&tag.team=news,a%2Cb')).toEqual([news, both, comma]);
    expect(await found('tag.t%C3%A9am=news')).toEqual([]);
    expectError(await v8.get('/service/webhooks?tag.team=news,'), 400);
  });
});
