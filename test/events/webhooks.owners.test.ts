/**
 * Webhooks with authentication on: registering needs read as well as write, a registration
 * belongs to its owner (only it or an administrator changes it), and it delivers only while the
 * owner's credential grants read (revoked token, removed user: deliveries stop). Event streams
 * end when their credential is revoked.
 */
import { type IncomingMessage, request } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Scope } from '../../src/auth/auth.model.ts';
import {
  ADMIN_TOKEN,
  basic,
  bearer,
  issueToken,
  JWT_CLAIMS_ENV,
  type SigningKey,
  signingKey,
  signJwt,
  startAuthServer,
} from '../auth/auth.fixture.ts';
import { type Receiver, startReceiver } from '../helpers/receiver.ts';
import type { TestServer } from '../helpers/server.ts';
import { type Doc, expectError, videoFlow } from '../http/fixtures.ts';
import { waitFor } from '../segments/helpers.ts';
import { EVENT_ENV } from './events.fixture.ts';

type Headers = Record<string, string>;
const ADMIN = bearer(ADMIN_TOKEN);

let server: TestServer;
let key: SigningKey;
const receivers: Receiver[] = [];
const logLines: string[] = [];

beforeAll(async () => {
  key = await signingKey('idp');
  server = await startAuthServer(
    { ...EVENT_ENV, TAMS_JWT_KEY: JSON.stringify(key.jwk), ...JWT_CLAIMS_ENV },
    { logLines: (line) => logLines.push(line) },
  );
});
afterEach(async () => {
  for (const r of receivers.splice(0)) await r.close();
});
afterAll(async () => {
  await server.close();
});

async function receiver(): Promise<Receiver> {
  const r = await startReceiver();
  receivers.push(r);
  return r;
}

const token = (name: string, scopes: Scope[], principal?: string) =>
  issueToken(server, name, scopes, principal);

const post = (headers: Headers, body: Doc) => server.post('/service/webhooks', body, { headers });

async function list(headers: Headers, url: string): Promise<Doc[]> {
  const res = await server.get<Doc[]>('/service/webhooks', { headers });
  expect(res.status).toBe(200);
  return res.body.filter((w) => w.url === url);
}

/** Creates a Flow (as the admin); its id and the outbox sequence number once it is recorded. */
async function newFlow(): Promise<{ id: string; seq: bigint }> {
  const flow = videoFlow();
  expect((await server.put(`/flows/${flow.id}`, flow, { headers: ADMIN })).status).toBe(201);
  return { id: flow.id as string, seq: await server.runtime.store.events.lastSeq() };
}

/** The flows/created events a receiver accepted, by Flow id. */
const createdFlows = (r: Receiver) =>
  r
    .accepted()
    .filter((e) => e.event_type === 'flows/created')
    .map((e) => (e.event.flow as Doc).id);

/** Waits until the dispatcher has passed `seq` for the webhook of `url` (delivered or skipped). */
async function passed(url: string, seq: bigint) {
  return waitFor(`the webhook of ${url} to pass event ${seq}`, async () => {
    const webhook = (await server.runtime.store.webhooks.list()).find((w) => w.url === url);
    return webhook !== undefined && webhook.cursor >= seq && webhook;
  });
}

describe('registering needs read', () => {
  it('a write-only token gets 403; a read+write token registers and its webhook gets events', async () => {
    const r = await receiver();
    const writer = await token('writer-only', ['write']);
    const refused = await post(writer.headers, { url: r.url, events: ['flows/created'] });
    expectError(refused, 403);
    expect((refused.body as Doc).summary).toMatch(/^Insufficient scope.*"read" scope/);
    expect(refused.headers.get('www-authenticate')).toContain('scope="read write"');
    expect(await list(ADMIN, r.url)).toEqual([]);

    const reader = await token('reader-writer', ['read', 'write']);
    expect((await post(reader.headers, { url: r.url, events: ['flows/created'] })).status).toBe(201);
    const flow = await newFlow();
    await r.waitAccepted(1);
    expect(createdFlows(r)).toEqual([flow.id]);
  });
});

describe('ownership', () => {
  const identity = (url: string) => ({ url, api_key_name: 'X-Key', api_key_value: 'shared' });

  it("another principal's POSTs neither remove nor rewrite a webhook: they make and remove its own", async () => {
    const r = await receiver();
    const alice = await token('alice-hooks', ['read', 'write']);
    const bob = await token('bob-hooks', ['read', 'write']);
    expect((await post(alice.headers, { ...identity(r.url), events: ['flows/created'] })).status).toBe(201);

    // Removal of what the caller does not own: 204 as the spec answers removals, nothing removed.
    expect((await post(bob.headers, { ...identity(r.url), events: [] })).status).toBe(204);
    expect(await list(alice.headers, r.url)).toEqual([
      { url: r.url, api_key_name: 'X-Key', events: ['flows/created'], owner: 'alice-hooks' },
    ]);
    // Other events for the same URL and key: bob's own registration, alice's unchanged.
    expect((await post(bob.headers, { ...identity(r.url), events: ['flows/deleted'] })).status).toBe(201);
    expect((await list(alice.headers, r.url)).map((w) => w.events)).toEqual([['flows/created']]);
    expect(await list(bob.headers, r.url)).toEqual([
      { url: r.url, api_key_name: 'X-Key', events: ['flows/deleted'], owner: 'bob-hooks' },
    ]);
    expect((await list(ADMIN, r.url)).map((w) => w.owner).sort()).toEqual(['alice-hooks', 'bob-hooks']);

    const flow = await newFlow();
    await r.waitAccepted(1);
    expect(createdFlows(r)).toEqual([flow.id]);

    // Bob removes his own; alice's stays.
    expect((await post(bob.headers, { ...identity(r.url), events: [] })).status).toBe(204);
    expect((await list(ADMIN, r.url)).map((w) => w.owner)).toEqual(['alice-hooks']);
  });

  it("an administrator's POST rewrites and removes every registration of the identity, owners kept", async () => {
    const r = await receiver();
    const carol = await token('carol-hooks', ['read', 'write']);
    const dan = await token('dan-hooks', ['read', 'write']);
    expect((await post(carol.headers, { ...identity(r.url), events: ['flows/created'] })).status).toBe(201);
    expect((await post(dan.headers, { ...identity(r.url), events: ['flows/updated'] })).status).toBe(201);

    expect((await post(ADMIN, { ...identity(r.url), events: ['sources/created'] })).status).toBe(201);
    expect(await list(carol.headers, r.url)).toEqual([
      { url: r.url, api_key_name: 'X-Key', events: ['sources/created'], owner: 'carol-hooks' },
    ]);
    expect(await list(dan.headers, r.url)).toEqual([
      { url: r.url, api_key_name: 'X-Key', events: ['sources/created'], owner: 'dan-hooks' },
    ]);
    // The admin made none of its own.
    expect(await list(ADMIN, r.url)).toHaveLength(2);

    expect((await post(ADMIN, { ...identity(r.url), events: [] })).status).toBe(204);
    expect(await list(ADMIN, r.url)).toEqual([]);
  });
});

describe('deliveries stop when the owner may no longer read', () => {
  it("revoking the owner's token suspends its webhook: events skipped, the reason shown; registering again resumes it", async () => {
    const r = await receiver();
    const erin = await token('erin-hooks', ['read', 'write']);
    expect((await post(erin.headers, { url: r.url, events: ['flows/created'] })).status).toBe(201);
    const before = await newFlow();
    await r.waitAccepted(1);

    expect((await server.delete(`/auth/tokens/${erin.id}`, { headers: ADMIN })).status).toBe(204);
    const after = await newFlow();
    const webhook = await passed(r.url, after.seq);
    expect(webhook.suspended).toMatch(/revoked/);
    // Skipped events after the suspension: no delivery, and no log line each.
    await passed(r.url, (await newFlow()).seq);
    await passed(r.url, (await newFlow()).seq);
    expect(createdFlows(r)).toEqual([before.id]);
    const logged = logLines.filter(
      (l) => l.includes('webhook deliveries suspended') && l.includes(webhook.id),
    );
    expect(logged).toHaveLength(1);
    expect(JSON.parse(logged[0] ?? '{}')).toMatchObject({
      level: 40,
      owner: 'erin-hooks',
      reason: webhook.suspended,
    });
    const [listed] = await list(ADMIN, r.url);
    expect(listed?.delivery_suspended).toMatch(/API token .* has been revoked/);
    const metrics = (await server.get('/metrics', { headers: ADMIN })).text;
    expect(metrics).toMatch(/^tams_webhooks_suspended 1$/m);

    // Erin (the same principal) with a new token registers it again: deliveries resume.
    const renewed = await token('erin-hooks-2', ['read', 'write'], 'erin-hooks');
    expect((await post(renewed.headers, { url: r.url, events: ['flows/created'] })).status).toBe(201);
    expect((await list(renewed.headers, r.url))[0]).not.toHaveProperty('delivery_suspended');
    const resumed = await newFlow();
    await r.waitAccepted(2);
    expect(createdFlows(r)).toEqual([before.id, resumed.id]);
  });

  it("removing the owner's user (HTTP Basic) suspends its webhook", async () => {
    const r = await receiver();
    const password = 'frank password 1';
    await server.runtime.auth.admin.addUser('frank', password, ['read', 'write']);
    expect((await post(basic('frank', password), { url: r.url, events: ['flows/created'] })).status).toBe(
      201,
    );
    const before = await newFlow();
    await r.waitAccepted(1);

    expect((await server.delete('/auth/users/frank', { headers: ADMIN })).status).toBe(204);
    const after = await newFlow();
    expect((await passed(r.url, after.seq)).suspended).toBe('user "frank" no longer exists');
    expect(createdFlows(r)).toEqual([before.id]);
  });

  it("a JWT owner's webhook records what the JWT granted and delivers by it", async () => {
    const r = await receiver();
    const jwt = bearer(await signJwt(key, { sub: 'gina', scopes: ['read', 'write'] }));
    expect((await post(jwt, { url: r.url, events: ['flows/created'] })).status).toBe(201);
    const [stored] = (await server.runtime.store.webhooks.list()).filter((w) => w.url === r.url);
    expect(stored?.credential).toEqual({ scheme: 'jwt', id: 'gina', scopes: ['read', 'write'] });
    const flow = await newFlow();
    await r.waitAccepted(1);
    expect(createdFlows(r)).toEqual([flow.id]);
  });

  it('a registration from before credentials were recorded delivers while its owner name can read', async () => {
    const r = await receiver();
    // As a row written by an earlier version: an owner name and no credential.
    await server.runtime.store.webhooks.insert({
      id: crypto.randomUUID(),
      url: r.url,
      events: ['flows/created'],
      filters: {},
      api_version: '7.0',
      status: 'started',
      tags: {},
      owner: 'hank',
      created: new Date(),
      cursor: await server.runtime.store.events.lastSeq(),
      attempts: 0,
    });
    const skipped = await newFlow();
    const webhook = await passed(r.url, skipped.seq);
    expect(webhook.suspended).toMatch(/no user "hank" and no active API token/);
    expect(r.accepted()).toEqual([]);

    // A token acting as hank, with read, vouches for it.
    await token('hank-token', ['read'], 'hank');
    const delivered = await newFlow();
    await r.waitAccepted(1);
    expect(createdFlows(r)).toEqual([delivered.id]);
    expect((await passed(r.url, delivered.seq)).suspended).toBeUndefined();
    const resumed = logLines.filter(
      (l) => l.includes('webhook deliveries resumed') && l.includes(webhook.id),
    );
    expect(resumed).toHaveLength(1);
  });
});

describe('event streams', () => {
  it('a stream ends when the token it was opened with is revoked', async () => {
    const ivy = await token('ivy-stream', ['read']);
    const res = await new Promise<IncomingMessage>((resolve, reject) => {
      const req = request(`${server.url}/events`, { headers: ivy.headers, agent: false }, resolve);
      req.on('error', reject);
      req.end();
    });
    expect(res.statusCode).toBe(200);
    let text = '';
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      text += chunk;
    });
    let ended = false;
    res.on('end', () => {
      ended = true;
    });
    const first = await newFlow();
    await waitFor('the first event on the stream', async () => text.includes(first.id));

    expect((await server.delete(`/auth/tokens/${ivy.id}`, { headers: ADMIN })).status).toBe(204);
    const second = await newFlow();
    await waitFor('the stream to end', async () => ended);
    expect(text).toMatch(/: stream ended: API token .* has been revoked/);
    expect(text).not.toContain(second.id);
  });
});
