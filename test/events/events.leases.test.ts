/**
 * Webhook delivery under its lease (events.dispatcher.ts): each progress write commits only while
 * the webhook's lease is still the dispatcher's, and renews it. A dispatcher whose lease another
 * replica took stops without writing anything (the other goes on from the cursor last saved); one
 * whose receiver is slow renews its lease before half of it has gone, so no other replica takes
 * the webhook over meanwhile. Dispatchers are built here on a server's store (the class the server
 * runs), each with its own owner (a replica), on a clock the test moves.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { UrlGuard } from '../../src/common/url.guard.ts';
import type { WorkerLog } from '../../src/common/worker.ts';
import { SHARED_TOPOLOGY } from '../../src/db/topology.ts';
import { WebhookDispatcher } from '../../src/events/events.dispatcher.ts';
import { EventRenderer } from '../../src/events/events.render.ts';
import type { WebhookRecord } from '../../src/store/webhooks.repo.ts';
import { type Receiver, startReceiver } from '../helpers/receiver.ts';
import type { TestServer } from '../helpers/server.ts';
import { createFlow, videoFlow } from '../http/fixtures.ts';
import { MovableClock } from '../media/media.gc.replay.ts';
import { waitFor } from '../segments/helpers.ts';
import { eventServer, register, typesOf } from './events.fixture.ts';

const LEASE_MS = 60_000;
const quiet: WorkerLog = { error: () => {}, warn: () => {}, info: () => {} };

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const thing of open.splice(0).reverse()) await thing.close();
});

/** A replica's dispatcher on the server's store. */
function replica(server: TestServer, owner: string, clock: MovableClock): WebhookDispatcher {
  return new WebhookDispatcher({
    store: server.runtime.store,
    clock,
    bodies: { '7.0': new EventRenderer(), '8.2': new EventRenderer() },
    guard: new UrlGuard(['127.0.0.1']),
    log: quiet,
    owner,
    topology: SHARED_TOPOLOGY,
    settings: {
      timeoutMs: 5000,
      maxAttempts: 3,
      backoffMs: 20,
      retentionMs: 300_000,
      relistMs: 0,
      leaseMs: LEASE_MS,
    },
  });
}

/** A receiver holding the answer to its n-th request until `release(n)`. */
async function gatedReceiver(gated: readonly number[]) {
  const gates = new Map(
    gated.map((n) => {
      let release = () => {};
      const answered = new Promise<number>((resolve) => {
        release = () => resolve(200);
      });
      return [n, { answered, release }] as const;
    }),
  );
  let arrivals = 0;
  const receiver: Receiver = await startReceiver(() => {
    arrivals++;
    return gates.get(arrivals)?.answered ?? 200;
  });
  open.push(receiver);
  return {
    receiver,
    arrivals: () => arrivals,
    release: (n: number) => gates.get(n)?.release(),
  };
}

/** A server without workers, a webhook for `url`, and a Flow created (two events). */
async function setUp(url: string): Promise<{ server: TestServer; webhook: () => Promise<WebhookRecord> }> {
  const server = await eventServer({ workers: false });
  open.push(server);
  await register(server, { url });
  await createFlow(server, videoFlow());
  const webhook = async () => {
    const [w] = await server.runtime.store.webhooks.list();
    if (!w) throw new Error('no webhook');
    return w;
  };
  return { server, webhook };
}

describe('webhook delivery under its lease', () => {
  it('stops, writing nothing, once another replica has taken the webhook over', async () => {
    const gate = await gatedReceiver([1]);
    const { server, webhook } = await setUp(gate.receiver.url);
    const before = await webhook();
    const clock = new MovableClock();
    const a = replica(server, 'replica-a', clock);

    await a.step();
    await waitFor('the first event at the receiver', async () => gate.arrivals() === 1);
    expect((await webhook()).lease_owner).toBe('replica-a');
    // Meanwhile replica-b takes the webhook over (as its claim would once replica-a's lease lapsed).
    const until = new Date(clock.now().getTime() + LEASE_MS);
    await server.runtime.store.transaction(async (tx) => {
      const w = (await tx.webhooks.get(before.id)) as WebhookRecord;
      await tx.webhooks.saveDelivery({ ...w, lease_owner: 'replica-b', lease_until: until });
    });
    gate.release(1);
    await a.drain();

    // replica-a's progress write found the lease gone: cursor and lease are replica-b's to move.
    expect(await webhook()).toMatchObject({
      cursor: before.cursor,
      lease_owner: 'replica-b',
      lease_until: until,
    });
    // What it sent since its last write (at most a batch) replica-b sends again: at least once.
    expect(typesOf(gate.receiver.accepted())).toEqual(['sources/created', 'flows/created']);
    await a.step();
    await a.drain();
    expect(gate.receiver.deliveries).toHaveLength(2);
  });

  it('renews the lease while a slow receiver holds the batch, so no other replica takes it over', async () => {
    const gate = await gatedReceiver([1, 2]);
    const { server, webhook } = await setUp(gate.receiver.url);
    const clock = new MovableClock();
    const start = clock.now().getTime();
    const a = replica(server, 'replica-a', clock);

    await a.step();
    await waitFor('the first event at the receiver', async () => gate.arrivals() === 1);
    // The receiver takes 40 s (of the 60 s lease) to answer.
    clock.offsetMs += 40_000;
    gate.release(1);
    await waitFor('the second event at the receiver', async () => gate.arrivals() === 2);
    // Before sending it, replica-a saved its progress and renewed the lease.
    const [first] = await server.runtime.store.events.after(0n, 1);
    const renewed = await webhook();
    expect(renewed.lease_owner).toBe('replica-a');
    expect(renewed.lease_until?.getTime()).toBeGreaterThanOrEqual(start + 40_000 + LEASE_MS);
    expect(renewed.cursor).toBe(first?.seq);

    // Past the first term: replica-b still finds the webhook leased and delivers nothing.
    clock.offsetMs += 30_000;
    const b = replica(server, 'replica-b', clock);
    await b.step();
    await b.drain();
    expect(gate.arrivals()).toBe(2);

    gate.release(2);
    await a.drain();
    const done = await webhook();
    expect(done.lease_owner).toBeUndefined();
    expect(done.cursor).toBe(await server.runtime.store.events.lastSeq());
    expect(typesOf(gate.receiver.accepted())).toEqual(['sources/created', 'flows/created']);
  });
});
