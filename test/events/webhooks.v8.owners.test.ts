/**
 * 8.2's webhooks with authentication on: a caller sees and manages its own webhooks (another's is
 * a 404 to it), administrators everyone's; PUT needs read as well as write, DELETE the delete
 * scope. A webhook whose owner's credential no longer grants read is in 8.2's `error` state, with
 * `error` saying why; it cannot be disabled from there, and its owner updating it with a
 * credential that reads (status `created`) resumes its deliveries.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Scope } from '../../src/auth/auth.model.ts';
import { ADMIN_TOKEN, bearer, issueToken, startAuthServer } from '../auth/auth.fixture.ts';
import { mountClient } from '../helpers/mounts.ts';
import { type Receiver, startReceiver } from '../helpers/receiver.ts';
import type { HttpClient, TestServer } from '../helpers/server.ts';
import { spec82 } from '../helpers/spec82-schemas.ts';
import { type Doc, expectError, videoFlow } from '../http/fixtures.ts';
import { waitFor } from '../segments/helpers.ts';
import { EVENT_ENV } from './events.fixture.ts';

type Headers = Record<string, string>;
const ADMIN = bearer(ADMIN_TOKEN);

let server: TestServer;
let v8: HttpClient;
const receivers: Receiver[] = [];
beforeAll(async () => {
  server = await startAuthServer({ ...EVENT_ENV });
  v8 = mountClient(server, '/tams/v8.2');
});
afterEach(async () => {
  for (const r of receivers.splice(0)) await r.close();
});
afterAll(async () => {
  await server?.close();
});

const token = (name: string, scopes: Scope[], principal?: string) =>
  issueToken(server, name, scopes, principal);

async function get(id: string, headers: Headers = ADMIN): Promise<Doc> {
  const res = await v8.get<Doc>(`/service/webhooks/${id}`, { headers });
  expect(res.status, res.text).toBe(200);
  spec82.assertSpecValid('webhook-get.json', res.body);
  return res.body;
}

/** Creates a Flow as the admin; the outbox sequence number once it is recorded. */
async function newFlow(): Promise<bigint> {
  const flow = videoFlow();
  expect((await server.put(`/flows/${flow.id}`, flow, { headers: ADMIN })).status).toBe(201);
  return server.runtime.store.events.lastSeq();
}

async function passed(id: string, seq: bigint) {
  return waitFor(`webhook ${id} to pass event ${seq}`, async () => {
    const webhook = await server.runtime.store.webhooks.get(id);
    return webhook !== null && webhook.cursor >= seq && webhook;
  });
}

describe('8.2 webhooks and their owners', () => {
  it("another caller's webhook is a 404 to it; administrators see and manage it", async () => {
    const alice = await token('alice-8', ['read', 'write', 'delete']);
    const bob = await token('bob-8', ['read', 'write', 'delete']);
    const made = await v8.post<Doc>(
      '/service/webhooks',
      { url: 'http://127.0.0.1:1/alice', events: ['flows/created'] },
      { headers: alice.headers },
    );
    expect(made.status, made.text).toBe(201);
    const id = made.body.id as string;
    expect(made.body.owner).toBe('alice-8');

    const put = { id, url: 'http://127.0.0.1:1/bob', events: [], status: 'created' };
    expectError(await v8.get(`/service/webhooks/${id}`, { headers: bob.headers }), 404);
    expectError(await v8.put(`/service/webhooks/${id}`, put, { headers: bob.headers }), 404);
    expectError(await v8.delete(`/service/webhooks/${id}`, { headers: bob.headers }), 404);
    expect((await v8.get<Doc[]>('/service/webhooks', { headers: bob.headers })).body).toEqual([]);
    expect((await v8.get<Doc[]>('/service/webhooks', { headers: alice.headers })).body).toEqual([made.body]);

    // Scopes as at the root: PUT needs read as well as write, DELETE needs delete.
    const writer = await token('alice-writer', ['write', 'delete'], 'alice-8');
    expect((await v8.put(`/service/webhooks/${id}`, put, { headers: writer.headers })).status).toBe(403);
    const reader = await token('alice-reader', ['read', 'write'], 'alice-8');
    expect((await v8.delete(`/service/webhooks/${id}`, { headers: reader.headers })).status).toBe(403);

    // The admin's change leaves it alice's.
    expect((await v8.put<Doc>(`/service/webhooks/${id}`, put, { headers: ADMIN })).body.owner).toBe(
      'alice-8',
    );
    expect((await v8.delete(`/service/webhooks/${id}`, { headers: alice.headers })).status).toBe(204);
  });

  it('error: its owner may no longer read; not disabled from there; the owner resumes it', async () => {
    const r = await startReceiver();
    receivers.push(r);
    const erin = await token('erin-8', ['read', 'write']);
    const made = await v8.post<Doc>(
      '/service/webhooks',
      { url: r.url, events: ['flows/created'] },
      { headers: erin.headers },
    );
    const id = made.body.id as string;
    await newFlow();
    await r.waitAccepted(1);
    expect((await get(id)).status).toBe('started');

    expect((await server.delete(`/auth/tokens/${erin.id}`, { headers: ADMIN })).status).toBe(204);
    const before = new Date();
    await passed(id, await newFlow());
    const failed = await get(id);
    expect(failed.status).toBe('error');
    expect(failed.error).toMatchObject({ type: 'DeliveriesSuspended' });
    expect((failed.error as Doc).summary).toMatch(/API token .* has been revoked/);
    expect(Date.parse((failed.error as Doc).time as string)).toBeGreaterThanOrEqual(before.getTime() - 1000);
    expect(r.deliveries).toHaveLength(1);

    const body = { id, url: r.url, events: ['flows/created'] };
    const disable = await v8.put(
      `/service/webhooks/${id}`,
      { ...body, status: 'disabled' },
      { headers: ADMIN },
    );
    expectError(disable, 400);
    expect((disable.body as Doc).summary).toMatch(/error state cannot be disabled/);
    // The admin enabling it does not give it a credential that reads: still in error.
    expect(
      (await v8.put<Doc>(`/service/webhooks/${id}`, { ...body, status: 'created' }, { headers: ADMIN })).body
        .status,
    ).toBe('error');

    const renewed = await token('erin-8-again', ['read', 'write'], 'erin-8');
    const resumed = await v8.put<Doc>(
      `/service/webhooks/${id}`,
      { ...body, status: 'created' },
      { headers: renewed.headers },
    );
    expect(resumed.status, resumed.text).toBe(201);
    expect(resumed.body.status).not.toBe('error');
    expect(resumed.body).not.toHaveProperty('error');
    await newFlow();
    await r.waitAccepted(2);
    expect((await get(id)).status).toBe('started');
  });
});
