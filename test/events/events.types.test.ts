/**
 * Every 7.0 event type reaches a real HTTP receiver after the API call that causes it, with a body
 * valid against the spec's webhook schema, the registration's API key header, and the resource as
 * the API itself returns it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReceivedEvent, Receiver } from '../helpers/receiver.ts';
import type { TestServer } from '../helpers/server.ts';
import { createFlow, type Doc, getFlow, getSource, multiFlow, uuid, videoFlow } from '../http/fixtures.ts';
import { allocate, getSegments, type Segment, secs, unsigned, upload } from '../segments/helpers.ts';
import { assertEventValid, eventServer, subscribe, typesOf } from './events.fixture.ts';

describe('event types', () => {
  let server: TestServer;
  let receiver: Receiver;
  let seen = 0;

  /** Waits for the next `types.length` events; checks their order, schema and header. */
  async function next(...types: string[]): Promise<ReceivedEvent[]> {
    const all = await receiver.waitAccepted(seen + types.length);
    const events = all.slice(seen, seen + types.length);
    seen += types.length;
    expect(typesOf(events)).toEqual(types);
    for (const event of events) assertEventValid(event);
    return events;
  }

  beforeAll(async () => {
    server = await eventServer();
    receiver = await subscribe(server);
  });
  afterAll(async () => {
    await server.close();
    await receiver.close();
  });

  it('PUT of a new Flow: sources/created then flows/created, as GET returns them', async () => {
    const flow = videoFlow({ label: 'camera 1' });
    await createFlow(server, flow);
    const [sourceCreated, flowCreated] = await next('sources/created', 'flows/created');
    expect(sourceCreated?.event).toEqual({ source: await getSource(server, flow.source_id as string) });
    expect(flowCreated?.event).toEqual({ flow: await getFlow(server, flow.id as string) });
    expect(Date.parse(flowCreated?.event_timestamp ?? '')).not.toBeNaN();
    const delivery = receiver.deliveries.at(-1);
    expect(delivery?.headers['x-api-key']).toBe('k3y');
    expect(delivery?.headers['content-type']).toBe('application/json');
  });

  it('Flow metadata changes: flows/updated with the new document; segments do not count', async () => {
    const flow = videoFlow();
    await createFlow(server, flow);
    await next('sources/created', 'flows/created');
    const id = flow.id as string;
    expect((await server.put(`/flows/${id}/label`, JSON.stringify('renamed'))).status).toBe(204);
    const [labelled] = await next('flows/updated');
    expect((labelled?.event.flow as Doc | undefined)?.label).toBe('renamed');
    expect((await server.put(`/flows/${id}/tags/genre`, JSON.stringify('news'))).status).toBe(204);
    const [tagged] = await next('flows/updated');
    expect(tagged?.event).toEqual({ flow: await getFlow(server, id) });
    expect((await server.put(`/flows/${id}`, { ...flow, description: 'whole document' })).status).toBe(204);
    await next('flows/updated');
  });

  it('segments: flows/segments_added as the segments endpoint returns them, then flows/segments_deleted', async () => {
    const flow = videoFlow();
    await createFlow(server, flow);
    await next('sources/created', 'flows/created');
    const id = flow.id as string;
    const objects = await allocate(server, id, { limit: 2 });
    for (const object of objects) await upload(object);
    const body = objects.map((o, i) => ({ object_id: o.object_id, timerange: secs(i * 10, i * 10 + 10) }));
    expect((await server.post(`/flows/${id}/segments`, body)).status).toBe(201);
    const [added] = await next('flows/segments_added');
    expect(added?.event.flow_id).toBe(id);
    // The endpoint's default answer: every segment with the controlled get_urls, presigned.
    expect(unsigned(added?.event.segments as Segment[])).toEqual(
      unsigned((await getSegments(server, id)).body),
    );

    const deleted = await server.delete(`/flows/${id}/segments`, { query: { timerange: secs(0, 10) } });
    expect(deleted.status).toBe(204);
    const [gone] = await next('flows/segments_deleted');
    expect(gone?.event).toEqual({ flow_id: id, timerange: secs(0, 10) });
  });

  it('segments_deleted spans exactly the deleted segments, not the empty time around them', async () => {
    const flow = videoFlow();
    await createFlow(server, flow);
    await next('sources/created', 'flows/created');
    const id = flow.id as string;
    const objects = await allocate(server, id, { limit: 2 });
    const body = [
      { object_id: objects[0]?.object_id, timerange: secs(10, 20) },
      { object_id: objects[1]?.object_id, timerange: secs(30, 40) },
    ];
    expect((await server.post(`/flows/${id}/segments`, body)).status).toBe(201);
    await next('flows/segments_added');
    expect((await server.delete(`/flows/${id}/segments`, { query: { timerange: '_' } })).status).toBe(204);
    const [gone] = await next('flows/segments_deleted');
    expect(gone?.event.timerange).toBe(secs(10, 40));
  });

  it('Source changes: direct, and derived from a Flow collection', async () => {
    const member = videoFlow();
    await createFlow(server, member);
    await next('sources/created', 'flows/created');
    const sourceId = member.source_id as string;
    expect((await server.put(`/sources/${sourceId}/label`, JSON.stringify('studio A'))).status).toBe(204);
    const [labelled] = await next('sources/updated');
    expect(labelled?.event).toEqual({ source: await getSource(server, sourceId) });

    // A multi Flow collecting the member: its Source now collects the member's Source.
    const collector = multiFlow({ flow_collection: [{ id: member.id, role: 'video' }] });
    await createFlow(server, collector);
    const events = await next('sources/created', 'flows/created', 'flows/updated', 'sources/updated');
    expect(events[2]?.event).toEqual({ flow: await getFlow(server, member.id as string) });
    expect(((events[2]?.event.flow as Doc | undefined)?.collected_by as string[]) ?? []).toEqual([
      collector.id,
    ]);
    expect(events[3]?.event).toEqual({ source: await getSource(server, sourceId) });
    expect((events[3]?.event.source as Doc | undefined)?.collected_by).toEqual([collector.source_id]);
  });

  it('DELETE of the last Flow of a Source: flows/deleted then sources/deleted', async () => {
    const flow = videoFlow();
    const sibling = videoFlow({ source_id: flow.source_id });
    await createFlow(server, flow);
    await next('sources/created', 'flows/created');
    await createFlow(server, sibling);
    await next('flows/created');

    expect((await server.delete(`/flows/${flow.id}`)).status).toBe(204);
    const [deleted] = await next('flows/deleted');
    expect(deleted?.event).toEqual({ flow_id: flow.id });

    expect((await server.delete(`/flows/${sibling.id}`)).status).toBe(204);
    const [last, source] = await next('flows/deleted', 'sources/deleted');
    expect(last?.event).toEqual({ flow_id: sibling.id });
    expect(source?.event).toEqual({ source_id: flow.source_id });
  });

  it('nothing is sent for calls that change nothing or fail', async () => {
    const flow = videoFlow();
    await createFlow(server, flow);
    await next('sources/created', 'flows/created');
    expect((await server.put(`/flows/${uuid()}/label`, JSON.stringify('x'))).status).toBe(404);
    expect((await server.put(`/flows/${flow.id}`, { ...flow, format: 'nonsense' })).status).toBe(400);
    expect((await server.delete(`/flows/${uuid()}`)).status).toBe(404);
    // A marker change: the first event after the failed calls must be its own.
    expect((await server.put(`/flows/${flow.id}/label`, JSON.stringify('marker'))).status).toBe(204);
    const [marker] = await next('flows/updated');
    expect((marker?.event.flow as Doc | undefined)?.label).toBe('marker');
  });
});
