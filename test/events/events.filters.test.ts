/**
 * Webhook filters with the semantics of ADR 0026 (DIGEST §10.1), and the get_urls
 * transformations applied to the segments of flows/segments_added, each on its own receiver
 * watching the same sequence of API calls, some made through TAMS 8.2. Each filter is registered
 * through 7.0 and again through 8.2: both pass the same events (8.2's reading of an empty
 * `*_collected_by_ids`: webhooks.v8.delivery.test.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mountClient } from '../helpers/mounts.ts';
import { type ReceivedEvent, type Receiver, startReceiver } from '../helpers/receiver.ts';
import type { HttpClient, TestServer } from '../helpers/server.ts';
import { spec82 } from '../helpers/spec82-schemas.ts';
import { createFlow, type Doc, multiFlow, videoFlow } from '../http/fixtures.ts';
import { allocate, type GetUrl, type Segment, secs, unsigned, upload } from '../segments/helpers.ts';
import {
  ALL_EVENTS,
  assertEventValid,
  eventServer,
  everyWebhookCaughtUp,
  type Registration,
  subscribe,
} from './events.fixture.ts';

/** `type:id` of the resource an event is about, with names instead of ids. */
function describeEvent(event: ReceivedEvent, names: Map<string, string>): string {
  const e = event.event as Doc;
  const id = (e.flow as Doc | undefined)?.id ?? e.flow_id ?? (e.source as Doc | undefined)?.id ?? e.source_id;
  return `${event.event_type}:${names.get(id as string) ?? id}`;
}

describe('webhook filters and transformations', () => {
  let server: TestServer;
  let v8: HttpClient;
  const receivers: Record<string, Receiver> = {};
  /** The same filters, registered through 8.2. */
  const receivers82: Record<string, Receiver> = {};
  const names = new Map<string, string>();
  const a = videoFlow();
  const b = videoFlow();
  const m = multiFlow({ flow_collection: [{ id: a.id, role: 'video' }] });
  // Events of the calls below, in order, for a receiver without filters.
  const EVERYTHING = [
    'sources/created:S1',
    'flows/created:A',
    'sources/created:S2',
    'flows/created:B',
    'sources/created:S3',
    'flows/created:M',
    'flows/updated:A',
    'sources/updated:S1',
    'flows/segments_added:A',
    'flows/updated:B',
    'sources/updated:S1',
    'flows/segments_added:B',
  ];

  beforeAll(async () => {
    server = await eventServer();
    for (const [name, id] of [
      ['A', a.id],
      ['B', b.id],
      ['M', m.id],
      ['S1', a.source_id],
      ['S2', b.source_id],
      ['S3', m.source_id],
    ] as const) {
      names.set(id as string, name);
    }
    v8 = mountClient(server, '/tams/v8.2');
    const filters: Record<string, Omit<Registration, 'url'>> = {
      all: {},
      flowA: { flow_ids: [a.id] },
      sourceS1: { source_ids: [a.source_id] },
      collectedByM: { flow_collected_by_ids: [m.id] },
      sourceCollectedByS3: { source_collected_by_ids: [m.source_id] },
      flowAUpdatesOnly: { flow_ids: [a.id], events: ['flows/updated'] },
      bothFlowAndSourceS2: { flow_ids: [a.id], source_ids: [b.source_id] },
      noUrls: { events: ['flows/segments_added'], accept_get_urls: [] },
      notPresigned: { events: ['flows/segments_added'], presigned: false },
      verbose: { events: ['flows/segments_added'], verbose_storage: true },
    };
    for (const [name, registration] of Object.entries(filters)) {
      receivers[name] = await subscribe(server, registration);
      const eight = await startReceiver();
      receivers82[name] = eight;
      const res = await v8.post('/service/webhooks', { url: eight.url, events: ALL_EVENTS, ...registration });
      expect(res.status, res.text).toBe(201);
    }

    // A and the changes to B and S1 through 8.2, the rest through 7.0.
    await createFlow(v8, a);
    await createFlow(server, b);
    await createFlow(server, m);
    for (const flow of [a, b]) {
      if (flow === b) {
        expect((await v8.put(`/flows/${b.id}/label`, JSON.stringify('bee'))).status).toBe(204);
        expect((await v8.put(`/sources/${a.source_id}/label`, JSON.stringify('one'))).status).toBe(204);
      }
      const [object] = await allocate(server, flow.id as string);
      if (!object) throw new Error('no object allocated');
      await upload(object);
      const res = await server.post(`/flows/${flow.id}/segments`, {
        object_id: object.object_id,
        timerange: secs(0, 1),
      });
      expect(res.status).toBe(201);
    }
    // Every receiver has had its chance at every event once every webhook's cursor is past them.
    await (receivers.all as Receiver).waitAccepted(EVERYTHING.length);
    await everyWebhookCaughtUp(server);
  });
  afterAll(async () => {
    await server.close();
    for (const receiver of [...Object.values(receivers), ...Object.values(receivers82)])
      await receiver.close();
  });

  const seen = (name: string) => {
    const events = (receivers[name] as Receiver).accepted();
    for (const event of events) assertEventValid(event);
    return events.map((e) => describeEvent(e, names));
  };

  it('without filters: every event, in order', () => {
    expect(seen('all')).toEqual(EVERYTHING);
  });

  it('8.2 webhooks with the same filters: the same events, valid 8.2 bodies, the same get_urls', () => {
    for (const [name, receiver] of Object.entries(receivers82)) {
      const events = receiver.accepted();
      for (const event of events) spec82.assertSpecValid(`webhooks/${event.event_type}`, event);
      expect(
        events.map((e) => describeEvent(e, names)),
        name,
      ).toEqual(seen(name));
      const segments = (r: Receiver) =>
        r
          .accepted()
          .filter((e) => e.event_type === 'flows/segments_added')
          .map((e) => unsigned(e.event.segments as Segment[]));
      expect(segments(receiver), name).toEqual(segments(receivers[name] as Receiver));
    }
  });

  it('flow_ids: only that Flow among Flow and segment events; Source events all pass', () => {
    expect(seen('flowA')).toEqual([
      'sources/created:S1',
      'flows/created:A',
      'sources/created:S2',
      'sources/created:S3',
      'flows/updated:A',
      'sources/updated:S1',
      'flows/segments_added:A',
      'sources/updated:S1',
    ]);
  });

  it("source_ids: Flow and segment events of that Source's Flows, and that Source's events", () => {
    expect(seen('sourceS1')).toEqual([
      'sources/created:S1',
      'flows/created:A',
      'flows/updated:A',
      'sources/updated:S1',
      'flows/segments_added:A',
      'sources/updated:S1',
    ]);
  });

  it('flow_collected_by_ids: Flows collected by M (from when they are); Source events all pass', () => {
    expect(seen('collectedByM')).toEqual([
      'sources/created:S1',
      'sources/created:S2',
      'sources/created:S3',
      'flows/updated:A',
      'sources/updated:S1',
      'flows/segments_added:A',
      'sources/updated:S1',
    ]);
  });

  it('source_collected_by_ids: Sources collected by S3, and the Flows of those Sources', () => {
    expect(seen('sourceCollectedByS3')).toEqual([
      'flows/updated:A',
      'sources/updated:S1',
      'flows/segments_added:A',
      'sources/updated:S1',
    ]);
  });

  it('events and filters together: every set filter must pass', () => {
    expect(seen('flowAUpdatesOnly')).toEqual(['flows/updated:A']);
    // flow_ids A and source_ids S2 together: no Flow event passes both; S2's Source events do.
    expect(seen('bothFlowAndSourceS2')).toEqual(['sources/created:S2']);
  });

  it('accept_get_urls, presigned and verbose_storage shape the segments as the segments endpoint does', async () => {
    const urlsOf = (name: string) =>
      (receivers[name] as Receiver)
        .accepted()
        .filter((e) => e.event_type === 'flows/segments_added')
        .flatMap((e) => (e.event.segments as { get_urls?: GetUrl[] }[]).map((s) => s.get_urls));
    expect(urlsOf('noUrls')).toEqual([[], []]);

    const defaults = urlsOf('all').filter((u) => u !== undefined);
    expect(defaults).toHaveLength(2);
    for (const urls of defaults) {
      expect(urls.length).toBeGreaterThan(0);
      for (const url of urls) expect(url).not.toHaveProperty('store_type');
    }

    const plain = urlsOf('notPresigned');
    expect(plain).toHaveLength(2);
    for (const urls of plain) {
      expect(urls?.length).toBeGreaterThan(0);
      for (const url of urls ?? []) expect(url.presigned).toBe(false);
    }
    // The same filter on the segments endpoint gives the same URLs.
    const endpoint = await server.get<{ get_urls: GetUrl[] }[]>(`/flows/${a.id}/segments`, {
      query: { presigned: false },
    });
    expect(endpoint.body[0]?.get_urls).toEqual(plain[0]);

    const verbose = urlsOf('verbose');
    expect(verbose).toHaveLength(2);
    for (const urls of verbose) {
      expect(urls?.length).toBeGreaterThan(0);
      for (const url of urls ?? []) {
        expect(url).toMatchObject({
          controlled: true,
          provider: expect.any(String),
          store_type: expect.any(String),
        });
      }
    }
  });
});
