/**
 * TAMS 8.2's `/service/storage-backends` at /tams/v8.2 (ADR 0052, ADR 0055): every backend with
 * the read-only `tags` its configuration gives (a string or a list of strings), sorted by label
 * (`reverse_order` reverses), paged with the 8.2 headers, filtered by `tag.{name}` (a comma list,
 * matching a string or an element of a list) and `tag_exists.{name}`, each answer valid against
 * 8.2's `storage-backends-list.json`. TAMS 7.0 has no backend tags: its answer (at / and
 * /tams/v7.0) is the configured list as before, tags left out, and so are its verbose `get_urls`.
 * 8.2's verbose `get_urls` carry their backend's tags, and `storage_backend_tag*` filter them.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mountClient } from '../helpers/mounts.ts';
import { fsBackendEntry, type S3TestServer, s3BackendEntry, startS3Server } from '../helpers/s3.server.ts';
import type { HttpClient, TestResponse, TestServer } from '../helpers/server.ts';
import { assertSpecValid } from '../helpers/spec-schemas.ts';
import { spec82 } from '../helpers/spec82-schemas.ts';
import { type AllocatedObject, addSegments, allocate, newFlow } from '../segments/helpers.ts';
import { type Doc, expectError, getAndHead, nextLink } from './fixtures.ts';

const FS_ID = randomUUID();
const ZETA_ID = randomUUID();
const ALPHA_ID = randomUUID();
const FS_TAGS = { tier: 'hot', cost_centre: ['news', 'sport'] };
const ZETA_TAGS = { tier: 'archive', 'auth,class': 'a,b', empty: [] };

let target: S3TestServer;
let server: TestServer;
let v8: HttpClient;

beforeAll(async () => {
  target = await startS3Server({
    buckets: ['zeta', 'alpha'],
    backends: (s3) => [
      fsBackendEntry({ id: FS_ID, tags: FS_TAGS }),
      s3BackendEntry(s3, 'zeta', { id: ZETA_ID, tags: ZETA_TAGS }),
      s3BackendEntry(s3, 'alpha', { id: ALPHA_ID }),
    ],
  });
  server = target.server;
  v8 = mountClient(server, '/tams/v8.2');
});
afterAll(() => target?.close());

function expectListing(res: TestResponse<Doc[]>, reverse = false): void {
  expect(res.status, res.text).toBe(200);
  spec82.assertSpecValid('storage-backends-list.json', res.body);
  expect(res.headers.get('x-paging-count')).toBe(String(res.body.length));
  expect(res.headers.get('x-paging-reverse-order')).toBe(String(reverse));
}

const labels = (res: TestResponse<Doc[]>) => res.body.map((b) => b.label);

describe('GET /tams/v8.2/service/storage-backends', () => {
  it('lists every backend by label, with its configured tags', async () => {
    const res = await getAndHead<Doc[]>(v8, '/service/storage-backends');
    expectListing(res);
    expect(labels(res)).toEqual(['alpha', 'local', 'zeta']);
    const [alpha, local, zeta] = res.body;
    expect(alpha).not.toHaveProperty('tags');
    expect(local).toEqual({
      id: FS_ID,
      label: 'local',
      store_type: 'http_object_store',
      provider: 'tams-server',
      store_product: 'filesystem',
      default_storage: true,
      tags: FS_TAGS,
    });
    expect(zeta?.tags).toEqual(ZETA_TAGS);
  });

  it('reverses with reverse_order, and pages with the 8.2 headers', async () => {
    const reversed = await getAndHead<Doc[]>(v8, '/service/storage-backends', {
      query: { reverse_order: true },
    });
    expectListing(reversed, true);
    expect(labels(reversed)).toEqual(['zeta', 'local', 'alpha']);

    const seen: unknown[] = [];
    let res = await getAndHead<Doc[]>(v8, '/service/storage-backends', {
      query: { limit: 1, reverse_order: true },
    });
    for (;;) {
      expectListing(res, true);
      expect(res.headers.get('x-paging-limit')).toBe('1');
      seen.push(...labels(res));
      const next = nextLink(res);
      if (next === undefined) break;
      expect(new URL(next).pathname).toBe('/tams/v8.2/service/storage-backends');
      if (seen.length > 3) throw new Error('paging does not terminate');
      res = await getAndHead<Doc[]>(v8, next);
    }
    expect(seen).toEqual(['zeta', 'local', 'alpha']);
  });

  it('filters on tags: a comma list of values, matching strings and list elements', async () => {
    const filtered = async (query: string) => {
      const res = await v8.get<Doc[]>(`/service/storage-backends?${query}`);
      expectListing(res);
      return labels(res);
    };
    expect(await filtered('tag.tier=hot')).toEqual(['local']);
    expect(await filtered('tag.tier=hot,archive')).toEqual(['local', 'zeta']);
    expect(await filtered('tag.cost_centre=sport')).toEqual(['local']);
    expect(await filtered('tag.cost_centre=spo')).toEqual([]);
    // A comma inside a value or a name is written %2C.
    expect(await filtered('tag.auth%2Cclass=a%2Cb')).toEqual(['zeta']);
    expect(await filtered('tag.auth%2Cclass=a,b')).toEqual([]);
    expect(await filtered('tag_exists.tier=true')).toEqual(['local', 'zeta']);
    expect(await filtered('tag_exists.tier=false')).toEqual(['alpha']);
    expect(await filtered('tag_exists.empty=true&tag.tier=archive')).toEqual(['zeta']);
    expectError(await v8.get('/service/storage-backends?tag.tier=hot,,archive'), 400);
  });

  it('refuses a page key of the other direction', async () => {
    const first = await v8.get('/service/storage-backends', { query: { limit: 1 } });
    const page = first.headers.get('x-paging-nextkey') as string;
    expect((await v8.get('/service/storage-backends', { query: { limit: 1, page } })).status).toBe(200);
    expectError(
      await v8.get('/service/storage-backends', { query: { limit: 1, page, reverse_order: true } }),
      400,
    );
  });
});

describe("TAMS 7.0's storage backends", () => {
  it('are the configured list as before, without tags, at / and /tams/v7.0', async () => {
    for (const client of [server as HttpClient, mountClient(server, '/tams/v7.0')]) {
      const res = await getAndHead<Doc[]>(client, '/service/storage-backends', {
        query: { reverse_order: 'true', 'tag.tier': 'hot' },
      });
      expect(res.status).toBe(200);
      assertSpecValid('storage-backends-list.json', res.body);
      expect(labels(res)).toEqual(['local', 'zeta', 'alpha']);
      for (const backend of res.body) expect(backend).not.toHaveProperty('tags');
      expect(res.headers.get('x-paging-count')).toBeNull();
    }
  });

  it('show no tags in verbose get_urls either', async () => {
    const flowId = await newFlow(server);
    const [object] = (await allocate(server, flowId, { limit: 1 })) as [AllocatedObject];
    await addSegments(server, flowId, { object_id: object.object_id, timerange: '[0:0_10:0)' });
    const res = await server.get<Doc[]>(`/flows/${flowId}/segments`, { query: { verbose_storage: true } });
    assertSpecValid('flow-segment.json[]', res.body);
    const urls = (res.body[0]?.get_urls ?? []) as Doc[];
    expect(urls.map((u) => u.storage_id)).toContain(FS_ID);
    for (const url of urls) expect(url).not.toHaveProperty('tags');
  });
});

describe("TAMS 8.2's get_urls and their backends' tags", () => {
  it('carry the tags in verbose get_urls, and filter on them with storage_backend_tag*', async () => {
    const flowId = await newFlow(server);
    const objectIn = async (storage_id: string) =>
      ((await allocate(server, flowId, { limit: 1, storage_id })) as [AllocatedObject])[0].object_id;
    const uncontrolled = { url: 'https://cdn.example.com/copy', label: 'cdn' };
    const registered = await v8.post(`/flows/${flowId}/segments`, [
      { object_id: await objectIn(FS_ID), timerange: '[0:0_10:0)', get_urls: [uncontrolled] },
      { object_id: await objectIn(ZETA_ID), timerange: '[10:0_20:0)' },
      { object_id: await objectIn(ALPHA_ID), timerange: '[20:0_30:0)' },
    ]);
    expect(registered.status, registered.text).toBe(201);
    const segments = async (query: string) => {
      const res = await getAndHead<Doc[]>(v8, `/flows/${flowId}/segments?${query}`);
      expect(res.status, res.text).toBe(200);
      spec82.assertSpecValid('flow-segment.json[]', res.body);
      return res.body.map((s) => (s.get_urls ?? []) as Doc[]);
    };
    const backendsOf = (urls: Doc[][]) => urls.map((list) => list.map((u) => u.storage_id ?? u.label));

    const verbose = await segments('verbose_storage=true');
    expect(verbose[0]?.filter((u) => u.storage_id === FS_ID).map((u) => u.tags)).toEqual([FS_TAGS, FS_TAGS]);
    expect(verbose[0]?.find((u) => u.label === 'cdn')).toEqual({ ...uncontrolled, controlled: false });
    expect(verbose[1]?.map((u) => u.tags)).toEqual([ZETA_TAGS]);
    for (const url of verbose[2] ?? []) expect(url).not.toHaveProperty('tags');
    // Not verbose: url, presigned and label only.
    for (const url of (await segments('')).flat()) expect(url).not.toHaveProperty('tags');

    // Not verbose (the fast lane of pages where the store keeps indexes): the fs backend's URLs.
    const local = ['tams-server:filesystem.presigned:local', 'tams-server:filesystem:local'];
    expect(backendsOf(await segments('storage_backend_tag.tier=hot'))).toEqual([local, [], []]);
    // A filter's name written percent-encoded is the same filter (the route looks for the
    // filters among the decoded names before it reads the lists from the raw query string).
    expect(backendsOf(await segments('storage%5Fbackend%5Ftag.tier=hot'))).toEqual([local, [], []]);
    expect(backendsOf(await segments('verbose_storage=true&storage_backend_tag%2Etier=archive,hot'))).toEqual(
      [[FS_ID, FS_ID], [ZETA_ID], []],
    );
    expectError(await v8.get(`/flows/${flowId}/segments?storage%5Fbackend_tag.tier=hot,,cold`), 400);
    expect(backendsOf(await segments('verbose_storage=true&storage_backend_tag.tier=archive,hot'))).toEqual([
      [FS_ID, FS_ID],
      [ZETA_ID],
      [],
    ]);
    expect(backendsOf(await segments('verbose_storage=true&storage_backend_tag.cost_centre=sport'))).toEqual([
      [FS_ID, FS_ID],
      [],
      [],
    ]);
    expect(backendsOf(await segments('verbose_storage=true&storage_backend_tag_exists.empty=true'))).toEqual([
      [],
      [ZETA_ID],
      [],
    ]);
    // Asking only for a tag's absence keeps the URLs of backends without it, and those of none.
    expect(backendsOf(await segments('verbose_storage=true&storage_backend_tag_exists.tier=false'))).toEqual([
      ['cdn'],
      [],
      [ALPHA_ID],
    ]);
    expect(
      backendsOf(await segments('verbose_storage=true&presigned=true&storage_backend_tag.tier=hot')),
    ).toEqual([[FS_ID], [], []]);
  });
});
