/**
 * Object instances (TAMS 8.2, ADR 0038, 0042; AppNote 0018), uncontrolled ones: URLs added with
 * POST /tams/v8.2/objects/{id}/instances and with segment registrations of either version are
 * the object's, shown in its 8.2 `get_urls` and in the `get_urls` of every segment using it,
 * through 8.2 and, in 7.0's shape, through 7.0; DELETE removes them by label. Every 8.2 answer is
 * checked against the 8.2 spec's schemas, every 7.0 answer against 7.0's.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { T } from '../../src/store/tables.ts';
import { mountClient } from '../helpers/mounts.ts';
import { type HttpClient, startServer, type TestServer } from '../helpers/server.ts';
import { assertSpecValid } from '../helpers/spec-schemas.ts';
import { SPEC_8_2_DIR, spec82 } from '../helpers/spec82-schemas.ts';
import { type Doc, expectError, getAndHead } from '../http/fixtures.ts';
import {
  addSegments,
  allocate,
  backend,
  type GetUrl,
  getSegments,
  newFlow,
  objectIds,
  secs,
} from './helpers.ts';

let server: TestServer;
let v8: HttpClient;
/** The labels of the backend's URLs (presigned, and direct where it has them) and its own. */
let reserved: string[];
beforeAll(async () => {
  server = await startServer({ workers: false });
  v8 = mountClient(server, '/tams/v8.2');
  const { flowId } = await oneObject();
  const [segment] = (await getSegments(server, flowId)).body;
  reserved = [
    ...(segment?.get_urls ?? []).map((u) => u.label as string),
    (await backend(server)).label as string,
  ];
});
afterAll(() => server.close());

const CDN = { url: 'https://cdn.example.com/a.ts', label: 'cdn' };
const MIRROR = { url: 'https://mirror.example.com/a.ts', label: 'mirror' };

/** A Flow with one segment of a new object (registered through 7.0), and the object's id. */
async function oneObject(): Promise<{ flowId: string; objectId: string }> {
  const flowId = await newFlow(server);
  const [objectId] = (await objectIds(server, flowId, 1)) as [string];
  await addSegments(server, flowId, { object_id: objectId, timerange: secs(0, 10) });
  return { flowId, objectId };
}

async function object82(id: string, query: Record<string, string | boolean> = {}): Promise<Doc> {
  const res = await getAndHead<Doc>(v8, `/objects/${encodeURIComponent(id)}`, { query });
  expect(res.status, res.text).toBe(200);
  spec82.assertSpecValid('object.json', res.body);
  return res.body;
}

/** The get_urls of the Flow's segments through 8.2 and through 7.0, each valid in its version. */
async function segmentUrls(
  flowId: string,
  query: Record<string, string | boolean> = {},
): Promise<{ v82: GetUrl[][]; v70: GetUrl[][] }> {
  const res82 = await getAndHead<{ get_urls?: GetUrl[] }[]>(v8, `/flows/${flowId}/segments`, { query });
  expect(res82.status, res82.text).toBe(200);
  spec82.assertSpecValid('flow-segment.json[]', res82.body);
  const res70 = await getAndHead<{ get_urls?: GetUrl[] }[]>(server, `/flows/${flowId}/segments`, { query });
  expect(res70.status, res70.text).toBe(200);
  assertSpecValid('flow-segment.json[]', res70.body);
  return { v82: res82.body.map((s) => s.get_urls ?? []), v70: res70.body.map((s) => s.get_urls ?? []) };
}

const uncontrolled = (urls: readonly GetUrl[]) => urls.filter((u) => u.presigned === undefined);

function post(objectId: string, body: unknown) {
  return v8.post(`/objects/${encodeURIComponent(objectId)}/instances`, body);
}

function remove(objectId: string, query: Record<string, string>) {
  return v8.delete(`/objects/${encodeURIComponent(objectId)}/instances`, { query });
}

describe('POST /tams/v8.2/objects/{objectId}/instances (uncontrolled)', () => {
  it("adds a labelled URL to the object's get_urls and to every segment using it, in both versions", async () => {
    const { flowId, objectId } = await oneObject();
    const edit = await newFlow(server);
    await addSegments(server, edit, { object_id: objectId, timerange: secs(50, 60), ts_offset: '50:0' });
    const before = await object82(objectId);
    expect(uncontrolled(before.get_urls as GetUrl[])).toEqual([]);

    expect((await post(objectId, CDN)).status).toBe(201);
    expect((await post(objectId, MIRROR)).status).toBe(201);
    const after = await object82(objectId);
    expect(uncontrolled(after.get_urls as GetUrl[])).toEqual([CDN, MIRROR]);
    // The controlled URLs first, as before.
    expect((after.get_urls as GetUrl[]).slice(0, -2).map((u) => u.label)).toEqual(
      (before.get_urls as GetUrl[]).map((u) => u.label),
    );
    for (const id of [flowId, edit]) {
      const { v82, v70 } = await segmentUrls(id);
      expect(v82.map(uncontrolled)).toEqual([[CDN, MIRROR]]);
      expect(v70.map(uncontrolled)).toEqual([[CDN, MIRROR]]);
    }
    // Under verbose_storage, marked uncontrolled; filtered as the segments' URLs are.
    const verbose = await object82(objectId, { verbose_storage: true });
    expect((verbose.get_urls as GetUrl[]).slice(-2)).toEqual([
      { ...CDN, controlled: false },
      { ...MIRROR, controlled: false },
    ]);
    expect((await object82(objectId, { accept_get_urls: 'mirror' })).get_urls).toEqual([MIRROR]);
    expect((await object82(objectId, { presigned: true })).get_urls).toHaveLength(1);
    const { v82, v70 } = await segmentUrls(flowId, { accept_get_urls: 'cdn,mirror', presigned: false });
    expect([v82, v70]).toEqual([[[CDN, MIRROR]], [[CDN, MIRROR]]]);
  });

  it('takes the same instance again as it is, and refuses a label naming another URL or a backend', async () => {
    const { objectId } = await oneObject();
    expect((await post(objectId, CDN)).status).toBe(201);
    expect((await post(objectId, CDN)).status).toBe(201);
    expectError(await post(objectId, { url: 'https://elsewhere.example.com/a.ts', label: 'cdn' }), 400);
    for (const label of reserved)
      expectError(await post(objectId, { url: 'https://x.example.com/', label }), 400);
    // Bodies 8.2's schema refuses: no label (ADR 0042), both kinds at once, neither.
    for (const body of [{ url: 'https://x.example.com/' }, { ...CDN, storage_id: reserved[0] }, {}]) {
      expectError(await post(objectId, body), 400);
    }
    expect(uncontrolled((await object82(objectId)).get_urls as GetUrl[])).toEqual([CDN]);
  });

  it("accepts the spec's example of an uncontrolled instance", async () => {
    const { objectId } = await oneObject();
    const example = JSON.parse(
      readFileSync(join(SPEC_8_2_DIR, 'examples', 'objects-instances-uncontrolled-post.json'), 'utf8'),
    ) as { url: string; label: string };
    expect((await post(objectId, example)).status).toBe(201);
    expect(uncontrolled((await object82(objectId)).get_urls as GetUrl[])).toEqual([example]);
  });

  it('is a 404 for an unknown object, and for one allocated and not registered (8.1)', async () => {
    const flowId = await newFlow(server);
    const [pending] = await allocate(server, flowId);
    for (const id of ['no-such-object', pending?.object_id as string]) {
      expectError(await post(id, CDN), 404);
      expectError(await remove(id, { label: 'cdn' }), 404);
    }
    // Once registered, it has instances.
    await addSegments(server, flowId, { object_id: pending?.object_id as string, timerange: secs(0, 1) });
    expect((await post(pending?.object_id as string, CDN)).status).toBe(201);
  });
});

describe('DELETE /tams/v8.2/objects/{objectId}/instances', () => {
  it('removes the instances of a label from the object and its segments', async () => {
    const { flowId, objectId } = await oneObject();
    await post(objectId, CDN);
    await post(objectId, MIRROR);
    expect((await remove(objectId, { label: 'cdn' })).status).toBe(204);
    expect(uncontrolled((await object82(objectId)).get_urls as GetUrl[])).toEqual([MIRROR]);
    const { v82, v70 } = await segmentUrls(flowId);
    expect([v82.map(uncontrolled), v70.map(uncontrolled)]).toEqual([[[MIRROR]], [[MIRROR]]]);
    expectError(await remove(objectId, { label: 'cdn' }), 404);
  });

  it('needs exactly one of storage_id and label', async () => {
    const { objectId } = await oneObject();
    await post(objectId, CDN);
    expectError(await remove(objectId, {}), 400);
    expectError(
      await remove(objectId, { label: 'cdn', storage_id: '60af2ab4-e8a5-4c65-a09b-d35983680315' }),
      400,
    );
    expect(uncontrolled((await object82(objectId)).get_urls as GetUrl[])).toEqual([CDN]);
  });

  it("refuses to delete the object's last instance, or the storage it was uploaded to", async () => {
    const flowId = await newFlow(server);
    const external = `external-${flowId}`;
    await addSegments(server, flowId, { object_id: external, timerange: secs(0, 1), get_urls: [CDN] });
    expectError(await remove(external, { label: 'cdn' }), 400);
    expect((await post(external, MIRROR)).status).toBe(201);
    expect((await remove(external, { label: 'cdn' })).status).toBe(204);
    expect((await object82(external)).get_urls).toEqual([MIRROR]);
    expectError(await remove(external, { label: 'mirror' }), 400);

    const { objectId } = await oneObject();
    await post(objectId, CDN);
    const own = (await backend(server)).id;
    expectError(await remove(objectId, { storage_id: own }), 400);
    // Its own storage stays an instance: the client URL may go.
    expect((await remove(objectId, { label: 'cdn' })).status).toBe(204);
    expectError(await remove(objectId, { storage_id: '60af2ab4-e8a5-4c65-a09b-d35983680315' }), 404);
  });
});

describe('segment registrations add their get_urls to the object', () => {
  it('through 8.2: every Flow using the object shows them; a repeated or taken label fails the segment', async () => {
    const { flowId, objectId } = await oneObject();
    const edit = await newFlow(server);
    const posted = await v8.post(`/flows/${edit}/segments`, {
      object_id: objectId,
      timerange: secs(50, 60),
      ts_offset: '50:0',
      get_urls: [CDN],
    });
    expect(posted.status, posted.text).toBe(201);
    for (const id of [flowId, edit]) expect((await segmentUrls(id)).v82.map(uncontrolled)).toEqual([[CDN]]);

    const batch = await v8.post<{ failed_segments: Doc[] }>(`/flows/${edit}/segments`, [
      // The same URL under the same label: nothing new.
      { object_id: objectId, timerange: secs(60, 61), ts_offset: '60:0', get_urls: [CDN] },
      // Its label twice in one segment.
      {
        object_id: objectId,
        timerange: secs(61, 62),
        ts_offset: '61:0',
        get_urls: [MIRROR, { ...MIRROR, url: 'https://m2.example.com/' }],
      },
      // A label the object has for another URL.
      {
        object_id: objectId,
        timerange: secs(62, 63),
        ts_offset: '62:0',
        get_urls: [{ ...CDN, url: 'https://c2.example.com/' }],
      },
    ]);
    expect(batch.status).toBe(200);
    spec82.assertSpecValid('flow-segment-bulk-failure.json', batch.body);
    expect(batch.body.failed_segments.map((f) => f.timerange)).toEqual([secs(61, 62), secs(62, 63)]);
    expect(uncontrolled((await object82(objectId)).get_urls as GetUrl[])).toEqual([CDN]);
  });

  it('through 7.0: unlabelled URLs and a label given twice are kept, in order, shown in 8.2 as they are', async () => {
    const flowId = await newFlow(server);
    const [objectId] = (await objectIds(server, flowId, 1)) as [string];
    const bare = { url: 'https://bare.example.com/a.ts' };
    const again = { url: 'https://c2.example.com/a.ts', label: 'cdn' };
    await addSegments(server, flowId, { object_id: objectId, timerange: secs(0, 1), get_urls: [CDN, bare] });
    await addSegments(server, flowId, {
      object_id: objectId,
      timerange: secs(1, 2),
      ts_offset: '1:0',
      get_urls: [bare, again],
    });
    const { v82, v70 } = await segmentUrls(flowId);
    expect(v70.map(uncontrolled)).toEqual([
      [CDN, bare, again],
      [CDN, bare, again],
    ]);
    expect(v82.map(uncontrolled)).toEqual(v70.map(uncontrolled));
    // DELETE by label takes every URL of the label; the unlabelled one has none to name it.
    expect((await remove(objectId, { label: 'cdn' })).status).toBe(204);
    expect(uncontrolled((await object82(objectId)).get_urls as GetUrl[])).toEqual([bare]);
  });

  it("an object's instances go with it once no segment uses it", async () => {
    const flowId = await newFlow(server);
    const external = `external-gone-${flowId}`;
    await addSegments(server, flowId, { object_id: external, timerange: secs(0, 1), get_urls: [CDN] });
    await post(external, MIRROR);
    expect((await server.delete(`/flows/${flowId}/segments`)).status).toBe(204);
    expectError(await v8.get(`/objects/${external}`), 404);
    expect(await server.runtime.store.instances.among([external])).toEqual(new Map());
    // Registered again, it is a new external object with only the URLs it now comes with.
    await addSegments(server, flowId, { object_id: external, timerange: secs(0, 1), get_urls: [MIRROR] });
    expect((await object82(external)).get_urls).toEqual([MIRROR]);
  });
});

describe('segment pages and the instances table', () => {
  /** Reads of object_instances by the server while `fn` runs. */
  async function instanceReads(fn: () => Promise<unknown>): Promise<number> {
    const { db } = server.runtime;
    const select = db.select.bind(db);
    let reads = 0;
    db.select = (table, options) => {
      if (table === T.instances) reads++;
      return select(table, options);
    };
    try {
      await fn();
    } finally {
      db.select = select;
    }
    return reads;
  }

  it('reads no instances for the pages of a Flow whose objects have none, until one has', async () => {
    const flowId = await newFlow(server);
    const ids = await objectIds(server, flowId, 3);
    await addSegments(
      server,
      flowId,
      ids.map((object_id, k) => ({ object_id, timerange: secs(k, k + 1) })),
    );
    const pages = () => Promise.all([segmentUrls(flowId), segmentUrls(flowId, { limit: '1' })]);
    expect(await instanceReads(pages)).toBe(0);
    expect((await post(ids[1] as string, CDN)).status).toBe(201);
    let urls: { v82: GetUrl[][]; v70: GetUrl[][] } | undefined;
    expect(await instanceReads(async () => (urls = await segmentUrls(flowId)))).toBeGreaterThan(0);
    expect(urls?.v70.map(uncontrolled)).toEqual([[], [CDN], []]);
  });
});
