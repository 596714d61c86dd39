/**
 * One bad event never stops a webhook's deliveries (issue 45, item 1): an event whose body
 * cannot be made (a payload the renderer cannot shape, as another version might have stored it)
 * is retried and parked like one its receiver refuses: a row in parked_events with the reason,
 * one warning, `tams_webhook_events_parked` on /metrics; the events after it are delivered, and
 * a restart does not send or park it again.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { UrlGuard } from '../../src/common/url.guard.ts';
import { DbError } from '../../src/db/db.errors.ts';
import type { DbSession, Engine } from '../../src/db/db.types.ts';
import { SHARED_TOPOLOGY } from '../../src/db/topology.ts';
import { WebhookDispatcher } from '../../src/events/events.dispatcher.ts';
import { EventRenderer } from '../../src/events/events.render.ts';
import type { Receiver } from '../helpers/receiver.ts';
import { type TestServer, tempDir } from '../helpers/server.ts';
import { newFlow } from '../segments/helpers.ts';
import { eventServer, subscribe, typesOf } from './events.fixture.ts';

const dir = tempDir('tams-webhook-poison-');
afterAll(() => dir.remove());

const ENV = { TAMS_WEBHOOK_MAX_ATTEMPTS: '2' };

async function metric(server: TestServer, name: string): Promise<number | undefined> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
}

/** Stores a flows/segments_added event whose payload the segments renderer cannot shape. */
async function poison(server: TestServer, flowId: string): Promise<bigint> {
  const flow = (await server.get<{ source_id: string }>(`/flows/${flowId}`)).body;
  const [stored] = await server.runtime.store.transaction((tx) =>
    tx.events.append([
      {
        event_type: 'flows/segments_added',
        event_timestamp: new Date(),
        flow_id: flowId,
        source_id: flow.source_id,
        flow_collected_by: [],
        source_collected_by: [],
        payload: { flow_id: flowId, segments: 'not a list' },
      },
    ]),
  );
  return (stored as { seq: bigint }).seq;
}

describe('a webhook and one event it cannot be sent', () => {
  it('parks the event with its reason, once, delivers the next, and does not go back to it after a restart', async () => {
    const lines: Record<string, unknown>[] = [];
    const log = (l: string) => lines.push(JSON.parse(l));
    const parkedWarnings = () =>
      lines.filter((l) => l.msg === 'webhook event parked after every retry failed').map((l) => l.seq);
    let receiver: Receiver | undefined;
    try {
      const server = await eventServer({ dataDir: dir.path, env: ENV, logLines: log });
      let flowId: string;
      let seq: bigint;
      try {
        receiver = await subscribe(server, { events: ['flows/segments_added', 'flows/updated'] });
        flowId = await newFlow(server);
        seq = await poison(server, flowId);
        const label = await server.put(`/flows/${flowId}/label`, JSON.stringify('after the bad one'));
        expect(label.status, label.text).toBe(204);
        const [delivered] = await receiver.waitAccepted(1, 30_000);
        expect(delivered?.event_type).toBe('flows/updated');
        const parked = await server.runtime.store.webhooks.parked(10);
        expect(parked).toHaveLength(1);
        expect(parked[0]).toMatchObject({ seq, event_type: 'flows/segments_added' });
        expect(parked[0]?.error).toContain('TypeError');
        expect(await metric(server, 'tams_webhook_events_parked')).toBe(1);
        expect(parkedWarnings()).toEqual([String(seq)]);
      } finally {
        await server.close();
      }

      // The same webhook after a restart: on from where it was, the bad event behind it.
      const again = await eventServer({ dataDir: dir.path, env: ENV, logLines: log });
      try {
        const label = await again.put(`/flows/${flowId}/label`, JSON.stringify('after the restart'));
        expect(label.status, label.text).toBe(204);
        await receiver.waitAccepted(2, 30_000);
        expect(typesOf(receiver.accepted())).toEqual(['flows/updated', 'flows/updated']);
        expect(await again.runtime.store.webhooks.parked(10)).toHaveLength(1);
        expect(parkedWarnings()).toEqual([String(seq)]);
      } finally {
        await again.close();
      }
    } finally {
      await receiver?.close();
    }
  });

  it('waits longer after each failed delivery task, with one log line per failure', async () => {
    let refuse = false;
    const server = await eventServer({
      workers: false,
      wrapEngine: refusingUpdates('webhooks', () => refuse),
    });
    const receiver = await subscribe(server);
    try {
      await newFlow(server);
      const logged: string[] = [];
      let now = Date.now();
      const dispatcher = new WebhookDispatcher({
        store: server.runtime.store,
        clock: { now: () => new Date(now) },
        bodies: { '7.0': new EventRenderer(), '8.2': new EventRenderer() },
        guard: new UrlGuard(['127.0.0.1']),
        log: {
          error: (_: object, msg: string) => logged.push(msg),
          warn: (_: object, msg: string) => logged.push(msg),
          info: (_: object, msg: string) => logged.push(msg),
        },
        owner: 'test-replica',
        topology: SHARED_TOPOLOGY,
        settings: { timeoutMs: 2000, maxAttempts: 8, backoffMs: 1000, retentionMs: 3_600_000, relistMs: 0 },
      });
      const pass = async () => {
        await dispatcher.step();
        await dispatcher.drain();
      };
      const failures = () => logged.filter((m) => m === 'webhook delivery failed').length;
      refuse = true;
      // Steps come with every commit: while the webhook waits, none starts its task again.
      for (let i = 0; i < 5; i++) await pass();
      expect(failures()).toBe(1);
      now += 1000;
      await pass();
      expect(failures()).toBe(2);
      now += 1000;
      await pass();
      expect(failures()).toBe(2);
      now += 1000;
      await pass();
      expect(failures()).toBe(3);
      refuse = false;
      now += 10_000;
      await pass();
      expect(typesOf(await receiver.waitAccepted(2))).toEqual(['sources/created', 'flows/created']);
      expect(logged).toContain('webhook delivery works again');
    } finally {
      await receiver.close();
      await server.close();
    }
  });
});

/** An engine whose transactions refuse updates of `table` while `refuse()` says so. */
function refusingUpdates(table: string, refuse: () => boolean): (engine: Engine) => Engine {
  const guard = (tx: DbSession): DbSession =>
    Object.assign(Object.create(tx) as DbSession, {
      update: async (...args: Parameters<DbSession['update']>) => {
        if (args[0] === table && refuse()) throw new DbError('invalid_value', 'refused for the test');
        return tx.update(...args);
      },
    });
  return (inner) =>
    Object.assign(Object.create(inner) as Engine, {
      transaction: <T>(fn: (tx: DbSession) => Promise<T>) => inner.transaction((tx) => fn(guard(tx))),
    });
}
