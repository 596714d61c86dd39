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
import { SLOW_TEST_MS } from '../helpers/deadlines.ts';
import { startReceiver } from '../helpers/receiver.ts';
import { expectReadBack, flowWithSegments, postOverlappingPairs, Replicas } from '../helpers/replicas.ts';
import { tempDir } from '../helpers/server.ts';
import { sharedFakeVast, vastModeEnv } from '../helpers/vast.mode.ts';
import { videoFlow } from '../http/fixtures.ts';
import type { ChildServer } from '../ops/child.ts';
import { testEngine } from '../support/db/engines/vast/vast.testkit.ts';

const REPLICAS = 3;
let replicas: Replicas;
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
  replicas = await Replicas.start(REPLICAS, env);
  db = await TableManager.open(
    testEngine(await sharedFakeVast(), env.TAMS_VAST_SCHEMA as string),
    storeTables,
  );
}, SLOW_TEST_MS);
afterAll(async () => {
  await replicas?.close();
  await db?.close();
  data.remove();
});

describe('three server processes on one VAST database', () => {
  it('accept at most one of each overlapping pair of segments, and every replica reads back every acknowledged write', async () => {
    // 5 ms per round trip, so that the replicas' transactions overlap.
    const vast = await sharedFakeVast();
    const conflicts = vast.stats.conflicts;
    vast.faults.latencyMs = 5;
    const { results, accepted } = await postOverlappingPairs(replicas, { flows: 3, pairs: 16 }).finally(
      () => {
        vast.faults.latencyMs = 0;
      },
    );
    expect(vast.stats.conflicts - conflicts, 'commits refused by the database').toBeGreaterThan(0);
    await expectReadBack(replicas, accepted);
    const retried = results.reduce((n, r) => n + r.answer.retries, 0);
    console.log(
      `${results.length} POSTs over ${REPLICAS} processes: ${vast.stats.conflicts - conflicts} commits refused, ${retried} answered 503 first and sent again`,
    );
  });

  it(
    'finish an asynchronous Flow deletion on another replica when the one doing it is killed',
    async () => {
      const SEGMENTS = 80;
      const flowId = await flowWithSegments(replicas, SEGMENTS);

      // 20 ms per round trip: 20 chunks of 4 take seconds, time enough to kill the worker mid-way.
      const vast = await sharedFakeVast();
      vast.faults.latencyMs = 20;
      try {
        const deleted = await replicas.send('DELETE', `/flows/${flowId}`);
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
        const victim = replicas.byPid(pid);
        expect(victim, `lease owner ${owner}`).toBeDefined();
        const remaining = await left();
        expect(remaining).toBeGreaterThan(0);
        await replicas.kill(victim as ChildServer);

        // Another replica takes the request over once the lease has lapsed, and finishes it.
        await expect
          .poll(
            async () => {
              const status = await replicas.send('GET', `/flow-delete-requests/${id}`, undefined, 0);
              return (status.body as { status?: string }).status;
            },
            { interval: 100 },
          )
          .toBe('done');
        expect(await left()).toBe(0);
        const [row] = await db.select(T.deletions, { where: where(col('id').eq(id)) });
        expect(row?.lease_owner ?? null, 'finished by another replica').not.toBe(owner);
        for (let replica = 0; replica < replicas.count; replica++) {
          expect((await replicas.send('GET', `/flows/${flowId}`, undefined, replica)).status).toBe(404);
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
        const registered = await replicas.send(
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
            const created = await replicas.send('PUT', `/flows/${flow.id}`, flow, k % replicas.count);
            expect(created.status, created.text).toBe(201);
            const labelled = await replicas.send(
              'PUT',
              `/flows/${flow.id}/label`,
              `label ${k}`,
              (k + 1) % replicas.count,
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
          `${wanted.length} events of writes on ${replicas.count} replicas: ${received.length} deliveries, ${received.length - new Set(received).size} duplicates`,
        );
      } finally {
        await receiver.close();
      }
    },
    SLOW_TEST_MS,
  );
});
