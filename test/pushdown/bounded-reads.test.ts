/**
 * On an engine that pushes predicates down but not ORDER BY or LIMIT (VAST DataBase), a query
 * reads every row its predicate matches. The hot requests must still read about a page, not a
 * table: checked here over real HTTP on the store without its cache, on the memory engine in that
 * mode, counting the rows each request makes it read. The data set is a Flow of 20,000 segments
 * (with a gap of a million seconds in the middle), a Flow whose density jumps (a segment an hour,
 * then 10,000 in one second, then a segment an hour again) and 2,000 Flows; the bounds below do
 * not grow with any of them.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHARED_TOPOLOGY } from '../../src/db/topology.ts';
import { T } from '../../src/store/tables.ts';
import { startServer, type TestResponse, type TestServer } from '../helpers/server.ts';
import { nextLink } from '../http/fixtures.ts';
import { addSegments, newFlow, objectIds, type Segment } from '../segments/helpers.ts';
import { emptyReadStats, MemoryEngine, type ReadStats } from '../support/db/contract/memory.engine.ts';

const SEGMENTS = 20_000;
const FLOWS = 2_000;
/** Where the second half of the big Flow starts: after a gap of about a million seconds. */
const GAP_START = 1_000_000;
/** Rows one request may read: a few pages' worth, whatever the size of the tables. */
const BOUND = 1_000;
/** The Flow whose density jumps: hourly segments, BURST of them in one second, hourly again. */
const HOUR = 3600;
const SPARSE_BEFORE = 200;
const BURST = 10_000;
const SPARSE_AFTER = 50;
/** Where the burst starts (second), and the length of each of its segments (ns). */
const BURST_START = SPARSE_BEFORE * HOUR;
const BURST_STEP = 1_000_000_000 / BURST;

let server: TestServer;
let engine: MemoryEngine;
let flowId: string;
let objects: string[];
let tagged: string[];
let jumpId: string;

/** The i-th segment of the Flow whose density jumps. */
function jumpRange(i: number): string {
  if (i < SPARSE_BEFORE) return `[${i * HOUR}:0_${i * HOUR + 1}:0)`;
  if (i < SPARSE_BEFORE + BURST) {
    const k = i - SPARSE_BEFORE;
    const at = (n: number) => (n < BURST ? `${BURST_START}:${n * BURST_STEP}` : `${BURST_START + 1}:0`);
    return `[${at(k)}_${at(k + 1)})`;
  }
  const h = i - SPARSE_BEFORE - BURST + 1;
  return `[${BURST_START + h * HOUR}:0_${BURST_START + h * HOUR + 1}:0)`;
}
const JUMP_SEGMENTS = SPARSE_BEFORE + BURST + SPARSE_AFTER;

/** Start second of the i-th segment of the big Flow (1 s each, a gap after the first half). */
const startOf = (i: number) => (i < SEGMENTS / 2 ? i : GAP_START + i);
const segment = (i: number, objectId: string): Segment => ({
  object_id: objectId,
  timerange: `[${startOf(i)}:0_${startOf(i) + 1}:0)`,
});

beforeAll(async () => {
  engine = new MemoryEngine(
    { tables: new Map() },
    { pushdown: { orderBy: false, limit: false }, topology: SHARED_TOPOLOGY },
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
  jumpId = await newFlow(server);
  const jumpObjects = await objectIds(server, jumpId, JUMP_SEGMENTS);
  for (let i = 0; i < JUMP_SEGMENTS; i += 1000) {
    await addSegments(
      server,
      jumpId,
      jumpObjects.slice(i, i + 1000).map((id, k) => ({ object_id: id, timerange: jumpRange(i + k) })),
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
    `${what}: ${stats.rows} rows in ${stats.calls} reads (${stats.selects} selects, ${stats.counts} counts; most ${stats.maxRows}, ${stats.maxTable})`,
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

  it('a segment page across a gap of a million seconds reads about a page, either way', async () => {
    const path = `/flows/${flowId}/segments`;
    let across: Segment[] = [];
    expectBounded(
      'segments page across the gap',
      await measure(async () => {
        across = (await okGet<Segment[]>(path, { limit: 100, timerange: '[9950:0_]' })).body;
      }),
    );
    expect(across.map((s) => s.timerange)).toEqual(
      Array.from({ length: 100 }, (_, k) => `[${startOf(9950 + k)}:0_${startOf(9950 + k) + 1}:0)`),
    );
    let back: Segment[] = [];
    expectBounded(
      'segments page reversed across the gap',
      await measure(async () => {
        back = (
          await okGet<Segment[]>(path, {
            limit: 100,
            reverse_order: true,
            timerange: `[_${startOf(10_050)}:0)`,
          })
        ).body;
      }),
    );
    expect(back.map((s) => s.timerange)).toEqual(
      Array.from({ length: 100 }, (_, k) => `[${startOf(10_049 - k)}:0_${startOf(10_049 - k) + 1}:0)`),
    );
  });

  it('segment pages where the density jumps (an hour per segment, then 10,000 in a second)', async () => {
    const path = `/flows/${jumpId}/segments`;
    const expectPage = (page: Segment[], from: number, step: 1 | -1) =>
      expect(page.map((s) => s.timerange)).toEqual(
        Array.from({ length: page.length }, (_, k) => jumpRange(from + step * k)),
      );
    const cases: [string, Record<string, string | number | boolean>, number, 1 | -1][] = [
      ['from the start', {}, 0, 1],
      ['into the burst', { timerange: `[${(SPARSE_BEFORE - 30) * HOUR}:0_]` }, SPARSE_BEFORE - 30, 1],
      ['inside the burst', { timerange: `[${BURST_START}:500000000_]` }, SPARSE_BEFORE + BURST / 2, 1],
      ['reversed from the end', { reverse_order: true }, JUMP_SEGMENTS - 1, -1],
      [
        'reversed into the burst',
        { reverse_order: true, timerange: `[_${BURST_START + 20 * HOUR}:0)` },
        SPARSE_BEFORE + BURST + 18,
        -1,
      ],
    ];
    for (const [what, query, from, step] of cases) {
      let page: TestResponse | undefined;
      expectBounded(
        `density jump: ${what} (limit 100)`,
        await measure(async () => {
          page = await okGet(path, { limit: 100, ...query });
        }),
      );
      const first = page as TestResponse;
      expect((first.body as Segment[]).length).toBe(100);
      expectPage(first.body as Segment[], from, step);
      const next = nextLink(first) as string;
      let second: Segment[] = [];
      expectBounded(
        `density jump: ${what}, page 2`,
        await measure(async () => {
          second = (await okGet<Segment[]>(next)).body;
        }),
      );
      expectPage(second, from + step * 100, step);
    }
    let one: Segment[] = [];
    expectBounded(
      'density jump: limit 1 in the burst',
      await measure(async () => {
        one = (await okGet<Segment[]>(path, { limit: 1, timerange: `[${BURST_START}:0_]` })).body;
      }),
    );
    expectPage(one, SPARSE_BEFORE, 1);
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
