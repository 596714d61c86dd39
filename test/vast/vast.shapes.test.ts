/**
 * Every hot segment query on VAST reads what it returns, wherever in its Flow it looks (`vast`
 * project only: test/helpers/vast.mode.ts): one Flow of 30,000 segments, and at 1 %, 50 % and
 * 99 % of it a page by timerange, the next page (by its paging key), a reversed page, a point,
 * the deletion of a range and the POST of a segment (its overlap check), over HTTP to a server
 * on the fake VAST, which counts the rows it evaluated each request's filters on
 * (stats.rowsExamined) and the queries sent. A query that reads the Flow from its start (or to
 * its end) evaluates thousands of rows at 50 %.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Row } from '../../src/db/db.types.ts';
import { and, col } from '../../src/db/predicate.ts';
import { T } from '../../src/store/tables.ts';
import type { FakeVast } from '../../tools/vast-fake/fake.server.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { sharedFakeVast } from '../helpers/vast.mode.ts';
import { newFlow, objectIds } from '../segments/helpers.ts';

/** Segments of the Flow: `[2i_2i+1)` seconds, a second's gap after each. */
const SEGMENTS = 30_000;
const LIMIT = 100;
const POSITIONS = [0.01, 0.5, 0.99];
const SECOND = 1_000_000_000n;

/** `s:ns` of a number of seconds and a fraction. */
const ts = (seconds: number, nanos = 0) => `${seconds}:${nanos}`;

let server: TestServer;
let vast: FakeVast;
let flowId: string;

beforeAll(async () => {
  vast = await sharedFakeVast();
  server = await startServer({ workers: false });
  flowId = await newFlow(server);
  const rows: Row[] = [];
  for (let i = 0; i < SEGMENTS; i++) {
    const start = BigInt(2 * i) * SECOND;
    rows.push({
      flow_id: flowId,
      seg_start: start,
      seg_end: start + SECOND,
      seg_start_incl: true,
      seg_end_incl: false,
      object_id: `seed-${i}`,
    });
  }
  // The Flow's segments as registrations append them, and its envelope as they keep it.
  const { db } = server.runtime;
  for (let at = 0; at < rows.length; at += 5_000) await db.insert(T.segments, rows.slice(at, at + 5_000));
  await db.update(T.flows, and(col('id').eq(flowId)), {
    tr_start: 0n,
    tr_end: BigInt(2 * (SEGMENTS - 1) + 1) * SECOND,
    tr_start_incl: true,
    tr_end_incl: false,
  });
  // The Flow's spacing is learnt by its first page: every position then starts alike.
  await get({ timerange: `[${ts(0)}_)`, limit: LIMIT });
});
afterAll(async () => {
  await server?.close();
});

async function get(query: Record<string, string | number | boolean>) {
  const res = await server.get<{ timerange: string }[]>(`/flows/${flowId}/segments`, { query });
  expect(res.status, res.text).toBe(200);
  return res;
}

/** The rows the fake evaluated filters on, and the queries it answered, while `work` ran. */
async function cost(work: () => Promise<unknown>): Promise<{ rows: number; queries: number }> {
  const rows = vast.stats.rowsExamined;
  const queries = vast.stats.calls.query;
  await work();
  return { rows: vast.stats.rowsExamined - rows, queries: vast.stats.calls.query - queries };
}

/** At every position at most `bound` rows evaluated; at 99 % what it costs at 1 %, within a window's edges. */
async function expectBounded(what: string, bound: number, work: (i: number) => Promise<unknown>) {
  const costs: { rows: number; queries: number }[] = [];
  for (const position of POSITIONS) costs.push(await cost(() => work(Math.floor(SEGMENTS * position))));
  const shown = `${what}: rows and queries at 1 %, 50 %, 99 %: ${JSON.stringify(costs)}`;
  for (const c of costs) expect(c.rows, shown).toBeLessThanOrEqual(bound);
  const [first, , last] = costs;
  expect(Math.abs((last?.rows ?? 0) - (first?.rows ?? 0)), shown).toBeLessThanOrEqual(bound / 4);
  expect(last?.queries, shown).toBeLessThanOrEqual((first?.queries ?? 0) + 1);
}

/** Rows a page may cost: the windows' ceilings (twice the rows asked for), twice over. */
const PAGE_BOUND = 4 * 2 * (LIMIT + 1);

describe('the segment queries on VAST, by position in a long Flow', () => {
  it('a page by timerange, from inside a segment and from a gap', async () => {
    await expectBounded('page by timerange', PAGE_BOUND, async (i) => {
      const page = await get({ timerange: `[${ts(2 * i, 500_000_000)}_)`, limit: LIMIT });
      expect(page.body).toHaveLength(LIMIT);
      expect(page.body[0]?.timerange).toBe(`[${ts(2 * i)}_${ts(2 * i + 1)})`);
    });
    await expectBounded('page by timerange from a gap', PAGE_BOUND, async (i) => {
      const page = await get({ timerange: `[${ts(2 * i + 1, 500_000_000)}_)`, limit: LIMIT });
      expect(page.body[0]?.timerange).toBe(`[${ts(2 * i + 2)}_${ts(2 * i + 3)})`);
    });
  });

  it('the next page, by its paging key', async () => {
    const next = new Map<number, string>();
    for (const position of POSITIONS) {
      const i = Math.floor(SEGMENTS * position);
      const page = await get({ timerange: `[${ts(2 * i, 500_000_000)}_)`, limit: LIMIT });
      const link = /<([^>]+)>;\s*rel="next"/.exec(page.headers.get('link') ?? '')?.[1];
      expect(link, 'a next page').toBeDefined();
      next.set(i, new URL(link as string, server.url).search);
    }
    await expectBounded('next page', PAGE_BOUND, async (i) => {
      const res = await server.get<{ timerange: string }[]>(`/flows/${flowId}/segments${next.get(i)}`);
      expect(res.status, res.text).toBe(200);
      expect(res.body[0]?.timerange).toBe(`[${ts(2 * (i + LIMIT))}_${ts(2 * (i + LIMIT) + 1)})`);
    });
  });

  it('a reversed page', async () => {
    await expectBounded('reversed page', PAGE_BOUND, async (i) => {
      const range = `[${ts(2 * (i - 150), 500_000_000)}_${ts(2 * i, 500_000_000)}]`;
      const page = await get({ timerange: range, limit: LIMIT, reverse_order: true });
      expect(page.body[0]?.timerange).toBe(`[${ts(2 * i)}_${ts(2 * i + 1)})`);
      expect(page.body).toHaveLength(LIMIT);
    });
  });

  it('a point, in a segment and in a gap', async () => {
    await expectBounded('a point in a segment', PAGE_BOUND, async (i) => {
      const page = await get({ timerange: `[${ts(2 * i, 500_000_000)}]` });
      expect(page.body.map((s) => s.timerange)).toEqual([`[${ts(2 * i)}_${ts(2 * i + 1)})`]);
    });
    await expectBounded('a point in a gap', PAGE_BOUND, async (i) => {
      const page = await get({ timerange: `[${ts(2 * i + 1, 500_000_000)}]` });
      expect(page.body).toEqual([]);
    });
  });

  it('the deletion of a range from the middle', async () => {
    // Ten segments a little before each position (the POSTs below go into the gaps after it).
    await expectBounded('DELETE a range', PAGE_BOUND, async (i) => {
      const res = await server.delete(`/flows/${flowId}/segments`, {
        query: { timerange: `[${ts(2 * (i - 20))}_${ts(2 * (i - 10))})` },
      });
      expect(res.status, res.text).toBe(204);
    });
  });

  it("a POST's overlap check", async () => {
    const objects = await objectIds(server, flowId, POSITIONS.length);
    await expectBounded('POST into a gap', PAGE_BOUND, async (i) => {
      const res = await server.post(`/flows/${flowId}/segments`, {
        object_id: objects.pop(),
        timerange: `[${ts(2 * i + 1)}_${ts(2 * i + 2)})`,
      });
      expect(res.status, res.text).toBe(201);
    });
  });
});
