/**
 * On an engine that pushes predicates down but not ORDER BY or LIMIT (VAST DataBase), a query
 * reads every row its predicate matches. The hot requests must still read about a page, not a
 * table: checked here over real HTTP on the store without its cache, on the memory engine in that
 * mode, counting the rows each request makes it read. The data set is a Flow of 20,000 segments
 * (with a gap of a million seconds in the middle) and 2,000 Flows; the bounds below do not grow
 * with either.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emptyReadStats, MemoryEngine, type ReadStats } from '../../src/db/contract/memory.engine.ts';
import { T } from '../../src/store/tables.ts';
import { startServer, type TestResponse, type TestServer } from '../helpers/server.ts';
import { nextLink } from '../http/fixtures.ts';
import { addSegments, newFlow, objectIds, type Segment } from '../segments/helpers.ts';

const SEGMENTS = 20_000;
const FLOWS = 2_000;
/** Where the second half of the big Flow starts: after a gap of about a million seconds. */
const GAP_START = 1_000_000;
/** Rows one request may read: a few pages' worth, whatever the size of the tables. */
const BOUND = 1_000;

let server: TestServer;
let engine: MemoryEngine;
let flowId: string;
let objects: string[];
let tagged: string[];

/** Start second of the i-th segment of the big Flow (1 s each, a gap after the first half). */
const startOf = (i: number) => (i < SEGMENTS / 2 ? i : GAP_START + i);
const segment = (i: number, objectId: string): Segment => ({
  object_id: objectId,
  timerange: `[${startOf(i)}:0_${startOf(i) + 1}:0)`,
});

beforeAll(async () => {
  engine = new MemoryEngine(
    { tables: new Map() },
    { pushdown: { orderBy: false, limit: false }, exclusive: false },
  );
  server = await startServer({ engine, workers: false });
  flowId = await newFlow(server);
  objects = await objectIds(server, flowId, SEGMENTS + 200);
  for (let i = 0; i < SEGMENTS; i += 1000) {
    await addSegments(
      server,
      flowId,
      objects.slice(i, i + 1000).map((id, k) => segment(i + k, id)),
    );
  }
  // The other Flows straight into the tables: their rows, not how they came, are what is measured.
  const db = server.runtime.db;
  const flows = Array.from({ length: FLOWS }, (_, i) => ({ id: randomUUID(), source_id: randomUUID(), i }));
  tagged = flows.filter((f) => f.i % 400 === 0).map((f) => f.id);
  const now = new Date();
  await db.insert(
    T.sources,
    flows.map((f) => ({ id: f.source_id, format: 'urn:x-nmos:format:video', created: now, updated: now })),
  );
  await db.insert(
    T.flows,
    flows.map((f) => ({
      id: f.id,
      source_id: f.source_id,
      format: 'urn:x-nmos:format:video',
      codec: 'video/h264',
      created: now,
      metadata_updated: now,
      metadata_version: randomUUID(),
    })),
  );
  await db.insert(
    T.flowTags,
    flows.flatMap((f) => [
      { flow_id: f.id, name: 'group', value: String(f.i % 20) },
      ...(f.i % 400 === 0 ? [{ flow_id: f.id, name: 'rare', value: 'yes' }] : []),
    ]),
  );
  engine.reads = emptyReadStats();
}, 600_000);

afterAll(async () => {
  await server?.close();
});

/** The rows `request` made the engine read. */
async function measure(request: () => Promise<unknown>): Promise<ReadStats> {
  engine.reads = emptyReadStats();
  await request();
  const stats = engine.reads;
  engine.reads = emptyReadStats();
  return stats;
}

async function okGet<T = unknown>(path: string, query: Record<string, string | number | boolean> = {}) {
  const res = await server.get<T>(path, { query });
  expect(res.status, `${path}: ${res.text}`).toBe(200);
  return res;
}

function expectBounded(what: string, stats: ReadStats): void {
  console.log(
    `${what}: ${stats.rows} rows in ${stats.calls} reads (most ${stats.maxRows}, ${stats.maxTable})`,
  );
  expect.soft(stats.rows, what).toBeLessThanOrEqual(BOUND);
}

describe('rows read per request, without ORDER BY/LIMIT pushdown', () => {
  it('segment pages: first, next, across the gap, reversed, limit 1, timerange, object', async () => {
    const path = `/flows/${flowId}/segments`;
    let first: TestResponse | undefined;
    expectBounded(
      'segments page 1 (limit 100)',
      await measure(async () => {
        first = await okGet(path, { limit: 100 });
      }),
    );
    const page1 = first as TestResponse;
    expect((page1.body as Segment[]).length).toBe(100);
    const next = nextLink(page1) as string;
    expectBounded('segments page 2 (Link)', await measure(() => okGet(next)));
    let reversed: Segment[] = [];
    expectBounded(
      'segments page reversed (limit 100)',
      await measure(async () => {
        reversed = (await okGet<Segment[]>(path, { limit: 100, reverse_order: true })).body;
      }),
    );
    expect(reversed[0]?.timerange).toBe(`[${startOf(SEGMENTS - 1)}:0_${startOf(SEGMENTS - 1) + 1}:0)`);
    expectBounded('segments limit 1', await measure(() => okGet(path, { limit: 1 })));
    // Right across the gap (how many rows that reads: the `fails` test below).
    const across = (await okGet<Segment[]>(path, { limit: 100, timerange: '[9950:0_]' })).body;
    expect(across.map((s) => s.timerange).slice(49, 51)).toEqual([
      '[9999:0_10000:0)',
      `[${GAP_START + 10000}:0_${GAP_START + 10001}:0)`,
    ]);

    expectBounded(
      'segments timerange in the middle (limit 100)',
      await measure(() => okGet(path, { limit: 100, timerange: '[5000:0_6000:0)' })),
    );
    expectBounded(
      'segments of one object',
      await measure(() => okGet(path, { limit: 100, object_id: objects[7] as string })),
    );
  });

  // Known limit: the windows grow fourfold over an empty stretch, so the window that ends a gap
  // of a million seconds reads the segments of up to three million seconds after it (here all
  // 10,000). Skipping a gap in one read needs the gap in the rows (each segment knowing where the
  // one before it ends), not done yet. `fails` flags the day this reads a page.
  it.fails('a segment page across a gap of a million seconds reads about a page', async () => {
    const path = `/flows/${flowId}/segments`;
    expectBounded(
      'segments page across the gap',
      await measure(() => okGet(path, { limit: 100, timerange: '[9950:0_]' })),
    );
  });

  it('segment registration: single and bulk POST', async () => {
    const end = startOf(SEGMENTS - 1) + 1;
    const spare = objects.slice(SEGMENTS);
    expectBounded(
      'POST one segment',
      await measure(() =>
        addSegments(server, flowId, { object_id: spare[0] as string, timerange: `[${end}:0_${end + 1}:0)` }),
      ),
    );
    expectBounded(
      'POST 100 segments',
      await measure(() =>
        addSegments(
          server,
          flowId,
          spare.slice(1, 101).map((id, k) => ({
            object_id: id,
            timerange: `[${end + 1 + k}:0_${end + 2 + k}:0)`,
          })),
        ),
      ),
    );
  });

  it('Flow, object and deletion requests', async () => {
    expectBounded('GET /flows/{id}', await measure(() => okGet(`/flows/${flowId}`)));
    expectBounded(
      'GET /flows/{id}?include_timerange',
      await measure(() => okGet(`/flows/${flowId}`, { include_timerange: true })),
    );
    expectBounded('GET /objects/{id}', await measure(() => okGet(`/objects/${objects[3]}`)));
    expectBounded(
      'DELETE /flows/{id}/segments (3 segments)',
      await measure(async () => {
        const res = await server.delete(`/flows/${flowId}/segments`, {
          query: { timerange: '[100:0_103:0)' },
        });
        expect(res.status, res.text).toBeLessThan(300);
      }),
    );
    expectBounded(
      'GET /flows/{id}?include_timerange after the deletion',
      await measure(() => okGet(`/flows/${flowId}`, { include_timerange: true })),
    );
  });

  it('Flow and Source listings', async () => {
    let first: TestResponse | undefined;
    expectBounded(
      'GET /flows (limit 100)',
      await measure(async () => {
        first = await okGet('/flows', { limit: 100 });
      }),
    );
    const page1 = first as TestResponse;
    expect((page1.body as unknown[]).length).toBe(100);
    const next = nextLink(page1) as string;
    expectBounded('GET /flows page 2 (Link)', await measure(() => okGet(next)));
    let rare: { id: string }[] = [];
    expectBounded(
      'GET /flows?tag.rare=yes',
      await measure(async () => {
        rare = (await okGet<{ id: string }[]>('/flows', { 'tag.rare': 'yes' })).body;
      }),
    );
    expect(rare.map((f) => f.id).sort()).toEqual([...tagged].sort());
    expectBounded(
      'GET /flows?tag.group=3 (limit 10)',
      await measure(() => okGet('/flows', { 'tag.group': '3', limit: 10 })),
    );
    expectBounded(
      'GET /flows?tag_exists.rare=false (limit 10)',
      await measure(() => okGet('/flows', { 'tag_exists.rare': false, limit: 10 })),
    );
    expectBounded(
      'GET /flows?codec=video/h264 (limit 10)',
      await measure(() => okGet('/flows', { codec: 'video/h264', limit: 10 })),
    );
    expectBounded('GET /sources (limit 100)', await measure(() => okGet('/sources', { limit: 100 })));
  });
});
