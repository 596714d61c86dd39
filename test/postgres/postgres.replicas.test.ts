/**
 * Three tams-server processes (`node src/main.ts` each: test/ops/child.ts) on one real
 * PostgreSQL, a throwaway server of this file's (tools/postgres/postgres.server.ts), all in one
 * schema, driven by a client that spreads its requests over them as a load balancer would
 * (test/helpers/replicas.ts). What docs/replicas.md says holds across replicas, checked against
 * a database whose conflict rules we did not write: PostgreSQL's REPEATABLE READ, where the first
 * transaction to change a row wins and the second waits for it, then fails (40001).
 *
 * Media go to one directory all three reach (TAMS_MEDIA_DIR, the fs store; its id and signing key
 * are kept in the shared database, so the three agree on them): no case here moves bytes, and
 * S3 (MinIO) under PostgreSQL is the HTTP suites' part. One process fewer on a 2-core machine.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/db/db.types.ts';
import { PostgresEngine } from '../../src/db/engines/postgres/postgres.engine.ts';
import { TableManager } from '../../src/db/manager.ts';
import { WEBHOOK_EVENT_TYPES } from '../../src/events/events.types.ts';
import { TamsStore } from '../../src/store/store.ts';
import { storeTables, T } from '../../src/store/tables.ts';
import {
  type PostgresServer,
  postgresAvailable,
  startPostgres,
} from '../../tools/postgres/postgres.server.ts';
import { SLOW_TEST_MS } from '../helpers/deadlines.ts';
import { type Receiver, startReceiver } from '../helpers/receiver.ts';
import { expectReadBack, flowWithSegments, postOverlappingPairs, Replicas } from '../helpers/replicas.ts';
import { tempDir } from '../helpers/server.ts';
import { videoFlow } from '../http/fixtures.ts';
import type { ChildServer } from '../ops/child.ts';
import { parseMetrics, value } from '../ops/prom.ts';
import { secs } from '../segments/helpers.ts';
import { difference, outboxKey, outOfOrder, receivedKey, subjectOf } from './pg.outbox.ts';
import { holdRows, query, waitersHolding } from './pg.probe.ts';

const available = postgresAvailable();
const SCHEMA = 'replicas';
const media = tempDir('tams-pg-replicas-media-');

/** The settings of every server process of this file on `url`, schema `schema`. */
function serverEnv(url: string, schema: string): Record<string, string> {
  return {
    TAMS_DB: 'postgres',
    TAMS_POSTGRES_URL: url,
    TAMS_POSTGRES_SCHEMA: schema,
    TAMS_MEDIA_DIR: media.path,
    // A transaction that would wait for another of its own process fails at once instead.
    TAMS_TRANSACTION_GUARD: 'true',
    // The wings beyond the spec add workers and load of their own, and nothing these cases check.
    TAMS_SEARCH: 'false',
    TAMS_EXR: 'false',
    TAMS_ANALYTICS: 'false',
    TAMS_WORKER_IDLE_MS: '20',
    // Deletions of more than 5 segments go to the workers, 4 segments a chunk.
    TAMS_DELETE_SYNC_LIMIT: '5',
    TAMS_DELETE_CHUNK: '4',
    // A replica that dies leaves its deletion to the others after 10 s; long enough that a live
    // one stalled by a loaded machine keeps its webhook leases (a lease lost is a delivery sent
    // twice, which the webhook case counts).
    TAMS_WORKER_LEASE_SECONDS: '10',
    TAMS_WEBHOOK_ALLOW: '127.0.0.1',
    TAMS_WEBHOOK_BACKOFF_MS: '20',
    // Event slots renewed by beats every minute rather than every 7.5 s: while the webhook case
    // holds a slot row, no beat comes to wait for it in place of the transaction it means.
    TAMS_EVENT_SLOT_LEASE_SECONDS: '120',
  };
}

describe.skipIf(!available)('three server processes on one PostgreSQL database', () => {
  let server: PostgresServer;
  let replicas: Replicas;
  let engine: Engine;
  /** The store as the replicas keep it, read from this process (one more client of the database). */
  let store: TamsStore;
  const url = () => server.url;

  beforeAll(async () => {
    server = await startPostgres();
    replicas = await Replicas.start(3, serverEnv(server.url, SCHEMA));
    engine = new PostgresEngine({ url: server.url, schema: SCHEMA, poolSize: 2 });
    store = await TamsStore.open(await TableManager.open(engine, storeTables));
  }, SLOW_TEST_MS);
  afterAll(async () => {
    await replicas?.close();
    await engine?.close();
    await server?.close();
    media.remove();
  });

  it('accept exactly one of each overlapping pair POSTed to two of them at once; each reads back exactly those', async () => {
    const before = await replicaMetric('tams_store_transaction_duration_seconds_count', {
      outcome: 'rollback',
    });
    const { results, accepted } = await postOverlappingPairs(replicas, { flows: 3, pairs: 16 });
    await expectReadBack(replicas, accepted);
    // The database chose: registrations of one Flow on two replicas changed its row, and the
    // second, refused (40001) and rolled back, ran again and found the first one's segment.
    const rolledBack =
      (await replicaMetric('tams_store_transaction_duration_seconds_count', { outcome: 'rollback' })) -
      before;
    expect(rolledBack).toBeGreaterThan(0);
    const retried = results.reduce((n, r) => n + r.answer.retries, 0);
    console.info(
      `${results.length} POSTs over ${replicas.count} processes: ${rolledBack} transactions rolled back, ${retried} answered 503 and sent again`,
    );
  });

  it('create one Flow and one Source when all three are asked to create it at once', async () => {
    const ROUNDS = 8;
    const flows = Array.from({ length: ROUNDS }, () => videoFlow());
    const answers = await Promise.all(
      flows.map((flow) =>
        Promise.all(
          [0, 1, 2].map((replica) =>
            replicas.send('PUT', `/flows/${flow.id}`, { ...flow, label: `from ${replica}` }, replica),
          ),
        ),
      ),
    );
    for (const [k, flow] of flows.entries()) {
      const statuses = (answers[k] ?? []).map((a) => a.status);
      // One creates; the others, run again after losing to it, update what they find.
      expect([...statuses].sort(), (answers[k] ?? []).map((a) => a.text).join('\n')).toEqual([201, 204, 204]);
      const rows = await query<{ flows: number; sources: number }>(
        url(),
        `SELECT (SELECT count(*)::int FROM "${SCHEMA}"."flows" WHERE id = $1) AS flows,
                (SELECT count(*)::int FROM "${SCHEMA}"."sources" WHERE id = $2) AS sources`,
        [flow.id, flow.source_id],
      );
      expect(rows[0]).toEqual({ flows: 1, sources: 1 });
    }
  });

  it('create one Flow Profile (TAMS 8.2) when all three are asked to create it at once', async () => {
    const ROUNDS = 8;
    const ids = Array.from({ length: ROUNDS }, () => crypto.randomUUID());
    const metadata = { ...videoFlow(), id: undefined, source_id: undefined };
    const answers = await Promise.all(
      ids.map((id) =>
        Promise.all(
          [0, 1, 2].map((replica) =>
            replicas.send(
              'POST',
              `/tams/v8.2/service/profiles/${id}`,
              { id, label: `from ${replica}`, flow_metadata: metadata },
              replica,
            ),
          ),
        ),
      ),
    );
    for (const [k, id] of ids.entries()) {
      const statuses = (answers[k] ?? []).map((a) => a.status);
      // One creates; the others, run again after losing to it, find it: Profiles never change.
      expect([...statuses].sort(), (answers[k] ?? []).map((a) => a.text).join('\n')).toEqual([201, 400, 400]);
      const rows = await query<{ profiles: number }>(
        url(),
        `SELECT count(*)::int AS profiles FROM "${SCHEMA}"."profiles" WHERE id = $1`,
        [id],
      );
      expect(rows[0]).toEqual({ profiles: 1 });
    }
  });

  it(
    'deliver to a webhook on one every event of writes on the other two once, in order, a held commit included',
    async () => {
      const receiver = await startReceiver();
      try {
        const registered = await replicas.send(
          'POST',
          '/service/webhooks',
          { url: receiver.url, events: WEBHOOK_EVENT_TYPES },
          0,
        );
        expect(registered.status, registered.text).toBe(201);
        const webhook = async () => (await store.webhooks.list()).find((w) => w.url === receiver.url);
        const from = (await webhook())?.cursor as bigint;
        expect(from).toBeTypeOf('bigint');

        // Every Flow created on one of the other two, labelled on the other, and given segments
        // on both in turn; all Flows at once.
        const FLOWS = 12;
        const SEGMENTS = 3;
        const flows = Array.from({ length: FLOWS }, () => videoFlow());
        await Promise.all(
          flows.map(async (flow, k) => {
            const [p, q] = k % 2 === 0 ? [1, 2] : [2, 1];
            const created = await replicas.send('PUT', `/flows/${flow.id}`, flow, p);
            expect(created.status, created.text).toBe(201);
            const labelled = await replicas.send('PUT', `/flows/${flow.id}/label`, `label ${k}`, q);
            expect(labelled.status, labelled.text).toBe(204);
            const allocated = await replicas.send(
              'POST',
              `/flows/${flow.id}/storage`,
              { limit: SEGMENTS },
              p,
            );
            const objects = (allocated.body as { media_objects: { object_id: string }[] }).media_objects;
            for (const [n, { object_id }] of objects.entries()) {
              const segment = { object_id, timerange: secs(n, n + 1) };
              const posted = await replicas.send(
                'POST',
                `/flows/${flow.id}/segments`,
                segment,
                n % 2 ? p : q,
              );
              expect(posted.status, posted.text).toBe(201);
            }
          }),
        );

        const outbox = async () => (await store.events.after(from, 100_000)).map(outboxKey);
        const got = () => receiver.accepted().map(receivedKey);
        // Every event delivered, and nothing more to come: the webhook's cursor is past the last
        // event and no pass is on (no replica holds its lease).
        const caughtUp = async () => {
          const last = (await store.events.after(from, 100_000)).at(-1)?.seq ?? from;
          const w = await webhook();
          return w !== undefined && w.cursor >= last && w.lease_owner === undefined;
        };
        await expect.poll(caughtUp).toBe(true);
        await commitHeldWhileAnotherCommits(receiver, flows[0]?.id as string);
        await expect.poll(async () => difference(await outbox(), got()).missing).toEqual([]);
        await expect.poll(caughtUp).toBe(true);

        // Each event of the outbox once, and each Flow's in the outbox's order.
        const want = await outbox();
        expect(difference(want, got())).toEqual({ missing: [], extra: [] });
        expect(outOfOrder(want, got())).toEqual([]);
        for (const flow of flows) {
          const types = got()
            .filter((key) => subjectOf(key) === flow.id)
            .map((key) => key.split(' ')[0]);
          expect(types[0]).toBe('flows/created');
          expect(types.filter((t) => t === 'flows/segments_added')).toHaveLength(SEGMENTS);
          expect(types).toContain('flows/updated');
        }
        console.info(`webhook on one of three replicas: ${want.length} events, each delivered once`);
      } finally {
        await receiver.close();
      }
    },
    SLOW_TEST_MS,
  );

  /**
   * Replica 1's transaction (a new Flow), having numbered its events, is held at its write of its
   * event slot (the row locked here) while replica 2 commits an event numbered after them (a new
   * label of `existing`: it claims no guard row, so it cannot wait for the held transaction), and
   * the readers read on: none may pass replica 1's events (the lowest slot's `high` bounds them),
   * which are delivered once replica 1 commits. Begun with the webhook idle: a replica holding
   * its lease while its turn to write waits behind the held transaction could lose the lease,
   * and the receiver then get events twice (at least once), which is not what this checks.
   */
  async function commitHeldWhileAnotherCommits(receiver: Receiver, existing: string): Promise<void> {
    const slots = `"${SCHEMA}"."${T.eventSlots}"`;
    // Every slot lifted to the highest: no replica's beat will want to write its slot meanwhile.
    await expect
      .poll(
        async () =>
          (await query<{ n: number }>(url(), `SELECT count(DISTINCT high)::int AS n FROM ${slots}`))[0]?.n,
      )
      .toBe(1);
    const owners = await query<{ slot: number; owner: string | null }>(
      url(),
      `SELECT slot, owner FROM ${slots}`,
    );
    const slot = owners.find(
      (o) => o.owner !== null && replicas.byOwner(o.owner) === replicas.servers[1],
    )?.slot;
    expect(slot, JSON.stringify(owners)).toBeDefined();
    const late = videoFlow();
    const held = await holdRows(url(), `SELECT 1 FROM ${slots} WHERE slot = $1`, [slot]);
    try {
      const pending = replicas.send('PUT', `/flows/${late.id}`, late, 1);
      // The transaction waiting for the lock is the PUT's (it wrote the Flow), not a beat's.
      await expect.poll(() => waitersHolding(url(), SCHEMA, T.flows)).toBe(1);
      const labelled = await replicas.send('PUT', `/flows/${existing}/label`, 'held', 2);
      expect(labelled.status, labelled.text).toBe(204);
      // The readers read on meanwhile (every replica's dispatcher, each beat), or get the label's
      // event first, which they may only once late's are in.
      const reads = await eventReads();
      const gotEarly = () => receiver.accepted().some((e) => receivedKey(e).endsWith(`${existing}  held`));
      await expect.poll(async () => gotEarly() || (await eventReads()) - reads >= 30).toBe(true);
      await held.release();
      const answer = await pending;
      expect(answer.status, answer.text).toBe(201);
    } finally {
      await held.release();
    }
  }

  /** A sample of every replica's /metrics, summed (a count of the table calls, say). */
  async function replicaMetric(name: string, labels: Record<string, string>): Promise<number> {
    let sum = 0;
    for (const replica of replicas.servers) {
      sum += value(parseMetrics(await (await fetch(`${replica.url}/metrics`)).text()), name, labels) ?? 0;
    }
    return sum;
  }

  /** Reads of the outbox by the replicas so far. */
  const eventReads = () =>
    replicaMetric('tams_store_operation_duration_seconds_count', { operation: 'select', table: T.events });

  it(
    'finish a Flow deletion on another replica when the one holding its lease is killed mid-way',
    async () => {
      const SEGMENTS = 80;
      const flowId = await flowWithSegments(replicas, SEGMENTS);
      const left = () => store.segments.countFlow(flowId);

      // The segment in the middle, locked here: the worker deletes the chunks before it, then
      // waits at the chunk that deletes it, holding the request's lease, until this lock goes.
      const middle = await holdRows(
        url(),
        `SELECT 1 FROM "${SCHEMA}"."${T.segments}" WHERE flow_id = $1 AND seg_start = $2`,
        [flowId, String(BigInt(SEGMENTS / 2) * 1_000_000_000n)],
      );
      let victim: ChildServer | undefined;
      let owner = '';
      try {
        expect(middle.rows).toBe(1);
        const deleted = await replicas.send('DELETE', `/flows/${flowId}`);
        expect(deleted.status, deleted.text).toBe(202);
        const id = (deleted.body as { id: string }).id;
        const request = () => store.deletions.get(id);
        await expect.poll(() => waitersHolding(url(), SCHEMA, T.segments)).toBe(1);
        owner = (await request())?.lease_owner ?? '';
        victim = replicas.byOwner(owner);
        expect(victim, `lease owner ${owner}`).toBeDefined();
        const remaining = await left();
        expect(remaining).toBeGreaterThan(0);
        expect(remaining).toBeLessThan(SEGMENTS);
        await replicas.kill(victim as ChildServer);
        await middle.release();

        // Another replica takes the request over once the lease has lapsed, and finishes it.
        await expect
          .poll(async () => (await replicas.send('GET', `/flow-delete-requests/${id}`, undefined, 0)).body, {
            interval: 100,
          })
          .toMatchObject({ status: 'done' });
        expect(await left()).toBe(0);
        for (let replica = 0; replica < replicas.count; replica++) {
          expect((await replicas.send('GET', `/flows/${flowId}`, undefined, replica)).status).toBe(404);
        }
      } finally {
        await middle.release();
      }
    },
    SLOW_TEST_MS,
  );
});
