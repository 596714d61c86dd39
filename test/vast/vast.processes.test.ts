/**
 * Three tams-server processes (not app instances: `node src/main.ts` each, test/ops/child.ts) on
 * one fake VAST database and one S3 store (`vast` project: this file's fake VAST and s3rver,
 * test/helpers/vast.mode.ts), driven by a client that spreads its requests over them, as a load
 * balancer would.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseTimeRange, type TimeRange } from '../../src/time/index.ts';
import { tempDir } from '../helpers/server.ts';
import { sharedFakeVast, vastModeEnv } from '../helpers/vast.mode.ts';
import { videoFlow } from '../http/fixtures.ts';
import { type ChildServer, spawnServer } from '../ops/child.ts';
import { secs } from '../segments/helpers.ts';

const REPLICAS = 3;
let replicas: ChildServer[] = [];
const data = tempDir('tams-processes-');

beforeAll(async () => {
  const env = await vastModeEnv(data.path, { TAMS_WORKER_IDLE_MS: '50' });
  replicas = await Promise.all(Array.from({ length: REPLICAS }, () => spawnServer(env)));
}, 60_000);
afterAll(async () => {
  for (const r of replicas) {
    r.process.kill();
    await r.exited;
  }
  data.remove();
});

interface Answer {
  status: number;
  body: unknown;
  text: string;
  link: string | null;
}

let turn = 0;
/** The next replica in turn (round robin), or the one given. */
async function send(method: string, path: string, body?: unknown, replica?: number): Promise<Answer> {
  const target = replicas[replica ?? turn++ % REPLICAS] as ChildServer;
  const res = await fetch(`${target.url}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return {
    status: res.status,
    text,
    body: text === '' ? undefined : JSON.parse(text),
    link: res.headers.get('link'),
  };
}

/**
 * A client as an ingest client behaves: a 503 (Retry-After: the database busy, here commits
 * that kept losing to other replicas') is sent again, to the next replica.
 */
async function sendRetrying(
  method: string,
  path: string,
  body?: unknown,
): Promise<Answer & { retries: number }> {
  for (let retries = 0; ; retries++) {
    const answer = await send(method, path, body);
    if (answer.status !== 503 || retries >= 10) return { ...answer, retries };
  }
}

/** Every segment of a Flow as `replica` lists it, following Link rel="next". */
async function segmentsOn(replica: number, flowId: string): Promise<string[]> {
  const out: string[] = [];
  let path: string | undefined = `/flows/${flowId}/segments?limit=100`;
  while (path !== undefined) {
    const page = await send('GET', path, undefined, replica);
    expect(page.status, page.text).toBe(200);
    out.push(...(page.body as { timerange: string }[]).map((s) => s.timerange));
    const next = /<([^>]+)>;\s*rel="next"/.exec(page.link ?? '')?.[1];
    path = next === undefined ? undefined : next.replace(/^https?:\/\/[^/]+/, '');
  }
  return out;
}

describe('three server processes on one VAST database', () => {
  it('accept at most one of each overlapping pair of segments, and every replica reads back every acknowledged write', async () => {
    const FLOWS = 3;
    const PAIRS = 16;
    const flows = Array.from({ length: FLOWS }, () => videoFlow({ tags: { replicas: 'yes' } }));
    for (const flow of flows) {
      const created = await send('PUT', `/flows/${flow.id}`, flow);
      expect(created.status, created.text).toBe(201);
    }
    // Objects for every segment, allocated on the replicas in turn.
    const ids = new Map<string, string[]>();
    for (const flow of flows) {
      const res = await send('POST', `/flows/${flow.id}/storage`, { limit: 2 * PAIRS });
      expect(res.status, res.text).toBe(201);
      ids.set(
        flow.id as string,
        (res.body as { media_objects: { object_id: string }[] }).media_objects.map((o) => o.object_id),
      );
    }

    // Each pair overlaps by half a second; all of them at once, spread over the replicas, with
    // 5 ms per round trip so that the replicas' transactions overlap.
    const vast = await sharedFakeVast();
    const conflicts = vast.stats.conflicts;
    vast.faults.latencyMs = 5;
    const posts = flows.flatMap((flow) => {
      const objects = ids.get(flow.id as string) as string[];
      return Array.from({ length: PAIRS }, (_, k) => {
        const pair = [
          { object_id: objects[2 * k] as string, timerange: secs(4 * k, 4 * k + 2) },
          { object_id: objects[2 * k + 1] as string, timerange: `[${4 * k + 1}:500000000_${4 * k + 3}:0)` },
        ];
        return pair.map(async (segment) => ({
          flowId: flow.id as string,
          k,
          segment,
          answer: await sendRetrying('POST', `/flows/${flow.id}/segments`, segment),
        }));
      });
    });
    const results = await Promise.all(posts.flat()).finally(() => {
      vast.faults.latencyMs = 0;
    });
    const statuses = results.map((r) => r.answer.status);
    expect(
      statuses.filter((s) => s !== 201 && s !== 400),
      results.map((r) => r.answer.text).join('\n'),
    ).toEqual([]);
    const accepted = new Map<string, string[]>(flows.map((f) => [f.id as string, []]));
    for (const flow of flows) {
      for (let k = 0; k < PAIRS; k++) {
        const pair = results.filter((r) => r.flowId === flow.id && r.k === k);
        const won = pair.filter((r) => r.answer.status === 201);
        expect(won.length, JSON.stringify(pair.map((r) => r.answer.text))).toBe(1);
        accepted.get(flow.id as string)?.push((won[0] as (typeof pair)[number]).segment.timerange);
      }
    }

    expect(vast.stats.conflicts - conflicts, 'commits refused by the database').toBeGreaterThan(0);

    // Every replica lists exactly the accepted segments, none overlapping, and the Flows with
    // their tags.
    for (let replica = 0; replica < REPLICAS; replica++) {
      for (const flow of flows) {
        const stored = await segmentsOn(replica, flow.id as string);
        const want = (accepted.get(flow.id as string) as string[]).map((t) => parseTimeRange(t).format());
        expect([...stored].sort()).toEqual([...want].sort());
        const ranges = stored.map((t) => parseTimeRange(t));
        for (let i = 1; i < ranges.length; i++) {
          expect((ranges[i - 1] as TimeRange).overlaps(ranges[i] as TimeRange)).toBe(false);
        }
        const got = await send('GET', `/flows/${flow.id}`, undefined, replica);
        expect(got.status).toBe(200);
        expect((got.body as { tags: Record<string, string> }).tags).toEqual({ replicas: 'yes' });
      }
    }
    const retried = results.reduce((n, r) => n + r.answer.retries, 0);
    console.log(
      `${results.length} POSTs over ${REPLICAS} processes: ${vast.stats.conflicts - conflicts} commits refused, ${retried} answered 503 first and sent again`,
    );
  });
});
