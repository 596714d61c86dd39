import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.ts';
import { assertSpecValid } from '../helpers/spec-schemas.ts';
import {
  allPages,
  audioFlow,
  createFlow,
  type Doc,
  expectError,
  getAndHead,
  nextLink,
  putValue,
  uuid,
  videoFlow,
} from './fixtures.ts';

const DEFAULT_LIMIT = 3;
const MAX_LIMIT = 5;

let server: TestServer;
beforeAll(async () => {
  server = await startServer({
    env: { TAMS_PAGE_LIMIT_DEFAULT: String(DEFAULT_LIMIT), TAMS_PAGE_LIMIT_MAX: String(MAX_LIMIT) },
  });
});
afterAll(async () => {
  await server.close();
});

/** Everything this file creates: the server holds nothing else. */
const allFlows: string[] = [];
const allSources: string[] = [];

/** Creates `n` Flows (each with its own Source) tagged `group=<value>`; returns their ids. */
async function group(
  n: number,
  make = videoFlow,
): Promise<{ value: string; flows: string[]; sources: string[] }> {
  const value = uuid();
  const flows: string[] = [];
  const sources: string[] = [];
  for (let i = 0; i < n; i++) {
    const flow = make({ tags: { group: value } });
    await createFlow(server, flow);
    expect((await putValue(server, `/sources/${flow.source_id}/tags/group`, value)).status).toBe(204);
    flows.push(flow.id as string);
    sources.push(flow.source_id as string);
    allFlows.push(flow.id as string);
    allSources.push(flow.source_id as string);
  }
  return { value, flows, sources };
}

const ids = (pages: { body: Doc[] }[]) => pages.flatMap((p) => p.body.map((d) => d.id as string));

for (const [path, schema] of [
  ['/flows', 'flow.json'],
  ['/sources', 'source.json'],
] as const) {
  const pick = (g: { flows: string[]; sources: string[] }) => (path === '/flows' ? g.flows : g.sources);

  describe(`paging ${path}`, () => {
    it('follows Link rel="next" to the end, collecting every item exactly once', async () => {
      const g = await group(11);
      const pages = await allPages<Doc>(server, path, { 'tag.group': g.value, limit: 4 }, schema);
      expect(pages.map((p) => p.body.length)).toEqual([4, 4, 3]);
      const seen = ids(pages);
      expect(new Set(seen).size).toBe(seen.length);
      expect([...seen].sort()).toEqual([...pick(g)].sort());
      for (const page of pages) expect(page.headers.get('x-paging-limit')).toBe('4');
      // The last page has neither a Link nor a next key.
      const last = pages.at(-1);
      expect(last?.headers.get('link')).toBeNull();
      expect(last?.headers.get('x-paging-nextkey')).toBeNull();
      // Every other page has both, and the Link carries the filters along.
      for (const page of pages.slice(0, -1)) {
        const next = new URL(nextLink(page) as string);
        expect(next.pathname).toBe(path);
        expect(next.searchParams.get('tag.group')).toBe(g.value);
        expect(next.searchParams.get('page')).toBe(page.headers.get('x-paging-nextkey'));
      }
    });

    it('uses the server default limit when none is given', async () => {
      const g = await group(DEFAULT_LIMIT + 2);
      const pages = await allPages<Doc>(server, path, { 'tag.group': g.value }, schema);
      expect(pages[0]?.headers.get('x-paging-limit')).toBe(String(DEFAULT_LIMIT));
      expect(pages.map((p) => p.body.length)).toEqual([DEFAULT_LIMIT, 2]);
      expect(ids(pages).sort()).toEqual([...pick(g)].sort());
    });

    it('reduces X-Paging-Limit to the server maximum when the client asks for more', async () => {
      const g = await group(MAX_LIMIT + 1);
      const first = await getAndHead<Doc[]>(server, path, { query: { 'tag.group': g.value, limit: 1000 } });
      expect(first.status).toBe(200);
      assertSpecValid(`${schema}[]`, first.body);
      expect(first.headers.get('x-paging-limit')).toBe(String(MAX_LIMIT));
      expect(first.body).toHaveLength(MAX_LIMIT);
      const next = nextLink(first);
      expect(next).toBeDefined();
      const second = await server.get<Doc[]>(next as string);
      expect(second.body).toHaveLength(1);
      expect(ids([first, second]).sort()).toEqual([...pick(g)].sort());
    });

    it('accepts X-Paging-NextKey as `page`', async () => {
      const g = await group(5);
      const seen: string[] = [];
      let page: string | undefined;
      let requests = 0;
      do {
        const query: Record<string, string | number> = { 'tag.group': g.value, limit: 2 };
        if (page !== undefined) query.page = page;
        const res = await server.get<Doc[]>(path, { query });
        expect(res.status).toBe(200);
        assertSpecValid(`${schema}[]`, res.body);
        seen.push(...res.body.map((d) => d.id as string));
        page = res.headers.get('x-paging-nextkey') ?? undefined;
        requests++;
      } while (page !== undefined && requests < 10);
      expect(requests).toBe(3);
      expect(seen.sort()).toEqual([...pick(g)].sort());
    });

    it('gives an exactly full last page no next link', async () => {
      const g = await group(4);
      const pages = await allPages<Doc>(server, path, { 'tag.group': g.value, limit: 2 }, schema);
      expect(pages.map((p) => p.body.length)).toEqual([2, 2]);
    });

    it('HEAD carries the same paging headers as GET', async () => {
      const g = await group(3);
      const res = await getAndHead<Doc[]>(server, path, { query: { 'tag.group': g.value, limit: 2 } });
      expect(res.headers.get('x-paging-nextkey')).not.toBeNull();
      expect(res.headers.get('link')).toMatch(/^<http:\/\/127\.0\.0\.1:\d+\/[^>]+>; rel="next"$/);
    });

    it('answers 400 to an invalid page or limit', async () => {
      for (const page of ['', 'not a key!', '%%%', '***']) {
        expectError(await server.get(path, { query: { page } }), 400, 'Bad request. Invalid query options.');
      }
      for (const limit of ['abc', '0', '-1', '1.5']) {
        expectError(await server.get(path, { query: { limit } }), 400, 'Bad request. Invalid query options.');
      }
      const head = await server.head(path, { query: { limit: 'abc' } });
      expect(head.status).toBe(400);
      expect(head.text).toBe('');
    });

    // A well-formed key the server never issued (its cursor is not an id) is "invalid query
    // options", not a cursor that would silently skip results.
    it('answers 400 to a page key the server did not issue', async () => {
      const forged = Buffer.from('no such cursor', 'utf8').toString('base64url');
      expectError(await server.get(path, { query: { page: forged } }), 400);
    });
  });
}

describe('paging over the whole listing', () => {
  it('walks every Flow and every Source of the store exactly once', async () => {
    await group(7, audioFlow);
    for (const [path, schema, expected] of [
      ['/flows', 'flow.json', allFlows],
      ['/sources', 'source.json', allSources],
    ] as const) {
      const pages = await allPages<Doc>(server, path, {}, schema);
      const seen = ids(pages);
      expect(new Set(seen).size).toBe(seen.length);
      expect(seen.sort()).toEqual([...expected].sort());
      expect(pages.length).toBe(Math.ceil(expected.length / DEFAULT_LIMIT));
    }
  });
});
