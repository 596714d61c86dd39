/**
 * Three tams-server processes (not app instances: `node src/main.ts` each, test/ops/child.ts) on
 * one fake VAST database and one S3 store (`vast` project: this file's fake VAST and s3rver,
 * test/helpers/vast.mode.ts), driven by a client that spreads its requests over them, as a load
 * balancer would.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TableManager } from '../../src/db/manager.ts';
import { col, where } from '../../src/db/predicate.ts';
import { storeTables, T } from '../../src/store/tables.ts';
import { parseTimeRange, type TimeRange } from '../../src/time/index.ts';
import { SLOW_TEST_MS } from '../helpers/deadlines.ts';
import { startReceiver } from '../helpers/receiver.ts';
import { tempDir } from '../helpers/server.ts';
import { sharedFakeVast, vastModeEnv } from '../helpers/vast.mode.ts';
import { videoFlow } from '../http/fixtures.ts';
import { type ChildServer, spawnServer } from '../ops/child.ts';
import { secs } from '../segments/helpers.ts';
import { testEngine } from '../support/db/engines/vast/vast.testkit.ts';

const REPLICAS = 3;
let replicas: ChildServer[] = [];
const data = tempDir('tams-processes-');
/** The tables as the replicas see them, read from this process (one more client of the fake). */
let db: TableManager;

beforeAll(async () => {
  const env: Record<string, string> = {
    ...(await vastModeEnv(data.path)),
    TAMS_WORKER_IDLE_MS: '50',
    // Reads right after another replica's write must see it: no shared read snapshot (whose
    // 50 ms lag is docs/replicas.md's bound, held in vast.engine.test).
    TAMS_VAST_READ_SNAPSHOT_MS: '0',
    // Deletions of more than 5 segments go to the workers, 4 segments a chunk; a replica that
    // dies leaves its work to the others after 2 s.
    TAMS_DELETE_SYNC_LIMIT: '5',
    TAMS_DELETE_CHUNK: '4',
    TAMS_WORKER_LEASE_SECONDS: '2',
    // Webhooks may reach this process's receiver.
    TAMS_WEBHOOK_ALLOW: '127.0.0.1',
    TAMS_WEBHOOK_BACKOFF_MS: '20',
  };
  replicas = await Promise.all(Array.from({ length: REPLICAS }, () => spawnServer(env)));
  db = await TableManager.open(
    testEngine(await sharedFakeVast(), env.TAMS_VAST_SCHEMA as string),
    storeTables,
  );
}, SLOW_TEST_MS);
afterAll(async () => {
  for (const r of replicas) {
    r.process.kill();
    await r.exited;
  }
  await db?.close();
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

  it(
    'finish an asynchronous Flow deletion on another replica when the one doing it is killed',
    async () => {
      const SEGMENTS = 80;
      const flow = videoFlow();
      const flowId = flow.id as string;
      expect((await send('PUT', `/flows/${flowId}`, flow)).status).toBe(201);
      const allocated = await send('POST', `/flows/${flowId}/storage`, { limit: SEGMENTS });
      const ids = (allocated.body as { media_objects: { object_id: string }[] }).media_objects.map(
        (o) => o.object_id,
      );
      const bulk = ids.map((object_id, k) => ({ object_id, timerange: secs(k, k + 1) }));
      const posted = await send('POST', `/flows/${flowId}/segments`, bulk);
      expect(posted.status).toBe(201);

      // 20 ms per round trip: 20 chunks of 4 take seconds, time enough to kill the worker mid-way.
      const vast = await sharedFakeVast();
      vast.faults.latencyMs = 20;
      try {
        const deleted = await send('DELETE', `/flows/${flowId}`);
        expect(deleted.status, deleted.text).toBe(202);
        const id = (deleted.body as { id: string }).id;
        const left = () => db.count(T.segments, where(col('flow_id').eq(flowId)));

        // The replica holding the request's lease, once it has deleted some segments.
        let owner = '';
        await expect
          .poll(
            async () => {
              const [row] = await db.select(T.deletions, { where: where(col('id').eq(id)) });
              owner = typeof row?.lease_owner === 'string' ? row.lease_owner : '';
              return owner !== '' && (await left()) < SEGMENTS;
            },
            { interval: 20 },
          )
          .toBe(true);
        const pid = Number(owner.split(':').at(-2));
        const victim = replicas.find((r) => r.process.pid === pid);
        expect(victim, `lease owner ${owner}`).toBeDefined();
        const remaining = await left();
        expect(remaining).toBeGreaterThan(0);
        (victim as ChildServer).process.kill('SIGKILL');
        await (victim as ChildServer).exited;
        replicas = replicas.filter((r) => r !== victim);

        // Another replica takes the request over once the lease has lapsed, and finishes it.
        await expect
          .poll(
            async () => {
              const status = await send('GET', `/flow-delete-requests/${id}`, undefined, 0);
              return (status.body as { status?: string }).status;
            },
            { interval: 100 },
          )
          .toBe('done');
        expect(await left()).toBe(0);
        const [row] = await db.select(T.deletions, { where: where(col('id').eq(id)) });
        expect(row?.lease_owner ?? null, 'finished by another replica').not.toBe(owner);
        for (let replica = 0; replica < replicas.length; replica++) {
          expect((await send('GET', `/flows/${flowId}`, undefined, replica)).status).toBe(404);
        }
      } finally {
        vast.faults.latencyMs = 0;
      }
    },
    SLOW_TEST_MS,
  );

  it(
    'deliver to a webhook registered on one replica every event of writes made on the others',
    async () => {
      const FLOWS = 12;
      const receiver = await startReceiver();
      try {
        const registered = await send(
          'POST',
          '/service/webhooks',
          { url: receiver.url, events: ['flows/created', 'flows/updated'] },
          0,
        );
        expect(registered.status, registered.text).toBe(201);
        // Every Flow created on one replica and changed on another, all at once.
        const flows = Array.from({ length: FLOWS }, () => videoFlow());
        await Promise.all(
          flows.map(async (flow, k) => {
            const created = await send('PUT', `/flows/${flow.id}`, flow, k % replicas.length);
            expect(created.status, created.text).toBe(201);
            const labelled = await send(
              'PUT',
              `/flows/${flow.id}/label`,
              `label ${k}`,
              (k + 1) % replicas.length,
            );
            expect(labelled.status, labelled.text).toBe(204);
          }),
        );
        const keyOf = (e: { event_type: string; event: Record<string, unknown> }) =>
          `${e.event_type} ${String((e.event as { flow?: { id?: unknown } }).flow?.id)}`;
        const wanted = flows.flatMap((f) => [`flows/created ${f.id}`, `flows/updated ${f.id}`]);
        await expect
          .poll(() => wanted.filter((k) => !receiver.accepted().some((e) => keyOf(e) === k)), {
            interval: 100,
          })
          .toEqual([]);
        const received = receiver
          .accepted()
          .map(keyOf)
          .filter((k) => wanted.includes(k));
        console.log(
          `${wanted.length} events of writes on ${replicas.length} replicas: ${received.length} deliveries, ${received.length - new Set(received).size} duplicates`,
        );
      } finally {
        await receiver.close();
      }
    },
    SLOW_TEST_MS,
  );
});
