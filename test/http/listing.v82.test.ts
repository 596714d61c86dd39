/**
 * 8.2's sorted, paged /flows and /sources (ADR 0052) at /tams/v8.2: `sort_by`, `reverse_order`,
 * items without a label after the others by id (before them reversed), ties by id, page keys that
 * resume exactly where a page ended and belong to their listing order and mount, and
 * `X-Paging-Count`/`X-Paging-Reverse-Order`. Run on every engine (the vast and postgres projects
 * take test/http), where the store reads each part of the order with its own select.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { steppingClock } from '../helpers/clock.ts';
import { mountClient } from '../helpers/mounts.ts';
import { type HttpClient, startServer, type TestServer } from '../helpers/server.ts';
import { spec82 } from '../helpers/spec82-schemas.ts';
import { type Doc, expectError, getAndHead, nextLink, uuid, videoFlow } from './fixtures.ts';

const clock = steppingClock();
let server: TestServer;
let v8: HttpClient;
beforeAll(async () => {
  server = await startServer({ workers: false, clock });
  v8 = mountClient(server, '/tams/v8.2');
});
afterAll(async () => {
  await server?.close();
});

type Query = Record<string, string | number | boolean>;

/** Every page of an 8.2 listing from `query`, following `Link`; each page checked. */
async function walk(path: string, schema: string, query: Query): Promise<Doc[]> {
  const items: Doc[] = [];
  let res = await getAndHead<Doc[]>(v8, path, { query });
  for (let pages = 0; ; pages++) {
    expect(res.status, res.text).toBe(200);
    spec82.assertSpecValid(`${schema}[]`, res.body);
    expect(res.headers.get('x-paging-count')).toBe(String(res.body.length));
    expect(res.headers.get('x-paging-reverse-order')).toBe(String(query.reverse_order ?? false));
    items.push(...res.body);
    const next = nextLink(res);
    if (next === undefined) return items;
    expect(new URL(next).pathname).toBe(`/tams/v8.2${path}`);
    expect(pages).toBeLessThan(100);
    res = await getAndHead<Doc[]>(server, next);
  }
}

const byId = (a: Doc, b: Doc) => ((a.id as string) < (b.id as string) ? -1 : 1);

/** ADR 0052's order, as the test states it: dates newest first, strings A→Z, unset last by id. */
function expected(items: Doc[], key: string, reverse: boolean): string[] {
  const dated = key !== 'label';
  const valued = items.filter((d) => d[key] !== undefined);
  const unset = items.filter((d) => d[key] === undefined).sort(byId);
  valued.sort((a, b) => {
    const [x, y] = [a[key] as string, b[key] as string];
    if (x === y) return byId(a, b);
    return (x < y ? -1 : 1) * (dated ? -1 : 1);
  });
  const order = [...valued, ...unset].map((d) => d.id as string);
  return reverse ? order.reverse() : order;
}

/** Flows of one group (tag), with labels: some equal, some unset; created a step apart. */
async function group(labels: (string | undefined)[]): Promise<{ value: string; flows: Doc[] }> {
  const value = uuid();
  for (const label of labels) {
    clock.advance(5);
    const flow = videoFlow({ tags: { group: value }, ...(label !== undefined && { label }) });
    const res = await v8.put<Doc>(`/flows/${flow.id}`, flow);
    expect(res.status, res.text).toBe(201);
  }
  const res = await v8.get<Doc[]>('/flows', { query: { 'tag.group': value, limit: 50 } });
  return { value, flows: res.body };
}

const LABELS = ['b', undefined, 'a', 'c', undefined, 'a', 'B', undefined, 'é', 'a'];

describe('/flows sorted and paged through 8.2', () => {
  for (const key of ['created', 'metadata_updated', 'label'] as const) {
    for (const reverse of [false, true]) {
      it(`sort_by=${key}${reverse ? ', reverse_order' : ''}: every Flow once, in order, a page at a time`, async () => {
        const g = await group(LABELS);
        // A later change moves one Flow to the front by metadata_updated.
        clock.advance(5);
        const moved = g.flows[g.flows.length - 1] as Doc;
        expect((await v8.put(`/flows/${moved.id}/description`, JSON.stringify('changed'))).status).toBe(204);
        const all = (await v8.get<Doc[]>('/flows', { query: { 'tag.group': g.value, limit: 50 } })).body;
        const query: Query = { 'tag.group': g.value, sort_by: key, limit: 3, reverse_order: reverse };
        const items = await walk('/flows', 'flow-get.json', query);
        expect(items.map((f) => f.id)).toEqual(expected(all, key, reverse));
      });
    }
  }

  it('sorts by created, newest first, when sort_by is left out', async () => {
    const g = await group(['x', 'y', 'z']);
    const items = await walk('/flows', 'flow-get.json', { 'tag.group': g.value, limit: 2 });
    expect(items.map((f) => f.id)).toEqual(expected(g.flows, 'created', false));
  });

  it("refuses another listing order's page key, 7.0's, and a forged one", async () => {
    const g = await group(['p', 'q', 'r']);
    const first = await v8.get<Doc[]>('/flows', { query: { 'tag.group': g.value, limit: 1 } });
    const key = first.headers.get('x-paging-nextkey') as string;
    expect(key).not.toBeNull();
    for (const query of [{ sort_by: 'label' }, { reverse_order: true }] as Query[]) {
      expectError(
        await v8.get('/flows', { query: { 'tag.group': g.value, limit: 1, page: key, ...query } }),
        400,
      );
    }
    expectError(await server.get('/flows', { query: { page: key } }), 400);
    const seven = await server.get('/flows', { query: { 'tag.group': g.value, limit: 1 } });
    const sevenKey = seven.headers.get('x-paging-nextkey') as string;
    expectError(await v8.get('/flows', { query: { page: sevenKey } }), 400);
    expectError(await v8.get('/flows', { query: { sort_by: 'segments_updated' } }), 400);
  });
});

describe('/sources sorted and paged through 8.2', () => {
  for (const key of ['created', 'updated', 'label'] as const) {
    for (const reverse of [false, true]) {
      it(`sort_by=${key}${reverse ? ', reverse_order' : ''}`, async () => {
        const g = await group(LABELS.slice(0, 7));
        const sources = g.flows.map((f) => f.source_id as string);
        for (const [i, source] of sources.entries()) {
          clock.advance(5);
          await v8.put(`/sources/${source}/tags/group`, JSON.stringify(g.value));
          const label = LABELS[i];
          if (label !== undefined) await v8.put(`/sources/${source}/label`, JSON.stringify(label));
        }
        const all = (await v8.get<Doc[]>('/sources', { query: { 'tag.group': g.value, limit: 50 } })).body;
        expect(all).toHaveLength(sources.length);
        const query: Query = { 'tag.group': g.value, sort_by: key, limit: 2, reverse_order: reverse };
        const items = await walk('/sources', 'source.json', query);
        expect(items.map((s) => s.id)).toEqual(expected(all, key, reverse));
      });
    }
  }
});
