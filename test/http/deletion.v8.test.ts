/**
 * TAMS 8.2's `/flow-delete-requests` at /tams/v8.2 (ADR 0052): paged, sorted by `created`
 * (default) or `expiry`, most recent first, requests without an expiry (still running) after the
 * others by id, everything reversed with `reverse_order`; page keys that carry the sort value and
 * id (equal `created` and `expiry` values page exactly), refused by another order; every answer
 * valid against 8.2's `deletion-request.json`. 7.0's listing of the same requests is as it was:
 * oldest first, unpaged.
 *
 * The server's clock is the test's: requests are made (DELETE of a Flow with segments, every one
 * a deletion request at TAMS_DELETE_SYNC_LIMIT 0) and finished (a DeletionWorker on the
 * server's store, the class the server runs) at chosen times, so `created` and `expiry` tie.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clock } from '../../src/common/clock.ts';
import { SHARED_TOPOLOGY } from '../../src/db/topology.ts';
import { DeletionWorker } from '../../src/deletion/deletion.worker.ts';
import { mountClient } from '../helpers/mounts.ts';
import { type HttpClient, startServer, type TestResponse, type TestServer } from '../helpers/server.ts';
import { assertSpecValid } from '../helpers/spec-schemas.ts';
import { spec82 } from '../helpers/spec82-schemas.ts';
import { fillFlow, newFlow } from '../segments/helpers.ts';
import { expectError, getAndHead, nextLink } from './fixtures.ts';

interface Request {
  id: string;
  created: string;
  expiry?: string;
  status: string;
}

const T0 = Math.floor(Date.now() / 1000) * 1000;
let now = T0;
const clock: Clock = { now: () => new Date(now) };
const at = (seconds: number) => {
  now = T0 + seconds * 1000;
};

let server: TestServer;
let v8: HttpClient;
/** The requests by the name the test gave them, r0 … r5. */
const made = new Map<string, string>();

beforeAll(async () => {
  server = await startServer({
    env: { TAMS_DELETE_SYNC_LIMIT: '0', TAMS_DELETE_RETENTION_SECONDS: '600' },
    workers: false,
    clock,
  });
  v8 = mountClient(server, '/tams/v8.2');
  // created: r0 0 s, r1 and r2 10 s (a tie), r3 20 s, r4 30 s, r5 40 s.
  for (const [name, seconds] of [
    ['r0', 0],
    ['r1', 10],
    ['r2', 10],
    ['r3', 20],
    ['r4', 30],
    ['r5', 40],
  ] as const) {
    at(seconds);
    const flowId = await newFlow(server);
    await fillFlow(server, flowId, 1);
    const res = await server.delete<Request>(`/flows/${flowId}`);
    expect(res.status, res.text).toBe(202);
    made.set(name, res.body.id);
  }
  // Done, oldest first: r0 at 100 s (expiry 700 s), r1 and r2 at 200 s (expiry 800 s, a tie);
  // r3, r4 and r5 still to do (no expiry).
  const worker = new DeletionWorker({
    store: server.runtime.store,
    clock,
    owner: 'test-worker',
    chunkSize: 100,
    leaseMs: 60_000,
    retentionMs: 600_000,
    topology: SHARED_TOPOLOGY,
  });
  for (const seconds of [100, 200, 200]) {
    at(seconds);
    expect(await worker.step()).toBe(true);
  }
  at(300);
});
afterAll(async () => {
  await server?.close();
});

/** The ids of `names`, ties (same created or expiry) in id order as ADR 0052 orders them. */
function ids(...groups: string[][]): string[] {
  return groups.flatMap((names) => names.map((n) => made.get(n) as string).sort());
}

/** Every page of an 8.2 listing from `query`, following Link; each checked against the 8.2 spec. */
async function pages(query: Record<string, string | number | boolean>): Promise<TestResponse<Request[]>[]> {
  const out: TestResponse<Request[]>[] = [];
  let res = await getAndHead<Request[]>(v8, '/flow-delete-requests', { query });
  for (;;) {
    expect(res.status, res.text).toBe(200);
    for (const item of res.body) spec82.assertSpecValid('deletion-request.json', item);
    expect(res.headers.get('x-paging-count')).toBe(String(res.body.length));
    expect(res.headers.get('x-paging-reverse-order')).toBe(String(query.reverse_order ?? false));
    out.push(res);
    const next = nextLink(res);
    if (next === undefined) return out;
    expect(new URL(next).pathname).toBe('/tams/v8.2/flow-delete-requests');
    expect(res.headers.get('x-paging-nextkey')).toBe(new URL(next).searchParams.get('page'));
    if (out.length > 20) throw new Error('paging does not terminate');
    res = await getAndHead<Request[]>(v8, next);
  }
}

const listed = async (query: Record<string, string | number | boolean>) =>
  (await pages(query)).flatMap((p) => p.body.map((r) => r.id));

describe('GET /tams/v8.2/flow-delete-requests', () => {
  it('lists newest created first by default, ties by id', async () => {
    const byCreated = ids(['r5'], ['r4'], ['r3'], ['r1', 'r2'], ['r0']);
    expect(await listed({})).toEqual(byCreated);
    expect(await listed({ sort_by: 'created' })).toEqual(byCreated);
    expect(await listed({ reverse_order: true })).toEqual([...byCreated].reverse());
  });

  it('sorts by expiry, newest first, requests without one after the rest by id', async () => {
    const byExpiry = ids(['r1', 'r2'], ['r0'], ['r3', 'r4', 'r5']);
    expect(await listed({ sort_by: 'expiry' })).toEqual(byExpiry);
    expect(await listed({ sort_by: 'expiry', reverse_order: true })).toEqual([...byExpiry].reverse());
  });

  it('pages through ties and unset values exactly, one or two at a time', async () => {
    for (const sort_by of ['created', 'expiry']) {
      for (const reverse_order of [false, true]) {
        const whole = await listed({ sort_by, reverse_order });
        for (const limit of [1, 2]) {
          const paged = await pages({ sort_by, reverse_order, limit });
          expect(paged.map((p) => p.body.length)).toEqual(
            Array.from({ length: Math.ceil(6 / limit) }, () => limit),
          );
          expect(paged.flatMap((p) => p.body.map((r) => r.id))).toEqual(whole);
          expect(paged.at(-1)?.headers.get('x-paging-nextkey')).toBeNull();
          for (const page of paged) expect(page.headers.get('x-paging-limit')).toBe(String(limit));
        }
      }
    }
  });

  it('refuses a page key of another order, and one it did not make', async () => {
    const first = await v8.get<Request[]>('/flow-delete-requests', { query: { limit: 2 } });
    const key = first.headers.get('x-paging-nextkey') as string;
    expect((await v8.get('/flow-delete-requests', { query: { limit: 2, page: key } })).status).toBe(200);
    expectError(await v8.get('/flow-delete-requests', { query: { page: key, sort_by: 'expiry' } }), 400);
    expectError(await v8.get('/flow-delete-requests', { query: { page: key, reverse_order: true } }), 400);
    // 7.0's listings page by id; their keys are no key here.
    expectError(await v8.get('/flow-delete-requests', { query: { page: 'abc' } }), 400);
    // A key of the right listing whose value is no date-time: refused, not looked up.
    const forged = Buffer.from(
      JSON.stringify({ k: '8.2 flow-delete-requests created forward', v: ['s', 'x'], i: made.get('r0') }),
    ).toString('base64url');
    expectError(await v8.get('/flow-delete-requests', { query: { page: forged } }), 400);
    expectError(await v8.get('/flow-delete-requests', { query: { sort_by: 'updated' } }), 400);
  });

  it('answers one request as 7.0 does, and 404 for an unknown one', async () => {
    const id = made.get('r1') as string;
    const eight = await getAndHead<Request>(v8, `/flow-delete-requests/${id}`);
    expect(eight.status).toBe(200);
    spec82.assertSpecValid('deletion-request.json', eight.body);
    expect(eight.body).toEqual((await server.get(`/flow-delete-requests/${id}`)).body);
    expectError(await v8.get('/flow-delete-requests/7c9e6679-7425-40de-944b-e07fc1f90ae7'), 404);
  });

  it('is in the 8.2 root listing', async () => {
    expect((await v8.get<string[]>('/')).body).toContain('flow-delete-requests');
  });
});

describe("7.0's listing of the same requests", () => {
  it('is as it was: oldest first, unpaged, within 7.0, at / and /tams/v7.0', async () => {
    const oldest = ids(['r0'], ['r1', 'r2'], ['r3'], ['r4'], ['r5']);
    for (const client of [server as HttpClient, mountClient(server, '/tams/v7.0')]) {
      // sort_by and reverse_order are no 7.0 parameters: ignored, as unknown ones are.
      const queries: Record<string, string>[] = [
        {},
        { sort_by: 'expiry', reverse_order: 'true', limit: '1' },
      ];
      for (const query of queries) {
        const res = await getAndHead<Request[]>(client, '/flow-delete-requests', { query });
        expect(res.status).toBe(200);
        assertSpecValid('deletion-requests-list.json', res.body);
        expect(res.body.map((r) => r.id)).toEqual(oldest);
        for (const header of ['link', 'x-paging-limit', 'x-paging-nextkey', 'x-paging-count']) {
          expect(res.headers.get(header)).toBeNull();
        }
      }
    }
  });
});
