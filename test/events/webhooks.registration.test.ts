/**
 * GET/POST /service/webhooks as DIGEST §10.1 says: identity is url + API key name + value,
 * re-POST updates (201), empty `events` removes (204), `api_key_value` never returned, and
 * anything unsupported refused with 400 and the TAMS error body (unsafe URLs: webhooks.ssrf.test.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestResponse, TestServer } from '../helpers/server.ts';
import { assertSpecValid } from '../helpers/spec-schemas.ts';
import { type Doc, expectError, getAndHead, uuid } from '../http/fixtures.ts';
import { eventServer } from './events.fixture.ts';

type Listed = Record<string, unknown>;

/** A 400 with the TAMS error body whose summary says `why`. */
function expectRefused(res: TestResponse<unknown>, why: string | RegExp): void {
  expectError(res, 400);
  expect((res.body as Doc).summary).toMatch(why);
}

describe('webhook registration', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await eventServer();
  });
  afterAll(() => server.close());

  async function list(): Promise<Listed[]> {
    const res = await getAndHead<Listed[]>(server, '/service/webhooks');
    expect(res.status).toBe(200);
    assertSpecValid('webhook.json[]', res.body);
    return res.body;
  }
  const post = (body: unknown) => server.post('/service/webhooks', body);

  it('registers, updates by identity, lists without api_key_value, removes with empty events', async () => {
    const url = 'http://127.0.0.1:1/a';
    const flowId = uuid();
    const identity = { url, api_key_name: 'X-Key', api_key_value: 'secret-1' };
    const created = await post({ ...identity, events: ['flows/created'], flow_ids: [flowId] });
    expect(created.status).toBe(201);
    expect(created.text).toBe('');
    expect(await list()).toEqual([
      { url, api_key_name: 'X-Key', events: ['flows/created'], flow_ids: [flowId] },
    ]);

    // Same identity, other events and filters: the registration is replaced, not added.
    const updated = await post({
      ...identity,
      events: ['flows/deleted', 'sources/created'],
      presigned: true,
    });
    expect(updated.status).toBe(201);
    expect(await list()).toEqual([
      { url, api_key_name: 'X-Key', events: ['flows/deleted', 'sources/created'], presigned: true },
    ]);

    // Another key value is another registration.
    expect((await post({ ...identity, api_key_value: 'secret-2', events: ['flows/updated'] })).status).toBe(
      201,
    );
    expect(await list()).toHaveLength(2);
    for (const listed of await list()) expect(listed).not.toHaveProperty('api_key_value');

    const removed = await post({ ...identity, events: [] });
    expect(removed.status).toBe(204);
    expect(removed.text).toBe('');
    expect((await list()).map((w) => w.events)).toEqual([['flows/updated']]);
    // Removing what is not registered changes nothing and is not an error.
    expect((await post({ ...identity, events: [] })).status).toBe(204);
    expect((await post({ ...identity, api_key_value: 'secret-2', events: [] })).status).toBe(204);
    expect(await list()).toEqual([]);
  });

  it('keeps every filter and transformation of 7.0', async () => {
    const url = 'http://127.0.0.1:1/all-options';
    const options = {
      flow_ids: [uuid()],
      source_ids: [uuid()],
      flow_collected_by_ids: [uuid()],
      source_collected_by_ids: [uuid()],
      accept_get_urls: ['default', ''],
      accept_storage_ids: [uuid()],
      presigned: false,
      verbose_storage: true,
    };
    expect((await post({ url, events: ['flows/segments_added'], ...options })).status).toBe(201);
    expect(await list()).toEqual([{ url, events: ['flows/segments_added'], ...options }]);
    expect((await post({ url, events: [] })).status).toBe(204);
  });

  it('refuses unsupported events, malformed bodies and URLs that are not http(s)', async () => {
    expectRefused(await post({ url: 'http://127.0.0.1:1/', events: ['flows/exploded'] }), 'flows/exploded');
    expectRefused(await post({ url: 'ftp://127.0.0.1/', events: ['flows/created'] }), 'http or https');
    expectError(await post({ url: 'not a url', events: ['flows/created'] }), 400);
    expectError(await post({ events: ['flows/created'] }), 400);
    expectError(await post({ url: 'http://127.0.0.1:1/', events: ['flows/created'], flow_ids: ['x'] }), 400);
    expectError(await post({ url: 'http://127.0.0.1:1/', events: ['flows/created'], shiny: true }), 400);
    expect(await list()).toEqual([]);
  });

  it('/service advertises webhooks and the event stream', async () => {
    const res = await server.get<{ event_stream_mechanisms: { name: string; config?: Listed }[] }>(
      '/service',
    );
    assertSpecValid('service.json', res.body);
    expect(res.body.event_stream_mechanisms.map((m) => m.name)).toEqual(['webhooks', 'tams-server-sse']);
    expect(res.body.event_stream_mechanisms[1]?.config).toEqual({
      path: '/events',
      format: 'text/event-stream',
    });
  });
});
