/**
 * GET /objects/{objectId} (DIGEST §8, §14.24, ADR 0027): the Flows referencing an object, paged,
 * first_referenced_by_flow, percent-encoded ids, and 404s.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.ts';
import { assertSpecValid } from '../helpers/spec-schemas.ts';
import { type Doc, expectGetError, getAndHead, nextLink } from '../http/fixtures.ts';
import { addSegments, allocate, newFlow, objectIds, secs } from './helpers.ts';

let server: TestServer;

beforeAll(async () => {
  server = await startServer({ env: { TAMS_PAGE_LIMIT_DEFAULT: '4', TAMS_PAGE_LIMIT_MAX: '6' } });
});
afterAll(() => server.close());

interface MediaObject {
  id: string;
  referenced_by_flows: string[];
  first_referenced_by_flow?: string;
}

const objectPath = (id: string) => `/objects/${encodeURIComponent(id)}`;

async function getObject(id: string, query: Record<string, string | number> = {}) {
  const res = await getAndHead<MediaObject>(server, objectPath(id), { query });
  expect(res.status, res.text).toBe(200);
  assertSpecValid('object.json', res.body);
  return res;
}

/** An object first registered by `first`, then reused by the other Flows, in that order. */
async function sharedObject(flowCount: number, id?: string): Promise<{ id: string; flows: string[] }> {
  const flows: string[] = [];
  for (let i = 0; i < flowCount; i++) flows.push(await newFlow(server));
  const [first] = flows as [string];
  const objectId = id ?? ((await objectIds(server, first, 1))[0] as string);
  if (id !== undefined) await allocate(server, first, { object_ids: [id] });
  for (const flowId of flows)
    await addSegments(server, flowId, { object_id: objectId, timerange: secs(0, 10) });
  return { id: objectId, flows };
}

describe('GET /objects/{id}', () => {
  it('lists the referencing Flows and the first Flow that registered it', async () => {
    const { id, flows } = await sharedObject(3);
    const res = await getObject(id);
    expect(res.body.id).toBe(id);
    expect([...res.body.referenced_by_flows].sort()).toEqual([...flows].sort());
    expect(res.body.first_referenced_by_flow).toBe(flows[0]);
    expect(res.headers.get('x-paging-limit')).toBe('4');
    expect(nextLink(res)).toBeUndefined();
  });

  it('lists a Flow once however many of its segments use the object', async () => {
    const flowId = await newFlow(server);
    const [id] = await objectIds(server, flowId, 1);
    await addSegments(server, flowId, [
      { object_id: id as string, timerange: secs(0, 10) },
      { object_id: id as string, timerange: secs(10, 20), sample_offset: 5 },
    ]);
    expect((await getObject(id as string)).body.referenced_by_flows).toEqual([flowId]);
  });

  it('pages referenced_by_flows with limit and Link, each Flow exactly once', async () => {
    const { id, flows } = await sharedObject(8);
    const seen: string[] = [];
    let res = await getObject(id, { limit: 3 });
    for (let page = 0; ; page++) {
      expect(res.body.id).toBe(id);
      expect(res.headers.get('x-paging-limit')).toBe('3');
      seen.push(...res.body.referenced_by_flows);
      const link = nextLink(res);
      if (link === undefined) {
        expect(res.headers.get('x-paging-nextkey')).toBeNull();
        break;
      }
      expect(res.body.referenced_by_flows).toHaveLength(3);
      expect(new URL(link).searchParams.get('page')).toBe(res.headers.get('x-paging-nextkey'));
      expect(new URL(link).pathname).toBe(objectPath(id));
      expect(page).toBeLessThan(3);
      res = await getObject(id, Object.fromEntries(new URL(link).searchParams));
    }
    expect(seen).toHaveLength(8);
    expect([...seen].sort()).toEqual([...flows].sort());
    // The default page is the server's default limit; a larger limit is capped at the maximum.
    expect((await getObject(id)).body.referenced_by_flows).toHaveLength(4);
    const capped = await getObject(id, { limit: 100 });
    expect(capped.headers.get('x-paging-limit')).toBe('6');
    expect(capped.body.referenced_by_flows).toHaveLength(6);
  });

  it('finds ids containing `/` when percent-encoded in the path', async () => {
    const id = `tams-${randomUUID()}/${randomUUID()}.ts`;
    const { flows } = await sharedObject(2, id);
    const res = await getObject(id);
    expect(res.body.id).toBe(id);
    expect([...res.body.referenced_by_flows].sort()).toEqual([...flows].sort());
    // Paging keeps the encoded id in the Link.
    const paged = await getObject(id, { limit: 1 });
    const link = nextLink(paged) as string;
    expect(new URL(link).pathname).toBe(objectPath(id));
    const second = await server.get<MediaObject>(link);
    expect(second.body.referenced_by_flows).toHaveLength(1);
    expect(second.body.referenced_by_flows[0]).not.toBe(paged.body.referenced_by_flows[0]);
  });

  it('follows deletions: a Flow leaves the list, the object goes with its last reference', async () => {
    const { id, flows } = await sharedObject(2);
    const [first, second] = flows as [string, string];
    expect((await server.delete(`/flows/${first}/segments`)).status).toBe(204);
    const after = await getObject(id);
    expect(after.body.referenced_by_flows).toEqual([second]);
    expect((await server.delete(`/flows/${second}`)).status).toBe(204);
    await expectGetError(server, objectPath(id), 404);
  });

  it('answers 404 for an unknown id and for one allocated but never registered', async () => {
    await expectGetError(server, objectPath(randomUUID()), 404);
    await expectGetError(server, objectPath(`tams-${randomUUID()}/x.ts`), 404);
    const flowId = await newFlow(server);
    const [allocated] = await objectIds(server, flowId, 1);
    await expectGetError(server, objectPath(allocated as string), 404);
    const chosen = `tams-${randomUUID()}/${randomUUID()}`;
    await allocate(server, flowId, { object_ids: [chosen] });
    await expectGetError(server, objectPath(chosen), 404);
  });

  it('refuses a page key it did not issue (400)', async () => {
    const { id } = await sharedObject(1);
    const res = await server.get<Doc>(objectPath(id), { query: { page: 'bogus' } });
    expect(res.status).toBe(400);
  });
});
