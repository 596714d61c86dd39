/**
 * GET /events: the webhook event bodies as Server-Sent Events, with the webhook filters as query
 * parameters and Last-Event-ID to resume.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { objectsDeleted } from '../../src/store/outbox/events.types.ts';
import type { TestServer } from '../helpers/server.ts';
import { createFlow, expectError, videoFlow } from '../http/fixtures.ts';
import { waitFor } from '../segments/helpers.ts';
import { assertEventValid, eventServer, openStream } from './events.fixture.ts';

describe('event stream (SSE)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await eventServer();
  });
  afterAll(() => server.close());

  it('streams every event from the moment of connection, with ids to resume from', async () => {
    await createFlow(server, videoFlow());
    const stream = await openStream(server);
    expect(stream.contentType).toBe('text/event-stream');
    const flow = videoFlow();
    await createFlow(server, flow);
    const events = await stream.next(2);
    stream.close();
    // The server lets go of a stream whose client went.
    await waitFor('the stream to end', async () => server.runtime.streams.open === 0);
    expect(events.map((e) => e.type)).toEqual(['sources/created', 'flows/created']);
    for (const e of events) {
      expect(e.data.event_type).toBe(e.type);
      assertEventValid(e.data);
    }
    expect((events[1]?.data.event.flow as { id: string } | undefined)?.id).toBe(flow.id);
    expect(BigInt(events[1]?.id ?? '0')).toBeGreaterThan(BigInt(events[0]?.id ?? '0'));

    // Missed while disconnected: resumed from the last id seen.
    const missed = videoFlow();
    await createFlow(server, missed);
    const resumed = await openStream(server, '', { 'last-event-id': events[1]?.id ?? '' });
    const again = await resumed.next(2);
    resumed.close();
    expect(again.map((e) => e.type)).toEqual(['sources/created', 'flows/created']);
    expect((again[1]?.data.event.flow as { id: string } | undefined)?.id).toBe(missed.id);
  });

  it('passes over an event whose body cannot be made, saying so in a comment, and goes on', async () => {
    const flow = videoFlow();
    await createFlow(server, flow);
    const stream = await openStream(server, '?events=flows/segments_added,flows/updated');
    // A payload the segments renderer cannot shape (as another version might have stored it).
    const [bad] = await server.runtime.store.transaction((tx) =>
      tx.events.append([
        {
          event_type: 'flows/segments_added',
          event_timestamp: new Date(),
          flow_id: flow.id as string,
          source_id: flow.source_id as string,
          flow_collected_by: [],
          source_collected_by: [],
          payload: { flow_id: flow.id as string, segments: 'not a list' },
        },
      ]),
    );
    const label = await server.put(`/flows/${flow.id}/label`, JSON.stringify('after the bad one'));
    expect(label.status, label.text).toBe(204);
    const [after] = await stream.next(1);
    stream.close();
    expect(after?.type).toBe('flows/updated');
    expect(stream.comments.find((c) => c.startsWith(`event ${bad?.seq} `))).toContain('could not be made');
  });

  it("delivers none of the store's own events (objects/deleted), even asked for by name", async () => {
    const flow = videoFlow();
    await createFlow(server, flow);
    const stream = await openStream(server, '?events=objects/deleted,flows/updated');
    await server.runtime.store.transaction((tx) => tx.events.append(objectsDeleted(['gone'], new Date())));
    expect((await server.put(`/flows/${flow.id}/label`, JSON.stringify('after'))).status).toBe(204);
    const [first] = await stream.next(1);
    stream.close();
    expect(first?.type).toBe('flows/updated');
  });

  it('applies the webhook filters given as query parameters', async () => {
    const watched = videoFlow();
    await createFlow(server, watched);
    const stream = await openStream(server, `?events=flows/updated&flow_ids=${watched.id}`);
    await createFlow(server, videoFlow());
    expect((await server.put(`/flows/${watched.id}/label`, JSON.stringify('seen'))).status).toBe(204);
    const [event] = await stream.next(1);
    stream.close();
    expect(event?.type).toBe('flows/updated');
    expect((event?.data.event.flow as { label: string } | undefined)?.label).toBe('seen');
  });

  it('starts from now when Last-Event-ID is no event id (past the 64-bit range, or not a number)', async () => {
    for (const lastId of ['99999999999999999999', '9223372036854775808', 'abc']) {
      const stream = await openStream(server, '', { 'last-event-id': lastId });
      const flow = videoFlow();
      await createFlow(server, flow);
      const events = await stream.next(2);
      stream.close();
      expect(
        events.map((e) => e.type),
        lastId,
      ).toEqual(['sources/created', 'flows/created']);
      expect((events[1]?.data.event.flow as { id: string } | undefined)?.id).toBe(flow.id);
    }
  });

  it('HEAD answers with the headers of the stream and ends', async () => {
    const res = await server.head('/events');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    expect(res.text).toBe('');
  });

  it('refuses malformed filters', async () => {
    expectError(await server.get('/events', { query: { flow_ids: 'not-a-uuid' } }), 400);
  });

  it('ends open streams when the server closes', async () => {
    const own = await eventServer();
    const stream = await openStream(own);
    await own.close();
    await expect(stream.next(1)).rejects.toThrow(/0 of 1/);
  });
});
