/**
 * TAMS 7.0 at `/` and at `/tams/v7.0` (src/http/api.version.ts) is one API over one store: what
 * is written through either mount reads back identically through both, headers included, but
 * for the links into the API, which carry the mount the request came through; paging through
 * `/tams/v7.0` stays under it to the last page and finds what paging through `/` finds. Media
 * URLs are the store's, the same whichever mount handed them out.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mountClient } from '../helpers/mounts.ts';
import { type HttpClient, startServer, type TestResponse, type TestServer } from '../helpers/server.ts';
import { addSegments, allocate, contiguous, upload } from '../segments/helpers.ts';
import { allPages, createFlow, type Doc, nextLink, putValue, uuid, videoFlow } from './fixtures.ts';

const PREFIX = '/tams/v7.0';

let server: TestServer;
let root: HttpClient;
let v7: HttpClient;
beforeAll(async () => {
  server = await startServer({
    // No worker runs: a deletion request stays as it was made, so both mounts read the same one.
    workers: false,
    env: { TAMS_DELETE_SYNC_LIMIT: '0', TAMS_WEBHOOK_ALLOW: '127.0.0.1', TAMS_PAGE_LIMIT_DEFAULT: '2' },
  });
  root = server;
  v7 = mountClient(server, PREFIX);
});
afterAll(async () => {
  await server?.close();
});

/**
 * What depends on the moment of the answer, set aside: a presigned URL's query (expiry,
 * signature: the second it was made in), and an error body's `time`.
 */
function withoutSignatures(value: unknown): unknown {
  if (typeof value === 'string')
    return /^https?:\/\/[^?]*\?/.test(value) ? value.replace(/\?.*$/, '?…') : value;
  if (Array.isArray(value)) return value.map(withoutSignatures);
  if (value !== null && typeof value === 'object') {
    const error = 'type' in value && 'summary' in value;
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, error && k === 'time' ? '…' : withoutSignatures(v)]),
    );
  }
  return value;
}

/** Headers that differ from one answer to the next whatever the mount. */
const PER_ANSWER = new Set(['date', 'connection', 'keep-alive']);
/** Headers holding URLs into the API: the mount's prefix after the server's base. */
const API_LINKS = new Set(['link', 'location']);

function headersOf(res: TestResponse<unknown>, bodiesSigned: boolean): Record<string, string> {
  const out: Record<string, string> = {};
  res.headers.forEach((value, name) => {
    if (PER_ANSWER.has(name) || API_LINKS.has(name)) return;
    // A signature's length may differ by a digit from one second to the next.
    if (name === 'content-length' && bodiesSigned) return;
    out[name] = value;
  });
  return out;
}

/** The same request through both mounts: the same answer, but for the mount in the API's links. */
async function expectSameAnswer(method: 'GET' | 'HEAD', path: string): Promise<TestResponse<unknown>> {
  const [atRoot, atMount] = [await root.request(method, path), await v7.request(method, path)];
  const label = `${method} ${path}`;
  expect(atMount.status, label).toBe(atRoot.status);
  expect(withoutSignatures(atMount.body), label).toEqual(withoutSignatures(atRoot.body));
  const signed = atRoot.text !== atMount.text;
  expect(headersOf(atMount, signed), label).toEqual(headersOf(atRoot, signed));
  for (const name of API_LINKS) {
    const [a, b] = [atRoot.headers.get(name), atMount.headers.get(name)];
    expect(b, `${label}: ${name}`).toBe(a === null ? null : a.replace(server.url, `${server.url}${PREFIX}`));
  }
  return atMount;
}

describe('TAMS 7.0 at / and at /tams/v7.0', () => {
  const flow = videoFlow({ label: 'through /tams/v7.0' });
  const other = videoFlow({ label: 'through /' });
  const objects: string[] = [];

  beforeAll(async () => {
    // Written through /tams/v7.0: a Flow, storage, uploads, segments, the service's name.
    await createFlow(v7, flow);
    const allocated = await allocate(v7, flow.id as string, { limit: 3 });
    for (const object of allocated.slice(0, 2)) await upload(object);
    objects.push(...allocated.map((o) => o.object_id));
    await addSegments(v7, flow.id as string, contiguous(objects.slice(0, 2)));
    expect((await v7.post('/service', { name: 'one store, two mounts' })).status).toBe(200);
    // Written through /: another Flow with a segment, tags and labels, a webhook.
    await createFlow(root, other);
    const [spare] = await allocate(root, other.id as string, { limit: 1 });
    await addSegments(root, other.id as string, contiguous([spare?.object_id as string]));
    expect((await putValue(server, `/flows/${flow.id}/tags/genre`, 'news')).status).toBe(204);
    expect((await putValue(server, `/sources/${flow.source_id}/label`, 'camera 1')).status).toBe(204);
    const hook = { url: 'http://127.0.0.1:1/hook', events: ['flows/created'] };
    expect((await root.post('/service/webhooks', hook)).status).toBe(201);
  });

  it('answers every read identically through both, written through either', async () => {
    const [f, s, o] = [flow.id as string, flow.source_id as string, objects[0] as string];
    const paths = [
      '/',
      '/service',
      '/service/storage-backends',
      '/service/webhooks',
      '/sources',
      `/sources/${s}`,
      `/sources/${s}/tags`,
      `/sources/${s}/label`,
      `/sources/${other.source_id}`,
      '/flows',
      '/flows?limit=1',
      `/flows?source_id=${s}`,
      `/flows/${f}`,
      `/flows/${f}/tags`,
      `/flows/${f}/tags/genre`,
      `/flows/${f}/label`,
      `/flows/${f}/read_only`,
      `/flows/${f}/segments`,
      `/flows/${f}/segments?limit=1`,
      `/flows/${f}/segments?verbose_storage=true`,
      `/flows/${other.id}`,
      `/objects/${o}`,
      `/objects/${objects[2]}`,
      '/flow-delete-requests',
      // What each refuses, the same way.
      `/flows/${uuid()}`,
      `/flows/${f}/tags/none`,
      '/flows?limit=none',
      `/flows/${f}/segments?timerange=nonsense`,
    ];
    for (const path of paths) {
      for (const method of ['GET', 'HEAD'] as const) await expectSameAnswer(method, path);
    }
    const service = await v7.get<Doc>('/service');
    expect(service.body).toMatchObject({ api_version: '7.0', name: 'one store, two mounts' });
    // The store's media URLs, not the API's: no mount in them.
    const segments = await v7.get<Doc[]>(`/flows/${f}/segments`);
    const urls = segments.body.flatMap((seg) => (seg.get_urls as { url: string }[]).map((u) => u.url));
    expect(urls.length).toBeGreaterThan(0);
    for (const url of urls) expect(url).not.toContain(PREFIX);
  });

  it('answers a deletion with a Location under the mount it came through', async () => {
    const deleted = await v7.delete(`/flows/${flow.id}/segments`, { query: { timerange: '[0:0_10:0)' } });
    expect(deleted.status).toBe(202);
    const location = deleted.headers.get('location') as string;
    const id = (deleted.body as Doc).id as string;
    expect(location).toBe(`${server.url}${PREFIX}/flow-delete-requests/${id}`);
    const followed = await v7.get(location);
    expect(followed.status).toBe(200);
    expect(followed.body).toEqual(deleted.body);
    await expectSameAnswer('GET', `/flow-delete-requests/${id}`);
    await expectSameAnswer('GET', '/flow-delete-requests');

    // Through /, the same as it always was: no mount in it.
    const atRoot = await root.delete(`/flows/${other.id}`);
    expect(atRoot.status).toBe(202);
    expect(atRoot.headers.get('location')).toBe(
      `${server.url}/flow-delete-requests/${(atRoot.body as Doc).id}`,
    );
  });
});

describe('paging through /tams/v7.0', () => {
  const ids = (pages: TestResponse<Doc[]>[]) => pages.flatMap((p) => p.body.map((d) => d.id as string));

  it('follows Link rel="next" under the mount to the end, finding what paging through / finds', async () => {
    const tag = uuid();
    for (let i = 0; i < 5; i++) await createFlow(v7, videoFlow({ tags: { page: tag } }));
    const query = { 'tag.page': tag, limit: 2 };
    const mounted = await allPages<Doc>(v7, '/flows', query, 'flow.json');
    const atRoot = await allPages<Doc>(root, '/flows', query, 'flow.json');
    expect(mounted.map((p) => p.body.length)).toEqual([2, 2, 1]);
    expect(ids(mounted)).toEqual(ids(atRoot));
    for (const page of mounted.slice(0, -1)) {
      const next = new URL(nextLink(page) as string);
      expect(`${next.origin}${next.pathname}`).toBe(`${server.url}${PREFIX}/flows`);
    }
    for (const page of atRoot.slice(0, -1)) expect(new URL(nextLink(page) as string).pathname).toBe('/flows');
  });

  it('pages segments the same way, under the mount', async () => {
    const flowId = uuid();
    await createFlow(root, videoFlow({ id: flowId }));
    const allocated = await allocate(root, flowId, { limit: 5 });
    await addSegments(root, flowId, contiguous(allocated.map((o) => o.object_id)));
    const path = `/flows/${flowId}/segments`;
    const segments = async (client: HttpClient) => {
      const pages = await allPages<Doc>(client, path, { limit: 2 }, 'flow-segment.json');
      return { pages, timeranges: pages.flatMap((p) => p.body.map((seg) => seg.timerange)) };
    };
    const [mounted, atRoot] = [await segments(v7), await segments(root)];
    expect(mounted.timeranges).toHaveLength(5);
    expect(mounted.timeranges).toEqual(atRoot.timeranges);
    for (const page of mounted.pages.slice(0, -1)) {
      expect(new URL(nextLink(page) as string).pathname).toBe(`${PREFIX}${path}`);
    }
  });
});

describe('with TAMS_PUBLIC_URL', () => {
  let proxied: TestServer;
  beforeAll(async () => {
    proxied = await startServer({
      workers: false,
      env: { TAMS_PUBLIC_URL: 'https://tams.example.com/store/', TAMS_DELETE_SYNC_LIMIT: '0' },
    });
  });
  afterAll(async () => {
    await proxied?.close();
  });

  it('builds the links of a mount from the public URL and the mount prefix', async () => {
    const client = mountClient(proxied, PREFIX);
    const flowId = uuid();
    await createFlow(client, videoFlow({ id: flowId }));
    await createFlow(client, videoFlow());
    const page = await client.get('/flows', { query: { limit: 1 } });
    expect(nextLink(page)).toMatch(/^https:\/\/tams\.example\.com\/store\/tams\/v7\.0\/flows\?/);
    const allocated = await allocate(client, flowId, { limit: 1 });
    await addSegments(client, flowId, contiguous(allocated.map((o) => o.object_id)));
    const deleted = await client.delete(`/flows/${flowId}`);
    expect(deleted.status).toBe(202);
    expect(deleted.headers.get('location')).toBe(
      `https://tams.example.com/store/tams/v7.0/flow-delete-requests/${(deleted.body as Doc).id}`,
    );
  });
});
