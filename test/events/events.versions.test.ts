/**
 * Events across API versions (docs/api-versions.md, "Webhooks and events"): the outbox keeps the
 * store's model of each change, and every webhook receives it as a document of the version it
 * was registered through, made as that version's GET answers it, whichever version wrote it. A
 * 7.0 webhook and an 8.2 webhook watch the same changes, written through 7.0 and through 8.2;
 * every body is checked against its own version's event schemas, and each Flow, Source and
 * segment against the answer of its version's GET. Rows recorded before the outbox kept the
 * model (7.0 documents) still reach both.
 */
import { describe, expect, it } from 'vitest';
import type { JsonValue } from '../../src/db/db.types.ts';
import type { ApiVersion } from '../../src/http/api.version.ts';
import type { ReceivedEvent, Receiver } from '../helpers/receiver.ts';
import type { HttpClient } from '../helpers/server.ts';
import { assertSpecValid } from '../helpers/spec-schemas.ts';
import { spec82 } from '../helpers/spec82-schemas.ts';
import { type Doc, getAndHead, multiFlow, videoFlow } from '../http/fixtures.ts';
import {
  backend,
  getSegments,
  objectIds,
  type Segment as Segment70,
  secs,
  unsigned,
} from '../segments/helpers.ts';
import {
  ALL_EVENTS,
  assertEventValid,
  everyWebhookCaughtUp,
  openStream,
  register,
  sharedEventServer,
} from './events.fixture.ts';

/** A segment of either version (8.2 adds `object_timerange`). */
type Segment = Segment70 & { object_timerange?: string };

const { server, v8, receiver } = sharedEventServer();

/** A 7.0 webhook and an 8.2 one, each for every event with verbose get_urls; 8.2 with object timeranges. */
async function webhooks(): Promise<Record<ApiVersion, Receiver>> {
  const [seven, eight] = [await receiver(), await receiver()];
  await register(server, { url: seven.url, verbose_storage: true });
  const res = await v8.post('/service/webhooks', {
    url: eight.url,
    events: ALL_EVENTS,
    verbose_storage: true,
    include_object_timerange: true,
  });
  expect(res.status, res.text).toBe(201);
  return { '7.0': seven, '8.2': eight };
}

const clientOf = (version: ApiVersion): HttpClient => (version === '7.0' ? server : v8);

/** What each version's GET answers at `path`, valid against that version's `schema` (7.0's name). */
async function read(version: ApiVersion, path: string, schema: string, query: Doc = {}): Promise<unknown> {
  const res = await getAndHead(clientOf(version), path, { query: query as Record<string, string | boolean> });
  expect(res.status, res.text).toBe(200);
  if (version === '7.0') assertSpecValid(schema, res.body);
  else spec82.assertSpecValid(schema.replace('flow.json', 'flow-get.json'), res.body);
  return res.body;
}

/** Every body valid against its version's event schemas; the events, in order. */
function received(version: ApiVersion, r: Receiver): ReceivedEvent[] {
  const events = r.accepted();
  for (const e of events) {
    if (version === '7.0') assertEventValid(e);
    else spec82.assertSpecValid(`webhooks/${e.event_type}`, e);
  }
  return events;
}

/** The last Flow (or Source) document each was sent in, by id. */
function lastDocuments(events: readonly ReceivedEvent[], kind: 'flow' | 'source'): Map<string, Doc> {
  const docs = new Map<string, Doc>();
  for (const e of events) {
    const doc = e.event[kind] as Doc | undefined;
    if (doc !== undefined) docs.set(doc.id as string, doc);
  }
  return docs;
}

const withoutSegmentsUpdated = (flow: Doc | undefined): Doc | undefined => {
  if (flow === undefined) return undefined;
  const { segments_updated: _s, ...rest } = flow;
  return rest;
};

/** The segments of a Flow's flows/segments_added events, in order. */
const addedTo = (events: readonly ReceivedEvent[], flowId: string): Segment[] =>
  events
    .filter((e) => e.event_type === 'flows/segments_added' && e.event.flow_id === flowId)
    .flatMap((e) => e.event.segments as Segment[]);

/**
 * What each version writes, of data the other cannot say or says otherwise: through 7.0 a video
 * Flow without `frame_rate` (8.2: `vfr`), 7.0 extras named like 8.2's fields, a multi Flow's
 * free-form parameters; through 8.2 list-valued tags, a `status`, `vfr`, a collection item
 * without a role.
 */
const WRITES: Record<
  ApiVersion,
  { video: Doc; collector: (member: string) => Doc; sourceTag: [string, JsonValue] }
> = {
  '7.0': {
    video: videoFlow({
      essence_parameters: { frame_width: 1920, frame_height: 1080 },
      tags: { owner: 'me' },
      status: 'live',
      profile_id: 'house style',
      x_colour: 'blue',
    }),
    collector: (member) =>
      multiFlow({
        essence_parameters: { layout: 'side by side' },
        flow_collection: [{ id: member, role: 'picture' }],
      }),
    sourceTag: ['kind', 'camera'],
  },
  '8.2': {
    video: videoFlow({
      essence_parameters: { frame_width: 1920, frame_height: 1080, vfr: true },
      tags: { owner: 'me', langs: ['en', 'fr'], none: [] },
      status: 'ingesting',
    }),
    collector: (member) => multiFlow({ flow_collection: [{ id: member }] }),
    sourceTag: ['langs', ['en']],
  },
};

describe.each(['7.0', '8.2'] as const)('changes written through %s', (writer) => {
  it("reach each webhook as its version's GET answers them, valid against its version's schemas", async () => {
    const hooks = await webhooks();
    const w = clientOf(writer);
    const { video, collector, sourceTag } = WRITES[writer];
    const id = video.id as string;
    const sourceId = video.source_id as string;
    const edit = videoFlow({
      essence_parameters: { frame_width: 1920, frame_height: 1080, frame_rate: { numerator: 25 } },
    });
    for (const flow of [video, edit]) expect((await w.put(`/flows/${flow.id}`, flow)).status).toBe(201);
    const multi = collector(id);
    expect((await w.put(`/flows/${multi.id}`, multi)).status).toBe(201);
    expect((await w.put(`/flows/${id}/label`, JSON.stringify('camera 1'))).status).toBe(204);
    expect(
      (await w.put(`/sources/${sourceId}/tags/${sourceTag[0]}`, JSON.stringify(sourceTag[1]))).status,
    ).toBe(204);

    // Segments (objects allocated through 7.0: 8.2 has no storage route yet), and an edit that
    // uses part of an object, whose object_timerange is then not its own range.
    const [a, b] = (await objectIds(server, id, 2)) as [string, string];
    const ingest = [
      { object_id: a, timerange: secs(0, 10), key_frame_count: 1 },
      {
        object_id: b,
        timerange: secs(10, 20),
        get_urls: [{ url: `https://cdn.example.com/${b}`, label: 'cdn' }],
      },
    ];
    expect((await w.post(`/flows/${id}/segments`, ingest)).status).toBe(201);
    const cut = { object_id: b, timerange: secs(0, 4), ts_offset: '-12:0' };
    expect((await w.post(`/flows/${edit.id}/segments`, cut)).status).toBe(201);
    const verbose = { verbose_storage: true };
    const gets: Record<ApiVersion, Record<string, Segment[]>> = { '7.0': {}, '8.2': {} };
    for (const flowId of [id, edit.id as string]) {
      gets['7.0'][flowId] = (await getSegments(server, flowId, verbose)).body;
      const eight = (await read('8.2', `/flows/${flowId}/segments`, 'flow-segment.json[]', {
        ...verbose,
        include_object_timerange: true,
      })) as Segment[];
      gets['8.2'][flowId] = eight;
    }
    expect(gets['8.2'][edit.id as string]?.[0]?.object_timerange).toBe(secs(10, 20));
    expect((await w.delete(`/flows/${id}/segments`, { query: { timerange: secs(0, 10) } })).status).toBe(204);
    expect((await w.delete(`/flows/${multi.id}`)).status).toBe(204);
    if (writer === '8.2') {
      // A change 7.0 cannot see (status) is a flows/updated for 7.0 webhooks too.
      const closed = { ...video, label: 'camera 1', status: 'closed_complete' };
      expect((await v8.put(`/flows/${id}`, closed)).status).toBe(204);
    }
    await everyWebhookCaughtUp(server);

    const events = { '7.0': received('7.0', hooks['7.0']), '8.2': received('8.2', hooks['8.2']) };
    // The same changes, in the same order, whatever the version.
    expect(events['8.2'].map((e) => e.event_type)).toEqual(events['7.0'].map((e) => e.event_type));
    expect(new Set(events['7.0'].map((e) => e.event_type))).toEqual(new Set(ALL_EVENTS));

    for (const version of ['7.0', '8.2'] as const) {
      const flows = lastDocuments(events[version], 'flow');
      for (const flowId of [id, edit.id as string]) {
        // Segments written after a Flow's last event move its segments_updated (no event).
        const now = (await read(version, `/flows/${flowId}`, 'flow.json')) as Doc;
        expect(withoutSegmentsUpdated(flows.get(flowId)), `${version} ${flowId}`).toEqual(
          withoutSegmentsUpdated(now),
        );
      }
      const sources = lastDocuments(events[version], 'source');
      expect(sources.get(sourceId)).toEqual(await read(version, `/sources/${sourceId}`, 'source.json'));
      for (const flowId of [id, edit.id as string]) {
        expect(unsigned(addedTo(events[version], flowId)), `${version} ${flowId}`).toEqual(
          unsigned(gets[version][flowId] ?? []),
        );
      }
      for (const type of ['flows/deleted', 'flows/segments_deleted', 'sources/deleted']) {
        expect(events[version].filter((e) => e.event_type === type).map((e) => e.event)).toEqual(
          events['7.0'].filter((e) => e.event_type === type).map((e) => e.event),
        );
      }
    }

    // What the other version cannot say, as each GET says it.
    const [seven, eight] = [lastDocuments(events['7.0'], 'flow'), lastDocuments(events['8.2'], 'flow')];
    const [v7, v82] = [seven.get(id) as Doc, eight.get(id) as Doc];
    expect(v82.essence_parameters).toEqual({ frame_width: 1920, frame_height: 1080, vfr: true });
    expect(v7.essence_parameters).toEqual({ frame_width: 1920, frame_height: 1080 });
    if (writer === '8.2') {
      expect(v7.tags).toEqual({ owner: 'me' });
      expect(v7).not.toHaveProperty('status');
      expect(v82.tags).toEqual({ owner: 'me', langs: ['en', 'fr'], none: [] });
      expect(v82.status).toBe('closed_complete');
      const last = (version: ApiVersion) => events[version].at(-1);
      expect(last('7.0')?.event_type).toBe('flows/updated');
      expect((last('7.0')?.event.flow as Doc | undefined)?.id).toBe(id);
      expect(last('8.2')?.event_type).toBe('flows/updated');
      const created = (version: ApiVersion) =>
        events[version].find((e) => e.event_type === 'flows/created' && (e.event.flow as Doc).id === multi.id)
          ?.event.flow as Doc;
      expect(created('7.0').flow_collection).toEqual([{ id, role: '' }]);
      expect(created('8.2').flow_collection).toEqual([{ id }]);
      expect(lastDocuments(events['7.0'], 'source').get(sourceId)).not.toHaveProperty('tags');
      expect(lastDocuments(events['8.2'], 'source').get(sourceId)?.tags).toEqual({ langs: ['en'] });
    } else {
      expect(v7).toMatchObject({ status: 'live', profile_id: 'house style' });
      expect(v82).not.toHaveProperty('status');
      expect(v82).not.toHaveProperty('profile_id');
      // Other properties of a 7.0 client's own stay, in both.
      expect([v7.x_colour, v82.x_colour]).toEqual(['blue', 'blue']);
    }
    // The edit's segment: the object's timerange for 8.2, as asked; none for 7.0.
    expect(addedTo(events['8.2'], edit.id as string)[0]?.object_timerange).toBe(secs(10, 20));
    expect(addedTo(events['7.0'], edit.id as string)[0]).not.toHaveProperty('object_timerange');
  });
});

describe('event streams (GET /events)', () => {
  it("send 7.0's bodies, or with api_version=8.2 what an 8.2 webhook receives", async () => {
    const seven = await openStream(server);
    const eight = await openStream(server, '?api_version=8.2&include_object_timerange=true');
    try {
      // WRITES' 8.2 Flow again, new (the tests above wrote that one).
      const video = videoFlow({
        essence_parameters: { frame_width: 1920, frame_height: 1080, vfr: true },
        tags: { owner: 'me', langs: ['en', 'fr'], none: [] },
        status: 'ingesting',
      });
      const id = video.id as string;
      expect((await v8.put(`/flows/${id}`, video)).status).toBe(201);
      const [b] = (await objectIds(server, id, 1)) as [string];
      expect((await v8.post(`/flows/${id}/segments`, { object_id: b, timerange: secs(0, 10) })).status).toBe(
        201,
      );
      // sources/created, flows/created, flows/segments_added: in both, in that order.
      const events = {
        '7.0': (await seven.next(3)).map((e) => e.data),
        '8.2': (await eight.next(3)).map((e) => e.data),
      };
      for (const version of ['7.0', '8.2'] as const) {
        expect(events[version].map((e) => e.event_type)).toEqual([
          'sources/created',
          'flows/created',
          'flows/segments_added',
        ]);
        for (const e of events[version]) {
          if (version === '7.0') assertEventValid(e);
          else spec82.assertSpecValid(`webhooks/${e.event_type}`, e);
        }
        const flow = (await read(version, `/flows/${id}`, 'flow.json')) as Doc;
        expect(withoutSegmentsUpdated(events[version][1]?.event.flow as Doc)).toEqual(
          withoutSegmentsUpdated(flow),
        );
      }
      expect((events['7.0'][1]?.event.flow as Doc | undefined)?.tags).toEqual({ owner: 'me' });
      expect((events['8.2'][1]?.event.flow as Doc | undefined)?.tags).toEqual({
        owner: 'me',
        langs: ['en', 'fr'],
        none: [],
      });
      const segment = (version: ApiVersion) =>
        (events[version][2]?.event.segments as Segment[] | undefined)?.[0];
      expect(segment('8.2')?.object_timerange).toBe(secs(0, 10));
      expect(segment('7.0')).not.toHaveProperty('object_timerange');
    } finally {
      seven.close();
      eight.close();
    }
  });

  it('refuses an API version it does not have with 400', async () => {
    const res = await server.get('/events', { query: { api_version: '9.0' } });
    expect(res.status).toBe(400);
  });
});

describe('rows recorded before the outbox kept the model', () => {
  it('reach a 7.0 webhook as they were, and an 8.2 webhook as valid 8.2 documents', async () => {
    const hooks = await webhooks();
    // The rows a server before the upgrade recorded for these: 7.0's documents as its GET answers
    // them, segments with `storage` and without get_urls. They are written to the outbox as that
    // server wrote them; the store's own rows are written through 7.0.
    const flow = videoFlow({ essence_parameters: { frame_width: 1920, frame_height: 1080 }, status: 'live' });
    expect((await server.put(`/flows/${flow.id}`, flow)).status).toBe(201);
    const id = flow.id as string;
    const [a, b] = (await objectIds(server, id, 2)) as [string, string];
    expect(
      (
        await server.post(`/flows/${id}/segments`, [
          { object_id: a, timerange: secs(0, 10), key_frame_count: 1 },
          { object_id: b, timerange: secs(10, 20), ts_offset: '10:0' },
        ])
      ).status,
    ).toBe(201);
    await everyWebhookCaughtUp(server);
    for (const r of Object.values(hooks)) r.deliveries.length = 0;

    const flow7 = (await read('7.0', `/flows/${id}`, 'flow.json')) as Doc;
    const source7 = (await read('7.0', `/sources/${flow.source_id}`, 'source.json')) as Doc;
    const storageId = (await backend(server)).id;
    const segments7 = (await getSegments(server, id)).body.map(({ get_urls: _urls, ...s }) => ({
      ...s,
      storage: { id: storageId },
    }));
    const at = new Date();
    const filters = {
      flow_id: id,
      source_id: flow.source_id as string,
      flow_collected_by: [],
      source_collected_by: [],
    };
    const legacy: [string, JsonValue][] = [
      ['sources/created', { source: source7 as JsonValue }],
      ['flows/created', { flow: flow7 as JsonValue }],
      ['flows/segments_added', { flow_id: id, segments: segments7 as JsonValue }],
      ['flows/segments_deleted', { flow_id: id, timerange: secs(0, 10) }],
      ['flows/deleted', { flow_id: id }],
      ['sources/deleted', { source_id: flow.source_id as string }],
    ];
    await server.runtime.store.transaction(async (tx) => {
      await tx.events.append(
        legacy.map(([event_type, payload]) => ({ event_type, event_timestamp: at, ...filters, payload })),
      );
    });
    await everyWebhookCaughtUp(server);

    const types = legacy.map(([type]) => type);
    const [seven, eight] = [received('7.0', hooks['7.0']), received('8.2', hooks['8.2'])];
    expect(seven.map((e) => e.event_type)).toEqual(types);
    expect(eight.map((e) => e.event_type)).toEqual(types);
    // 7.0: byte for byte what was stored, but for the get_urls made at delivery.
    hooks['7.0'].deliveries.forEach((d, i) => {
      const [event_type, payload] = legacy[i] as [string, JsonValue];
      if (event_type === 'flows/segments_added') return;
      expect(d.raw).toBe(JSON.stringify({ event_timestamp: at.toISOString(), event_type, event: payload }));
    });
    const withUrls = unsigned((await getSegments(server, id, { verbose_storage: true })).body);
    expect(unsigned(addedTo(seven, id))).toEqual(withUrls);
    // 8.2: the 7.0 Flow adapted as 8.2's mapper would have made it; segments without object
    // timeranges (a row of before cannot tell them), though the webhook asked for them.
    const eight82 = eight.find((e) => e.event_type === 'flows/created')?.event.flow as Doc;
    const { status: _status, essence_parameters: _e, ...rest } = flow7;
    expect(eight82).toEqual({
      ...rest,
      essence_parameters: { frame_width: 1920, frame_height: 1080, vfr: true },
    });
    expect(eight.find((e) => e.event_type === 'sources/created')?.event).toEqual({ source: source7 });
    expect(unsigned(addedTo(eight, id))).toEqual(withUrls);
  });
});
