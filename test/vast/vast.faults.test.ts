/**
 * The fault must-shows at the HTTP level, the server on the VAST engine over the fake
 * (`vast` project only: test/helpers/vast.mode.ts): an ingest run while the cluster answers 503
 * SlowDown to one request in ten loses no acknowledged segment and answers no 500; with the
 * cluster down /ready names it and writes get 503, and the server recovers when it is back;
 * QueryData failure frames are resumed, and answered 503 when they persist.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { FakeVast } from '../../tools/vast-fake/fake.server.ts';
import type { TestResponse, TestServer } from '../helpers/server.ts';
import { startServer } from '../helpers/server.ts';
import { sharedFakeVast } from '../helpers/vast.mode.ts';
import { createFlow, videoFlow } from '../http/fixtures.ts';
import { allSegments, newFlow, objectIds, type Segment, secs } from '../segments/helpers.ts';
import { randomSource } from './fake/fake.random.testkit.ts';

let server: TestServer;
let vast: FakeVast;
beforeAll(async () => {
  server = await startServer();
  vast = await sharedFakeVast();
});
afterEach(async () => {
  vast.faults.clear();
  await vast.up();
  // An endpoint that refused a connection is skipped for TAMS_VAST_ENDPOINT_COOLDOWN_MS.
  await expect.poll(async () => (await server.get('/ready')).status).toBe(200);
});
afterAll(async () => {
  await server?.close();
});

/** Every answer that is not a success: the TAMS error body; a 503 also Retry-After. */
function expectTamsRefusal(res: TestResponse): void {
  expect(res.status, res.text).not.toBe(500);
  expect(res.status, res.text).toBeGreaterThanOrEqual(400);
  expect(Object.keys(res.body as object).sort()).toEqual(['message', 'summary', 'time', 'type']);
  if (res.status === 503) expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
}

/**
 * Tries after the first. A try fails when any of its non-idempotent calls meets the fault (the
 * server answers 503 rather than send such a call again), so with one call in ten refused a try
 * fails about half the time; 20 more make losing a POST a one-in-a-million event.
 */
const RETRIES = 20;

/** A client that retries 503s, as an ingest client would; every answer is kept. */
async function withRetries(
  answers: TestResponse[],
  send: () => Promise<TestResponse>,
  ok: number,
): Promise<TestResponse> {
  for (let attempt = 0; ; attempt++) {
    const res = await send();
    answers.push(res);
    if (res.status === ok || res.status !== 503 || attempt >= RETRIES) return res;
  }
}

describe('503 SlowDown on one request in ten', () => {
  it('an ingest run loses no acknowledged segment and answers no 500', async () => {
    const FLOWS = 4;
    const SINGLES = 12;
    const BULKS = 3;
    const BULK = 4;
    const flows = await Promise.all(Array.from({ length: FLOWS }, () => newFlow(server)));
    const objects = new Map<string, string[]>();
    for (const flowId of flows) objects.set(flowId, await objectIds(server, flowId, SINGLES + BULKS * BULK));

    // One in ten at random (seeded), not every tenth: a POST retried alone at the end makes the
    // same calls each time, and when their count lined up with a fixed period every attempt met
    // the fault at the same call, one the server answers 503 rather than retrying it.
    const random = randomSource(25);
    vast.faults.slowDown({ match: () => random.chance(0.1) });
    const fired = vast.stats.faultsFired;
    const answers: TestResponse[] = [];
    const acknowledged = new Map<string, Segment[]>(flows.map((f) => [f, []]));
    const posts: Promise<void>[] = [];
    for (const flowId of flows) {
      const ids = objects.get(flowId) as string[];
      const segment = (k: number): Segment => ({ object_id: ids[k] as string, timerange: secs(k, k + 1) });
      const post = async (body: Segment | Segment[]) => {
        const res = await withRetries(answers, () => server.post(`/flows/${flowId}/segments`, body), 201);
        if (res.status === 201) acknowledged.get(flowId)?.push(...(Array.isArray(body) ? body : [body]));
      };
      for (let k = 0; k < SINGLES; k++) posts.push(post(segment(k)));
      for (let b = 0; b < BULKS; b++) {
        const first = SINGLES + b * BULK;
        posts.push(post(Array.from({ length: BULK }, (_, i) => segment(first + i))));
      }
    }
    await Promise.all(posts);
    const faults = vast.stats.faultsFired - fired;
    vast.faults.clear();

    // The cluster did refuse requests, and no client saw a 500 or a body that is not TAMS's.
    expect(faults).toBeGreaterThan(0);
    for (const res of answers) if (res.status !== 201) expectTamsRefusal(res);
    // Every acknowledged segment is stored exactly once; nothing that was not acknowledged is.
    for (const flowId of flows) {
      const stored = await allSegments(server, flowId);
      const ids = stored.map((s) => s.object_id);
      expect(new Set(ids).size).toBe(ids.length);
      const acked = (acknowledged.get(flowId) ?? []).map((s) => s.object_id);
      expect(ids.sort()).toEqual(acked.sort());
    }
    // With client retries nothing is lost at all (each 503 was a refusal, not a half-done write).
    const total = [...acknowledged.values()].reduce((n, list) => n + list.length, 0);
    expect(total).toBe(FLOWS * (SINGLES + BULKS * BULK));
    console.info(
      `ingest under SlowDown: ${answers.length} answers, ${answers.filter((r) => r.status === 503).length} of them 503, ${faults} faults fired`,
    );
  });
});

describe('VAST DataBase down', () => {
  it('/ready names it, writes get 503 with the TAMS body, and the server recovers without a restart', async () => {
    const flowId = await newFlow(server);
    expect((await server.get('/ready')).status).toBe(200);
    await vast.down();

    const ready = await server.get<{ summary: string }>('/ready');
    expect(ready.status).toBe(503);
    expect(ready.body.summary).toContain('database "VAST DataBase"');
    const write = await server.put(`/flows/${flowId}/label`, JSON.stringify('renamed'));
    expect(write.status).toBe(503);
    expectTamsRefusal(write);
    expect((write.body as { summary: string }).summary).toContain('VAST DataBase');
    const fresh = videoFlow();
    const create = await server.put(`/flows/${fresh.id}`, fresh);
    expect(create.status).toBe(503);
    expectTamsRefusal(create);

    await vast.up();
    await expect.poll(async () => (await server.get('/ready')).status).toBe(200);
    expect((await server.put(`/flows/${flowId}/label`, JSON.stringify('renamed'))).status).toBe(204);
    const again = videoFlow();
    await createFlow(server, again);
    expect((await server.get<{ label: string }>(`/flows/${flowId}`)).body.label).toBe('renamed');
  });
});

describe('QueryData failure frames', () => {
  it('are resumed from the cursors; a failure that persists is answered 503, not 500', async () => {
    const flowId = await newFlow(server);
    // A failure after the rows leaves nothing to resume (every cursor done): the read succeeds.
    vast.faults.queryFailure({ every: 1, times: 2 });
    expect((await server.get(`/flows/${flowId}`)).status).toBe(200);
    // Failures before any row: the query is sent again from the same cursors.
    vast.faults.queryFailureAt = 'start';
    vast.faults.queryFailure({ every: 1, times: 1 });
    const once = await server.get(`/flows/${flowId}`);
    expect(once.status).toBe(200);
    expect(vast.stats.faultsFired).toBeGreaterThan(0);

    vast.faults.queryFailure({});
    vast.faults.queryFailureAt = 'start';
    const always = await server.get(`/flows/${flowId}`);
    expect(always.status).toBe(503);
    expectTamsRefusal(always);
    vast.faults.clear();
    expect((await server.get(`/flows/${flowId}`)).status).toBe(200);
  });
});
