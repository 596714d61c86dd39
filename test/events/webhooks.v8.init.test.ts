/**
 * Initialisation segments in flows/segments_added (TAMS 8.2, ADR 0045, AppNote 0024): an 8.2
 * webhook receives each segment's `init_object` as 8.2's GET segments answered it when the
 * segments were registered (its get_urls from the init object's storage and instances, with the
 * webhook's get_urls options), valid against 8.2's event schema; a 7.0 webhook receives none.
 * An event recorded before events kept where init objects are still reaches both.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JsonValue } from '../../src/db/db.types.ts';
import { mountClient } from '../helpers/mounts.ts';
import { type ReceivedEvent, type Receiver, startReceiver } from '../helpers/receiver.ts';
import { fsBackendEntry } from '../helpers/s3.server.ts';
import { type HttpClient, type TestServer, tempDir } from '../helpers/server.ts';
import { spec82 } from '../helpers/spec82-schemas.ts';
import type { Doc } from '../http/fixtures.ts';
import { initSegmentsFlow } from '../http/fixtures.v82.ts';
import { type AllocatedObject, secs, upload } from '../segments/helpers.ts';
import {
  ALL_EVENTS,
  assertEventValid,
  eventServer,
  everyWebhookCaughtUp,
  register,
} from './events.fixture.ts';

const FS_ID = randomUUID();
const media = tempDir('tams-init-events-');

let server: TestServer;
let v8: HttpClient;
const receivers: Receiver[] = [];

beforeAll(async () => {
  // A tagged backend: 8.2's verbose get_urls carry its tags, in GET answers and in events.
  server = await eventServer({
    env: {
      TAMS_MEDIA_DIR: media.path,
      TAMS_STORAGE_BACKENDS: JSON.stringify([fsBackendEntry({ id: FS_ID, tags: { tier: 'hot' } })]),
    },
  });
  v8 = mountClient(server, '/tams/v8.2');
});

afterAll(async () => {
  for (const r of receivers) await r.close();
  await server?.close();
  media.remove();
});

type GetUrl = Doc & { url: string; presigned?: boolean };
type Segment = Doc & { init_object?: { object_id: string; get_urls?: GetUrl[] }; get_urls?: GetUrl[] };

/** A URL without its signature: two answers a second apart sign differently. */
const unsign = (u: GetUrl): GetUrl => ({
  ...u,
  url: u.presigned ? (u.url.split('?')[0] as string) : u.url.replace(/\?expires=\d+&sig=[\w-]+$/, ''),
});

/** Segments with their own and their init objects' URLs unsigned. */
const unsigned = (segments: readonly Segment[]): Segment[] =>
  segments.map((s) => {
    const out: Segment = { ...s, get_urls: s.get_urls?.map(unsign) };
    if (s.init_object !== undefined) {
      out.init_object = { ...s.init_object, get_urls: s.init_object.get_urls?.map(unsign) };
    }
    return out;
  });

/** A 7.0 webhook and an 8.2 one, both verbose. */
async function webhooks(): Promise<{ seven: Receiver; eight: Receiver }> {
  const [seven, eight] = [await startReceiver(), await startReceiver()];
  receivers.push(seven, eight);
  await register(server, { url: seven.url, verbose_storage: true });
  const res = await v8.post('/service/webhooks', {
    url: eight.url,
    events: ALL_EVENTS,
    verbose_storage: true,
  });
  expect(res.status, res.text).toBe(201);
  return { seven, eight };
}

/** The segments of a Flow's flows/segments_added events, each body valid against its version. */
function added(version: '7.0' | '8.2', r: Receiver, flowId: string): Segment[] {
  const events: ReceivedEvent[] = r.accepted();
  for (const e of events) {
    if (version === '7.0') assertEventValid(e);
    else spec82.assertSpecValid(`webhooks/${e.event_type}`, e);
  }
  return events
    .filter((e) => e.event_type === 'flows/segments_added' && e.event.flow_id === flowId)
    .flatMap((e) => e.event.segments as Segment[]);
}

async function allocate82(flowId: string, body: Doc): Promise<AllocatedObject[]> {
  const res = await v8.post<{ media_objects: AllocatedObject[] }>(`/flows/${flowId}/storage`, body);
  expect(res.status, res.text).toBe(201);
  return res.body.media_objects;
}

async function segments82(flowId: string, query: Record<string, string | boolean>): Promise<Segment[]> {
  const res = await v8.get<Segment[]>(`/flows/${flowId}/segments`, { query });
  expect(res.status, res.text).toBe(200);
  spec82.assertSpecValid('flow-segment.json[]', res.body);
  return res.body;
}

async function post(client: HttpClient, flowId: string, body: Doc | Doc[]): Promise<void> {
  const res = await client.post(`/flows/${flowId}/segments`, body);
  expect(res.status, res.text).toBe(201);
}

describe('flows/segments_added of a Flow with init segments', () => {
  it("8.2: each segment's init_object as GET answered it then; 7.0: none", async () => {
    const { seven, eight } = await webhooks();
    const flow = initSegmentsFlow();
    const flowId = flow.id as string;
    expect((await v8.put(`/flows/${flowId}`, flow)).status).toBe(201);
    const [initA, initB] = (await allocate82(flowId, { limit: 2, content_type: 'application/mp4' })) as [
      AllocatedObject,
      AllocatedObject,
    ];
    const objects = await allocate82(flowId, { limit: 4 });
    for (const o of [initA, initB, ...objects]) await upload(o);
    const id = (i: number) => (objects[i] as AllocatedObject).object_id;
    const verbose = { verbose_storage: true };

    await post(v8, flowId, [
      { object_id: id(0), timerange: secs(0, 2), init_object_id: initA.object_id },
      { object_id: id(1), timerange: secs(2, 4), init_object_id: initB.object_id },
    ]);
    const first = await segments82(flowId, verbose);
    // initA gains a client's URL: the segments registered from then on list it, as GET does.
    const cdn = { url: `https://cdn.example.com/${initA.object_id}`, label: 'cdn' };
    const res = await v8.post(`/objects/${initA.object_id}/instances`, cdn);
    expect(res.status, res.text).toBe(201);
    await post(v8, flowId, { object_id: id(2), timerange: secs(4, 6), init_object_id: initA.object_id });
    // Re-using an object through 7.0 (which cannot name init objects): 8.2 still sees its own.
    await post(server, flowId, { object_id: id(1), timerange: secs(6, 8), ts_offset: '4:0' });
    const all = await segments82(flowId, verbose);
    await everyWebhookCaughtUp(server);

    const events82 = added('8.2', eight, flowId);
    expect(unsigned(events82)).toEqual(unsigned([...first, ...all.slice(2)]));
    const initOf = (s: Segment | undefined) => s?.init_object?.get_urls?.map((u) => u.label ?? u.url);
    expect(initOf(events82[2])).toContain('cdn');
    expect(initOf(events82[0])).not.toContain('cdn');
    expect(events82[3]?.init_object?.object_id).toBe(initB.object_id);
    expect(events82[0]?.init_object?.get_urls?.[0]).toMatchObject({
      storage_id: FS_ID,
      tags: { tier: 'hot' },
    });
    // 7.0: the segments as 7.0's GET lists them, without init objects.
    const events70 = added('7.0', seven, flowId);
    expect(events70).toHaveLength(4);
    for (const s of events70) expect(s).not.toHaveProperty('init_object');
  });

  it("filters the init objects' get_urls with the webhook's options, as GET's query does", async () => {
    const [eight] = [await startReceiver()];
    receivers.push(eight);
    const options = { accept_get_urls: ['cdn'], presigned: false };
    const hook = await v8.post('/service/webhooks', { url: eight.url, events: ALL_EVENTS, ...options });
    expect(hook.status, hook.text).toBe(201);
    const flow = initSegmentsFlow();
    const flowId = flow.id as string;
    expect((await v8.put(`/flows/${flowId}`, flow)).status).toBe(201);
    const [init] = (await allocate82(flowId, { limit: 1, content_type: 'application/mp4' })) as [
      AllocatedObject,
    ];
    const [object] = (await allocate82(flowId, { limit: 1 })) as [AllocatedObject];
    for (const o of [init, object]) await upload(o);
    await post(v8, flowId, {
      object_id: object.object_id,
      timerange: secs(0, 2),
      init_object_id: init.object_id,
    });
    await everyWebhookCaughtUp(server);
    const [segment] = added('8.2', eight, flowId);
    const [read] = await segments82(flowId, { accept_get_urls: 'cdn', presigned: false });
    expect(segment?.init_object).toEqual({ object_id: init.object_id, get_urls: [] });
    expect(segment).toEqual(read);
  });
});

describe('an event recorded before events kept where init objects are', () => {
  it('reaches an 8.2 webhook with its init_object id alone, and a 7.0 one as before', async () => {
    const { seven, eight } = await webhooks();
    const flowId = randomUUID();
    const initId = randomUUID();
    const objectId = randomUUID();
    const at = new Date();
    // As the outbox kept segments_added before: the model, the init object's id and no more.
    const payload: JsonValue = {
      model: 1,
      flow_id: flowId,
      segments: [
        { object_id: objectId, timerange: secs(0, 2), init_object_id: initId, storage: { id: FS_ID } },
      ],
    };
    await server.runtime.store.transaction(async (tx) => {
      await tx.events.append([
        {
          event_type: 'flows/segments_added',
          event_timestamp: at,
          flow_id: flowId,
          source_id: randomUUID(),
          flow_collected_by: [],
          source_collected_by: [],
          payload,
        },
      ]);
    });
    await everyWebhookCaughtUp(server);
    const [eight82] = added('8.2', eight, flowId);
    expect(eight82?.init_object).toEqual({ object_id: initId });
    expect(eight82?.get_urls?.length).toBeGreaterThan(0);
    const [seven70] = added('7.0', seven, flowId);
    expect(seven70).toMatchObject({ object_id: objectId, timerange: secs(0, 2) });
    expect(seven70).not.toHaveProperty('init_object');
  });
});
