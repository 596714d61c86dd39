/**
 * GET /flows/{flowId}/segments (DIGEST §5.4, §6.2, §12, §14.6-8): which segments a timerange
 * selects (overlap, inclusivity-aware), order, the object_id filter, paging and its headers.
 * The get_urls of each segment are in segments.urls.test.ts.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.ts';
import { assertSpecValid } from '../helpers/spec-schemas.ts';
import { expectError, expectGetError, nextLink } from '../http/fixtures.ts';
import {
  addSegments,
  allocate,
  allSegments,
  fillFlow,
  getSegments,
  newFlow,
  objectIds,
  type Segment,
  timeranges,
  unsigned,
} from './helpers.ts';

let server: TestServer;
/** Segments S0 [0:0_10:0), S1 [10:0_20:0), S2 [20:0_30:0] (inclusive end), S3 [40:0_50:0). */
let shaped: string;
const S0 = '[0:0_10:0)';
const S1 = '[10:0_20:0)';
const S2 = '[20:0_30:0]';
const S3 = '[40:0_50:0)';
/** The object S0 and S3 share. */
let shared: string;
/** 23 back-to-back segments of 10 s from 0. */
let long: string;

beforeAll(async () => {
  server = await startServer({ env: { TAMS_PAGE_LIMIT_DEFAULT: '10', TAMS_PAGE_LIMIT_MAX: '50' } });
  shaped = await newFlow(server);
  const [a, b, c] = await objectIds(server, shaped, 3);
  shared = a as string;
  // Registered out of order: the listing sorts.
  await addSegments(server, shaped, [
    { object_id: c as string, timerange: S2 },
    { object_id: shared, timerange: S3, sample_offset: 250 },
    { object_id: shared, timerange: S0 },
    { object_id: b as string, timerange: S1 },
  ]);
  long = await newFlow(server);
  await fillFlow(server, long, 23);
});
afterAll(() => server.close());

describe('GET segments: timerange selects overlapping segments, honouring inclusivity', () => {
  const cases: [string, string[]][] = [
    ['_', [S0, S1, S2, S3]],
    ['[10:0]', [S1]],
    ['10:0', [S1]],
    ['[10:0_10:0]', [S1]],
    ['[0:0_10:0)', [S0]],
    ['[0:0_10:0]', [S0, S1]],
    ['(0:0_10:0)', [S0]],
    ['(10:0_20:0)', [S1]],
    ['[9:999999999]', [S0]],
    ['[5:0_15:0)', [S0, S1]],
    ['[10:0_', [S1, S2, S3]],
    ['(10:0_', [S1, S2, S3]],
    ['[20:0_', [S2, S3]],
    ['_10:0)', [S0]],
    ['_10:0]', [S0, S1]],
    ['_0:0)', []],
    ['_0:0]', [S0]],
    ['[20:0]', [S2]],
    ['[30:0]', [S2]],
    ['[30:0_40:0)', [S2]],
    ['(30:0_40:0)', []],
    ['[35:0]', []],
    ['[30:0_40:0]', [S2, S3]],
    ['[49:999999999]', [S3]],
    ['[50:0]', []],
    ['[50:0_', []],
    ['[-100:0_0:0]', [S0]],
    ['()', []],
    ['(10:0)', []],
    ['[40:0_30:0)', []],
  ];
  for (const [query, expected] of cases) {
    it(`timerange=${query} returns ${expected.length === 0 ? 'nothing' : expected.join(' ')}`, async () => {
      expect(await timeranges(server, shaped, { timerange: query })).toEqual(expected);
    });
  }

  it('refuses an invalid timerange (400)', async () => {
    for (const timerange of ['abc', '0:1000000000', '[00:0]', '[1:0_2:0_3:0)', '1.5:0']) {
      await expectGetError(server, `/flows/${shaped}/segments`, 400, undefined, { query: { timerange } });
    }
  });
});

describe('GET segments: order and filters', () => {
  it('lists ascending by default, and descending with reverse_order=true', async () => {
    const asc = await getSegments(server, shaped);
    expect(asc.body.map((s) => s.timerange)).toEqual([S0, S1, S2, S3]);
    expect(asc.headers.get('x-paging-reverse-order')).toBe('false');
    const desc = await getSegments(server, shaped, { reverse_order: true });
    expect(desc.body.map((s) => s.timerange)).toEqual([S3, S2, S1, S0]);
    expect(desc.headers.get('x-paging-reverse-order')).toBe('true');
    const descWithin = await getSegments(server, shaped, { reverse_order: true, timerange: '[5:0_25:0)' });
    expect(descWithin.body.map((s) => s.timerange)).toEqual([S2, S1, S0]);
  });

  it('filters on object_id, alone and with a timerange', async () => {
    expect(await timeranges(server, shaped, { object_id: shared })).toEqual([S0, S3]);
    expect(await timeranges(server, shaped, { object_id: shared, timerange: '[30:0_' })).toEqual([S3]);
    expect(await timeranges(server, shaped, { object_id: randomUUID() })).toEqual([]);
  });

  it('filters on an object_id containing `/`, percent-encoded in the query', async () => {
    const flowId = await newFlow(server);
    const id = `tams-${randomUUID()}/${randomUUID()}.ts`;
    const [other] = await objectIds(server, flowId, 1);
    await allocate(server, flowId, { object_ids: [id] });
    await addSegments(server, flowId, [
      { object_id: id, timerange: '[0:0_1:0)' },
      { object_id: other as string, timerange: '[1:0_2:0)' },
    ]);
    const res = await server.get<Segment[]>(`/flows/${flowId}/segments?object_id=${encodeURIComponent(id)}`);
    expect(res.body.map((s) => s.object_id)).toEqual([id]);
  });

  it('returns every stored field of a segment', async () => {
    const res = await getSegments(server, shaped, { timerange: '[45:0]' });
    expect(res.body).toHaveLength(1);
    const { get_urls, ...rest } = res.body[0] as Segment;
    expect(rest).toEqual({ object_id: shared, timerange: S3, sample_offset: 250 });
    expect(get_urls?.length).toBeGreaterThan(0);
  });
});

describe('GET segments: paging', () => {
  const all = Array.from({ length: 23 }, (_, i) => `[${i * 10}:0_${(i + 1) * 10}:0)`);

  it('follows Link rel="next" to the end, each segment once, in order, both directions', async () => {
    const forward = await allSegments(server, long, { limit: 5 });
    expect(forward.map((s) => s.timerange)).toEqual(all);
    const backward = await allSegments(server, long, { limit: 5, reverse_order: true });
    expect(backward.map((s) => s.timerange)).toEqual([...all].reverse());
    const within = await allSegments(server, long, { limit: 4, timerange: '[45:0_155:0)' });
    expect(within.map((s) => s.timerange)).toEqual(all.slice(4, 16));
    const withinBack = await allSegments(server, long, {
      limit: 4,
      timerange: '[45:0_155:0)',
      reverse_order: true,
    });
    expect(withinBack.map((s) => s.timerange)).toEqual(all.slice(4, 16).reverse());
  });

  it('sets X-Paging-Limit, -Count, -NextKey, -Timerange, -Reverse-Order and Link on each page', async () => {
    let res = await getSegments(server, long, { limit: 5 });
    const seen: string[] = [];
    for (let page = 0; ; page++) {
      const body = res.body;
      seen.push(...body.map((s) => s.timerange));
      expect(res.headers.get('x-paging-limit')).toBe('5');
      expect(res.headers.get('x-paging-count')).toBe(String(body.length));
      expect(res.headers.get('x-paging-reverse-order')).toBe('false');
      // The timerange of the returned data set: the envelope of this page.
      const first = page * 50;
      const last = Math.min(first + 50, 230);
      expect(res.headers.get('x-paging-timerange')).toBe(`[${first}:0_${last}:0)`);
      assertSpecValid('timerange.json', res.headers.get('x-paging-timerange'));
      const link = nextLink(res);
      const key = res.headers.get('x-paging-nextkey');
      if (page < 4) {
        expect(body).toHaveLength(5);
        expect(link).toBeDefined();
        expect(key).not.toBeNull();
        expect(new URL(link as string).searchParams.get('page')).toBe(key);
        // The key alone gives the same page as the Link.
        const byKey = await server.get<Segment[]>(`/flows/${long}/segments`, {
          query: { limit: 5, page: key as string },
        });
        res = await getSegments(server, long, Object.fromEntries(new URL(link as string).searchParams));
        // Compared without the URL signatures, whose expiry moves on with the clock between calls.
        expect(unsigned(byKey.body)).toEqual(unsigned(res.body));
      } else {
        expect(body).toHaveLength(3);
        expect(link).toBeUndefined();
        expect(key).toBeNull();
        break;
      }
    }
    expect(seen).toEqual(all);
  });

  it('applies the default limit, caps limit at the maximum, and sends no Link when all fit', async () => {
    const byDefault = await getSegments(server, long);
    expect(byDefault.body).toHaveLength(10);
    expect(byDefault.headers.get('x-paging-limit')).toBe('10');
    expect(nextLink(byDefault)).toBeDefined();
    const capped = await getSegments(server, long, { limit: 100_000 });
    expect(capped.headers.get('x-paging-limit')).toBe('50');
    expect(capped.body).toHaveLength(23);
    expect(nextLink(capped)).toBeUndefined();
    expect(capped.headers.get('x-paging-nextkey')).toBeNull();
    const exact = await getSegments(server, long, { limit: 23 });
    expect(exact.body).toHaveLength(23);
    expect(nextLink(exact)).toBeUndefined();
  });

  it('reports the empty timerange and count 0 for an empty result', async () => {
    const res = await getSegments(server, long, { timerange: '[1000:0_' });
    expect(res.body).toEqual([]);
    expect(res.headers.get('x-paging-count')).toBe('0');
    expect(res.headers.get('x-paging-timerange')).toBe('()');
    expect(nextLink(res)).toBeUndefined();
  });

  it('refuses a page key it did not issue, and limit 0 (400)', async () => {
    const queries: Record<string, string | number>[] = [
      { page: 'not-a-key' },
      { page: '!!' },
      { limit: 0 },
      { limit: 'x' },
    ];
    for (const query of queries) {
      expectError(await server.get(`/flows/${long}/segments`, { query }), 400);
    }
  });
});

describe('GET segments: Flow ids', () => {
  it('answers 200 [] for an unknown Flow (DIGEST §14.6), with paging headers', async () => {
    const res = await getSegments(server, randomUUID());
    expect(res.body).toEqual([]);
    expect(res.headers.get('x-paging-count')).toBe('0');
    expect(res.headers.get('x-paging-limit')).toBe('10');
  });

  it('answers 404 for a Flow id that is not a UUID', async () => {
    await expectGetError(server, '/flows/not-a-uuid/segments', 404);
    await expectGetError(server, `/flows/${randomUUID().toUpperCase()}/segments`, 404);
  });
});
