/**
 * Webhook filters with the semantics of ADR 0026 (DIGEST §10.1), and the get_urls
 * transformations applied to the segments of flows/segments_added, each on its own receiver
 * watching the same sequence of API calls.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReceivedEvent, Receiver } from '../helpers/receiver.ts';
import type { TestServer } from '../helpers/server.ts';
import { createFlow, type Doc, multiFlow, videoFlow } from '../http/fixtures.ts';
import { allocate, type GetUrl, secs, upload } from '../segments/helpers.ts';
import { assertEventValid, eventServer, everyWebhookCaughtUp, subscribe } from './events.fixture.ts';

/** `type:id` of the resource an event is about, with names instead of ids. */
function describeEvent(event: ReceivedEvent, names: Map<string, string>): string {
  const e = event.event as Doc;
  const id = (e.flow as Doc | undefined)?.id ?? e.flow_id ?? (e.source as Doc | undefined)?.id ?? e.source_id;
  return `${event.event_type}:${names.get(id as string) ?? id}`;
}

describe('webhook filters and transformations', () => {
  let server: TestServer;
  const receivers: Record<string, Receiver> = {};
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
    receivers.all = await subscribe(server);
    receivers.flowA = await subscribe(server, { flow_ids: [a.id] });
    receivers.sourceS1 = await subscribe(server, { source_ids: [a.source_id] });
    receivers.collectedByM = await subscribe(server, { flow_collected_by_ids: [m.id] });
    receivers.sourceCollectedByS3 = await subscribe(server, { source_collected_by_ids: [m.source_id] });
    receivers.flowAUpdatesOnly = await subscribe(server, { flow_ids: [a.id], events: ['flows/updated'] });
    receivers.bothFlowAndSourceS2 = await subscribe(server, { flow_ids: [a.id], source_ids: [b.source_id] });
    receivers.noUrls = await subscribe(server, { events: ['flows/segments_added'], accept_get_urls: [] });
    receivers.notPresigned = await subscribe(server, { events: ['flows/segments_added'], presigned: false });
    receivers.verbose = await subscribe(server, { events: ['flows/segments_added'], verbose_storage: true });

    await createFlow(server, a);
    await createFlow(server, b);
    await createFlow(server, m);
    for (const flow of [a, b]) {
      if (flow === b) {
        expect((await server.put(`/flows/${b.id}/label`, JSON.stringify('bee'))).status).toBe(204);
        expect((await server.put(`/sources/${a.source_id}/label`, JSON.stringify('one'))).status).toBe(204);
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
    await receivers.all.waitAccepted(EVERYTHING.length);
    await everyWebhookCaughtUp(server);
  });
  afterAll(async () => {
    await server.close();
    for (const receiver of Object.values(receivers)) await receiver.close();
  });

  const seen = (name: string) => {
    const events = (receivers[name] as Receiver).accepted();
    for (const event of events) assertEventValid(event);
    return events.map((e) => describeEvent(e, names));
  };

  it('without filters: every event, in order', () => {
    expect(seen('all')).toEqual(EVERYTHING);
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
