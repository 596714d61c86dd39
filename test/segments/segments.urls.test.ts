/**
 * The get_urls of GET segments (DIGEST §6.1, §6.2, §14.13): controlled URLs (presigned and
 * direct) with labels in the form `<provider>[.<region>]:<storeType>[.presigned]:<storeName>`,
 * client-supplied uncontrolled URLs, and the verbose_storage, accept_get_urls,
 * accept_storage_ids and presigned filters, alone and combined.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.ts';
import { assertSpecValid } from '../helpers/spec-schemas.ts';
import { expectError, expectGetError } from '../http/fixtures.ts';
import {
  addSegments,
  allocate,
  type Backend,
  backend,
  type GetUrl,
  getSegments,
  newFlow,
  upload,
} from './helpers.ts';

let server: TestServer;
let store: Backend;
let flowId: string;
const bytes = randomBytes(4096);
const CDN = { url: 'https://cdn.example.com/media/a.ts', label: 'cdn' };
const BARE = { url: 'https://other.example.com/a.ts' };
/** Labels of the fs backend's URLs, built from /service/storage-backends. */
let PRESIGNED: string;
let DIRECT: string;

beforeAll(async () => {
  server = await startServer();
  store = await backend(server);
  PRESIGNED = `${store.provider}:${store.store_product}.presigned:${store.label}`;
  DIRECT = `${store.provider}:${store.store_product}:${store.label}`;
  flowId = await newFlow(server);
  const [object] = await allocate(server, flowId, { limit: 1 });
  if (!object) throw new Error('nothing allocated');
  await upload(object, bytes);
  // A controlled object with two extra, uncontrolled URLs (one without a label).
  await addSegments(server, flowId, {
    object_id: object.object_id,
    timerange: '[0:0_10:0)',
    get_urls: [CDN, BARE],
  });
});
afterAll(() => server.close());

async function urls(query: Record<string, string | boolean> = {}, id = flowId): Promise<GetUrl[]> {
  const res = await getSegments(server, id, query);
  expect(res.body).toHaveLength(1);
  return res.body[0]?.get_urls ?? [];
}

const labels = (list: GetUrl[]) => list.map((u) => u.label ?? '(none)');

describe('get_urls: defaults', () => {
  it('labels follow <provider>[.<region>]:<storeType>[.presigned]:<storeName>', () => {
    const form = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)?:[A-Za-z0-9_-]+(\.presigned)?:[A-Za-z0-9_-]+$/;
    expect(PRESIGNED).toMatch(form);
    expect(DIRECT).toMatch(form);
    expect(PRESIGNED).toBe('tams-server:filesystem.presigned:local');
    expect(DIRECT).toBe('tams-server:filesystem:local');
  });

  it('lists the presigned and the direct controlled URL, then the client URLs, each with only url/presigned/label', async () => {
    const list = await urls();
    expect(labels(list)).toEqual([PRESIGNED, DIRECT, 'cdn', '(none)']);
    expect(list[0]).toEqual({ url: expect.any(String), presigned: true, label: PRESIGNED });
    expect(list[1]).toEqual({ url: expect.any(String), presigned: false, label: DIRECT });
    expect(list[2]).toEqual(CDN);
    expect(list[3]).toEqual(BARE);
    for (const u of list) {
      for (const key of Object.keys(u)) expect(['url', 'presigned', 'label']).toContain(key);
    }
  });

  it('gives controlled URLs that return the uploaded bytes', async () => {
    const [signed, direct] = await urls();
    for (const u of [signed, direct]) {
      const res = await fetch(u?.url as string);
      expect(res.status).toBe(200);
      expect(Buffer.from(await res.arrayBuffer()).equals(bytes)).toBe(true);
    }
    // The presigned URL carries its signature; the direct one does not.
    expect(signed?.url).not.toBe(direct?.url);
    expect(new URL(signed?.url as string).search).not.toBe('');
  });
});

describe('get_urls: verbose_storage', () => {
  it('verbose_storage=true adds the storage metadata; client URLs are controlled:false', async () => {
    const list = await urls({ verbose_storage: true });
    const common = {
      storage_id: store.id,
      controlled: true,
      provider: store.provider,
      store_product: store.store_product,
      store_type: 'http_object_store',
    };
    expect(list[0]).toEqual({ url: expect.any(String), presigned: true, label: PRESIGNED, ...common });
    expect(list[1]).toEqual({ url: expect.any(String), presigned: false, label: DIRECT, ...common });
    expect(list[2]).toEqual({ ...CDN, controlled: false });
    expect(list[3]).toEqual({ ...BARE, controlled: false });
  });

  it('verbose_storage=false is the default', async () => {
    // Presigned URLs made a second apart differ in expiry and signature: compared without them.
    const unsigned = (list: GetUrl[]) => list.map((u) => ({ ...u, url: u.url.split('?')[0] }));
    expect(unsigned(await urls({ verbose_storage: false }))).toEqual(unsigned(await urls()));
    expect((await urls({ verbose_storage: false }))[0]?.storage_id).toBeUndefined();
  });
});

describe('get_urls: accept_get_urls', () => {
  it('empty gives no URLs', async () => {
    expect(await urls({ accept_get_urls: '' })).toEqual([]);
  });

  it('a label gives only that URL; several give those', async () => {
    expect(labels(await urls({ accept_get_urls: PRESIGNED }))).toEqual([PRESIGNED]);
    expect(labels(await urls({ accept_get_urls: DIRECT }))).toEqual([DIRECT]);
    expect(labels(await urls({ accept_get_urls: 'cdn' }))).toEqual(['cdn']);
    expect(labels(await urls({ accept_get_urls: `cdn,${PRESIGNED}` }))).toEqual([PRESIGNED, 'cdn']);
    expect(await urls({ accept_get_urls: 'nobody' })).toEqual([]);
  });

  it('refuses a malformed list (400)', async () => {
    for (const value of [',', 'a,', ',a', 'a,,b']) {
      await expectGetError(server, `/flows/${flowId}/segments`, 400, undefined, {
        query: { accept_get_urls: value },
      });
    }
  });
});

describe('get_urls: accept_storage_ids', () => {
  it('an id keeps the URLs of that backend only (client URLs have none)', async () => {
    expect(labels(await urls({ accept_storage_ids: store.id }))).toEqual([PRESIGNED, DIRECT]);
    expect(labels(await urls({ accept_storage_ids: `${randomUUID()},${store.id}` }))).toEqual([
      PRESIGNED,
      DIRECT,
    ]);
  });

  it('another id keeps nothing', async () => {
    expect(await urls({ accept_storage_ids: randomUUID() })).toEqual([]);
  });

  it('empty means no filtering', async () => {
    expect(labels(await urls({ accept_storage_ids: '' }))).toEqual([PRESIGNED, DIRECT, 'cdn', '(none)']);
  });

  it('refuses ids that are not UUIDs (400)', async () => {
    expectError(
      await server.get(`/flows/${flowId}/segments`, { query: { accept_storage_ids: 'local' } }),
      400,
    );
  });
});

describe('get_urls: presigned', () => {
  it('true keeps only presigned URLs, false only the others, omitted both', async () => {
    expect(labels(await urls({ presigned: true }))).toEqual([PRESIGNED]);
    expect(labels(await urls({ presigned: false }))).toEqual([DIRECT, 'cdn', '(none)']);
    // The same URL as the unfiltered list's first, but for its signature and expiry: two
    // requests a second apart sign for different expiry times.
    const unsigned = (u: GetUrl | undefined) => u && { ...u, url: u.url.split('?')[0] };
    expect((await urls({ presigned: true })).map(unsigned)).toEqual([unsigned((await urls())[0])]);
  });
});

describe('get_urls: combined filters must all pass', () => {
  it('presigned=false with accept_storage_ids keeps the direct URL', async () => {
    expect(labels(await urls({ presigned: false, accept_storage_ids: store.id }))).toEqual([DIRECT]);
  });

  it('accept_get_urls=<presigned label> with presigned=false keeps nothing', async () => {
    expect(await urls({ accept_get_urls: PRESIGNED, presigned: false })).toEqual([]);
  });

  it('accept_get_urls with accept_storage_ids drops the client URL even when listed', async () => {
    expect(labels(await urls({ accept_get_urls: `cdn,${DIRECT}`, accept_storage_ids: store.id }))).toEqual([
      DIRECT,
    ]);
  });

  it('accept_get_urls with verbose_storage keeps the metadata of what passes', async () => {
    const list = await urls({ accept_get_urls: `cdn,${DIRECT}`, verbose_storage: true });
    expect(list).toEqual([
      expect.objectContaining({ label: DIRECT, storage_id: store.id, controlled: true }),
      { ...CDN, controlled: false },
    ]);
  });
});

describe('get_urls: external objects and client labels', () => {
  it('registers an unknown object with client get_urls as an external object', async () => {
    const id = await newFlow(server);
    const external = `external-${randomUUID()}`;
    await addSegments(server, id, { object_id: external, timerange: '[0:0_1:0)', get_urls: [CDN] });
    expect(await urls({}, id)).toEqual([CDN]);
    expect(await urls({ verbose_storage: true }, id)).toEqual([{ ...CDN, controlled: false }]);
    expect(await urls({ accept_storage_ids: store.id }, id)).toEqual([]);
    expect(await urls({ presigned: true }, id)).toEqual([]);
    const object = await server.get(`/objects/${external}`);
    expect(object.status).toBe(200);
    assertSpecValid('object.json', object.body);
  });

  it("refuses client URLs labelled like a storage backend's URLs", async () => {
    const id = await newFlow(server);
    const [a, b, c] = await allocate(server, id, { limit: 3 });
    const clash = (label: string) => [{ url: 'https://x.example.com/y', label }];
    for (const label of [PRESIGNED, DIRECT, store.label as string]) {
      const res = await server.post(`/flows/${id}/segments`, {
        object_id: a?.object_id,
        timerange: '[0:0_1:0)',
        get_urls: clash(label),
      });
      expectError(res, 400);
    }
    const batch = await server.post<{ failed_segments: { object_id: string }[] }>(`/flows/${id}/segments`, [
      { object_id: b?.object_id, timerange: '[1:0_2:0)', get_urls: clash(DIRECT) },
      { object_id: c?.object_id, timerange: '[2:0_3:0)', get_urls: clash('mine') },
    ]);
    expect(batch.status).toBe(200);
    assertSpecValid('flow-segment-bulk-failure.json', batch.body);
    expect(batch.body.failed_segments.map((f) => f.object_id)).toEqual([b?.object_id]);
    const listed = await getSegments(server, id);
    expect(listed.body.map((s) => s.object_id)).toEqual([c?.object_id]);
  });
});
