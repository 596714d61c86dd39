/**
 * Deliveries per API version (docs/events.md): a webhook receives the event bodies of the
 * version it was created through. A 7.0 webhook's are 7.0's, as before 8.2; an 8.2 webhook's
 * validate against 8.2's event schemas, with 7.0 data shown as 8.2 shows it. 8.2's status
 * lifecycle as deliveries see it, and 8.2's reading of an empty `*_collected_by_ids` filter.
 * Each body against its version's GET answers, written through either version:
 * events.versions.test.ts.
 */
import { describe, expect, it } from 'vitest';
import type { Receiver } from '../helpers/receiver.ts';
import { spec82 } from '../helpers/spec82-schemas.ts';
import { createFlow, type Doc, multiFlow, putValue, videoFlow } from '../http/fixtures.ts';
import {
  addSegments,
  allocate,
  contiguous,
  getSegments,
  type Segment,
  unsigned,
  upload,
} from '../segments/helpers.ts';
import {
  ALL_EVENTS,
  assertEventValid,
  everyWebhookCaughtUp,
  register,
  sharedEventServer,
  typesOf,
} from './events.fixture.ts';

// Each test's webhooks and receivers go with it (sharedEventServer).
const { server, v8, receiver } = sharedEventServer();

/** An 8.2 webhook for `r`; its id. */
async function register82(r: Receiver, options: Doc = {}): Promise<string> {
  const res = await v8.post<Doc>('/service/webhooks', { url: r.url, events: ALL_EVENTS, ...options });
  expect(res.status, res.text).toBe(201);
  return res.body.id as string;
}

const status = async (id: string) => (await v8.get<Doc>(`/service/webhooks/${id}`)).body.status;

describe('each webhook receives the payloads of its own version', () => {
  it('7.0: valid 7.0 events as before; 8.2: valid 8.2 events, the same changes', async () => {
    const [seven, eight] = [await receiver(), await receiver()];
    await register(server, { url: seven.url, verbose_storage: true });
    await register82(eight, { verbose_storage: true, api_key_name: 'X-Api-Key', api_key_value: 'k8' });

    // 7.0 data 8.2 forbids: a video Flow without frame_rate, extras named like 8.2's fields, a
    // multi Flow with free-form essence_parameters.
    const video = videoFlow({
      essence_parameters: { frame_width: 1920, frame_height: 1080 },
      status: 'live',
      profile_id: 'house style',
    });
    await createFlow(server, video);
    const multi = multiFlow({ essence_parameters: { layout: 'side by side' } });
    await createFlow(server, { ...multi, flow_collection: [{ id: video.id, role: 'picture' }] });
    expect((await putValue(server, `/flows/${video.id}/label`, 'camera')).status).toBe(204);
    const id = video.id as string;
    const objects = await allocate(server, id, { limit: 2 });
    for (const object of objects) await upload(object);
    await addSegments(server, id, contiguous(objects.map((o) => o.object_id)));
    const segments = (await getSegments(server, id, { verbose_storage: true })).body;
    expect(
      (await server.delete(`/flows/${id}/segments`, { query: { timerange: '[0:0_10:0)' } })).status,
    ).toBe(204);
    expect((await server.delete(`/flows/${multi.id}`)).status).toBe(204);
    await everyWebhookCaughtUp(server);

    const [sevens, eights] = [seven.deliveries, eight.deliveries];
    expect(typesOf(eights.map((d) => d.body))).toEqual(typesOf(sevens.map((d) => d.body)));
    expect(new Set(typesOf(sevens.map((d) => d.body)))).toEqual(new Set(ALL_EVENTS));
    expect(eights.every((d) => d.headers['x-api-key'] === 'k8')).toBe(true);

    // 7.0: valid 7.0 bodies, as 7.0's GET answers (events.versions.test.ts compares each with
    // its GET; src/flows/flows.events.test.ts holds the bytes to the 7.0 mapper's).
    for (const d of sevens) assertEventValid(d.body);
    const added = sevens.find((d) => d.body.event_type === 'flows/segments_added');
    expect(unsigned(added?.body.event.segments as Segment[])).toEqual(unsigned(segments));

    // 8.2: every body valid against 8.2's event schemas; 7.0's first Flow is not.
    for (const d of eights) spec82.assertSpecValid(`webhooks/${d.body.event_type}`, d.body);
    const firstCreated = (ds: typeof sevens) => {
      const found = ds.find((d) => d.body.event_type === 'flows/created');
      if (found === undefined) throw new Error('no flows/created delivered');
      return found.body;
    };
    const [created7, created8] = [firstCreated(sevens), firstCreated(eights)];
    expect(spec82.specValidator('webhooks/flows/created')(created7)).toBe(false);
    const flow8 = created8.event.flow as Doc;
    expect(flow8.essence_parameters).toEqual({ frame_width: 1920, frame_height: 1080, vfr: true });
    expect(flow8).not.toHaveProperty('status');
    expect(flow8).not.toHaveProperty('profile_id');
    const { status: _s, profile_id: _p, essence_parameters: _e, ...rest } = created7.event.flow as Doc;
    expect(flow8).toMatchObject(rest);
    const multi8 = eights.find(
      (d) => d.body.event_type === 'flows/created' && (d.body.event.flow as Doc).id === multi.id,
    );
    expect(multi8?.body.event.flow).not.toHaveProperty('essence_parameters');
    // Events 8.2 renders as 7.0 does: the same documents.
    const same = (type: string) =>
      [sevens, eights].map((ds) => ds.filter((d) => d.body.event_type === type).map((d) => d.body.event));
    for (const type of ['sources/created', 'sources/updated', 'flows/deleted', 'flows/segments_deleted']) {
      const [a, b] = same(type);
      expect(b, type).toEqual(a);
    }
  });
});

describe('status', () => {
  it('created until deliveries begin, then started; disabled receives nothing; created again receives', async () => {
    const r = await receiver();
    const id = await register82(r, { events: ['flows/created'] });
    expect(await status(id)).toBe('created');
    const first = videoFlow();
    await createFlow(server, first);
    await r.waitAccepted(1);
    expect(await status(id)).toBe('started');
    await everyWebhookCaughtUp(server);

    const body = { id, url: r.url, events: ['flows/created'] };
    expect((await v8.put(`/service/webhooks/${id}`, { ...body, status: 'disabled' })).status).toBe(201);
    const missed = videoFlow();
    await createFlow(server, missed);
    await everyWebhookCaughtUp(server);
    expect(await status(id)).toBe('disabled');
    expect(r.deliveries).toHaveLength(1);

    expect((await v8.put<Doc>(`/service/webhooks/${id}`, { ...body, status: 'created' })).body.status).toBe(
      'created',
    );
    const last = videoFlow();
    await createFlow(server, last);
    await r.waitAccepted(2);
    expect(r.accepted().map((e) => (e.event.flow as Doc).id)).toEqual([first.id, last.id]);
    expect(await status(id)).toBe('started');
  });

  it('registered disabled, it receives nothing and stays disabled', async () => {
    const r = await receiver();
    const id = await register82(r, { status: 'disabled' });
    await createFlow(server, videoFlow());
    await everyWebhookCaughtUp(server);
    expect(r.deliveries).toEqual([]);
    expect(await status(id)).toBe('disabled');
  });
});

describe('an empty *_collected_by_ids', () => {
  it('8.2: only what no collection collects; 7.0: nothing', async () => {
    const [seven, eight] = [await receiver(), await receiver()];
    const filters = { events: ['flows/created', 'flows/updated'], flow_collected_by_ids: [] };
    await register(server, { url: seven.url, ...filters });
    await register82(eight, filters);
    const member = videoFlow();
    await createFlow(server, member);
    // Collecting the member: its flows/updated has a collector; the collector itself has none.
    const collector = multiFlow({ flow_collection: [{ id: member.id, role: 'picture' }] });
    await createFlow(server, collector);
    await everyWebhookCaughtUp(server);
    expect(seven.deliveries).toEqual([]);
    expect(eight.accepted().map((e) => [e.event_type, (e.event.flow as Doc).id])).toEqual([
      ['flows/created', member.id],
      ['flows/created', collector.id],
    ]);
  });
});
