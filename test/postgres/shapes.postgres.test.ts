/**
 * Every hot segment query on PostgreSQL reads what it returns, wherever in its Flow it looks:
 * one Flow of 30,000 segments, and at 1 %, 50 % and 99 % of it a page by timerange, the next page
 * (by its paging key), a reversed page, a point, the deletion of a range and the POST of a
 * segment (its overlap check), each over HTTP to a server on a real PostgreSQL, which logs the
 * plan of every statement it ran with the rows each read (auto_explain, pg.plans.ts). A query
 * that goes back to reading the Flow from its start (or to its end) reads thousands of rows at
 * 50 %: a bound on the rows a statement reads, independent of the Flow's size, and the same total
 * at every position, catch it. Counts, never times.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type PostgresServer,
  postgresAvailable,
  startPostgres,
} from '../../tools/postgres/postgres.server.ts';
import { startServer, type TestServer, tempDir } from '../helpers/server.ts';
import { newFlow, objectIds } from '../segments/helpers.ts';
import { EXPLAIN_SETTINGS, PlanLog, type RanPlan, rowsRead, shown } from './pg.plans.ts';

const available = postgresAvailable();
const SCHEMA = 'shapes';
/** Segments of the Flow: `[2i_2i+1)` seconds, a second's gap after each. */
const SEGMENTS = 30_000;
const LIMIT = 100;
const POSITIONS = [0.01, 0.5, 0.99];
/**
 * Rows one statement may read for a page: the rows it asks for (the page and one more), twice
 * over for the window's edges, and a few more for ties. Nothing here grows with the Flow.
 */
const PAGE_BOUND = 2 * (LIMIT + 1) + 8;

/** `s:ns` of a number of seconds and a fraction. */
const ts = (seconds: number, nanos = 0) => `${seconds}:${nanos}`;

describe.skipIf(!available)('the segment queries on PostgreSQL, by position in a long Flow', () => {
  let postgres: PostgresServer;
  let server: TestServer;
  let client: pg.Client;
  let flowId: string;
  const plans = new PlanLog();
  const media = tempDir('tams-pg-shapes-');

  beforeAll(async () => {
    postgres = await startPostgres({ settings: EXPLAIN_SETTINGS, onLog: plans.onLog });
    client = new pg.Client({ connectionString: postgres.url });
    await client.connect();
    server = await startServer({
      env: {
        TAMS_DB: 'postgres',
        TAMS_POSTGRES_URL: postgres.url,
        TAMS_POSTGRES_SCHEMA: SCHEMA,
        TAMS_MEDIA_DIR: media.path,
      },
      // The background workers' statements are not the requests'.
      workers: false,
    });
    flowId = await newFlow(server);
    // The Flow's segments in one statement, its envelope as segment writes keep it, and the
    // planner's statistics as autovacuum keeps them.
    const table = `"${SCHEMA}"."segments"`;
    await client.query(
      `INSERT INTO ${table} (flow_id, seg_start, seg_end, seg_start_incl, seg_end_incl, object_id)
       SELECT $1, i::bigint * 2000000000, i::bigint * 2000000000 + 1000000000, true, false, 'seed-' || i
         FROM generate_series(0, ${SEGMENTS - 1}) AS i`,
      [flowId],
    );
    await client.query(
      `UPDATE "${SCHEMA}"."flows" SET tr_start = 0, tr_end = $2, tr_start_incl = true, tr_end_incl = false WHERE id = $1`,
      [flowId, String((SEGMENTS - 1) * 2_000_000_000 + 1_000_000_000)],
    );
    await client.query(`ANALYZE ${table}`);
    // The Flow's spacing is learnt by its first page: every position then starts alike.
    await get({ timerange: `[${ts(0)}_)`, limit: LIMIT });
  });
  afterAll(async () => {
    await server?.close();
    await client?.end();
    await postgres?.close();
    media.remove();
  });

  async function get(query: Record<string, string | number | boolean>) {
    const res = await server.get<{ timerange: string }[]>(`/flows/${flowId}/segments`, { query });
    expect(res.status, res.text).toBe(200);
    return res;
  }

  /** The statements on segments that `work` made the server run, and the rows each read. */
  async function reads(
    work: () => Promise<unknown>,
  ): Promise<{ query: string; rows: number; plan: string }[]> {
    const ran: RanPlan[] = await plans.during(client, work);
    return ran
      .filter((r) => r.query.includes(`FROM "${SCHEMA}"."segments"`))
      .map((r) => ({ query: r.query, rows: rowsRead(r.plan, 'segments'), plan: shown(r.plan) }));
  }

  /**
   * Each statement reads at most `bound` rows at every position; their totals agree. `most`: the
   * statements on segments at each position, at most (a page of a Flow whose spacing the server
   * knows is one select: no probe for the segment holding its start).
   */
  async function expectBounded(
    what: string,
    bound: number,
    work: (i: number) => Promise<unknown>,
    most = Number.POSITIVE_INFINITY,
  ): Promise<void> {
    const totals: number[] = [];
    for (const position of POSITIONS) {
      const i = Math.floor(SEGMENTS * position);
      const statements = await reads(() => work(i));
      expect(statements.length, `${what} at ${position * 100} %: no statement on segments`).toBeGreaterThan(
        0,
      );
      expect(
        statements.length,
        `${what} at ${position * 100} %: ${statements.map((s) => s.query).join('\n')}`,
      ).toBeLessThanOrEqual(most);
      for (const s of statements) {
        expect(s.rows, `${what} at ${position * 100} %: ${s.query}\n${s.plan}`).toBeLessThanOrEqual(bound);
      }
      totals.push(statements.reduce((n, s) => n + s.rows, 0));
    }
    // At 99 % what it is at 1 %, within a window's edges.
    const [first = 0, , last = 0] = totals;
    expect(Math.abs(last - first), `${what}: rows read at 1 %, 50 %, 99 %: ${totals}`).toBeLessThanOrEqual(
      bound / 4,
    );
  }

  it('a page by timerange, from inside a segment and from a gap', async () => {
    await expectBounded(
      'page by timerange',
      PAGE_BOUND,
      async (i) => {
        const page = await get({ timerange: `[${ts(2 * i, 500_000_000)}_)`, limit: LIMIT });
        expect(page.body).toHaveLength(LIMIT);
        expect(page.body[0]?.timerange).toBe(`[${ts(2 * i)}_${ts(2 * i + 1)})`);
      },
      1,
    );
    await expectBounded(
      'page by timerange from a gap',
      PAGE_BOUND,
      async (i) => {
        const page = await get({ timerange: `[${ts(2 * i + 1, 500_000_000)}_)`, limit: LIMIT });
        expect(page.body[0]?.timerange).toBe(`[${ts(2 * i + 2)}_${ts(2 * i + 3)})`);
      },
      1,
    );
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
    await expectBounded(
      'next page',
      PAGE_BOUND,
      async (i) => {
        const res = await server.get<{ timerange: string }[]>(`/flows/${flowId}/segments${next.get(i)}`);
        expect(res.status, res.text).toBe(200);
        expect(res.body[0]?.timerange).toBe(`[${ts(2 * (i + LIMIT))}_${ts(2 * (i + LIMIT) + 1)})`);
      },
      1,
    );
  });

  it('a reversed page', async () => {
    // The range begins inside a segment 150 before its end: where the scan stops is found too.
    await expectBounded(
      'reversed page',
      PAGE_BOUND,
      async (i) => {
        const range = `[${ts(2 * (i - 150), 500_000_000)}_${ts(2 * i, 500_000_000)}]`;
        const page = await get({ timerange: range, limit: LIMIT, reverse_order: true });
        expect(page.body[0]?.timerange).toBe(`[${ts(2 * i)}_${ts(2 * i + 1)})`);
        expect(page.body).toHaveLength(LIMIT);
      },
      1,
    );
  });

  it('a point, in a segment and in a gap', async () => {
    await expectBounded(
      'a point in a segment',
      8,
      async (i) => {
        const page = await get({ timerange: `[${ts(2 * i, 500_000_000)}]` });
        expect(page.body.map((s) => s.timerange)).toEqual([`[${ts(2 * i)}_${ts(2 * i + 1)})`]);
      },
      1,
    );
    await expectBounded(
      'a point in a gap',
      8,
      async (i) => {
        const page = await get({ timerange: `[${ts(2 * i + 1, 500_000_000)}]` });
        expect(page.body).toEqual([]);
      },
      1,
    );
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
    await expectBounded('POST into a gap', 8, async (i) => {
      const res = await server.post(`/flows/${flowId}/segments`, {
        object_id: objects.pop(),
        timerange: `[${ts(2 * i + 1)}_${ts(2 * i + 2)})`,
      });
      expect(res.status, res.text).toBe(201);
    });
  });
});
