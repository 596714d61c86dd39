/**
 * HTTP Basic throttling (issue 17): repeated wrong passwords are answered 429 with Retry-After
 * before any scrypt runs, per client address and per user name (a user's known addresses
 * exempt from the latter); the queue of password checks is bounded (503 at once when full);
 * bearer tokens, JWTs and access_token are never throttled. Password checks are counted (and
 * held, for the queue) through a wrapper around the real scrypt check, at the fixture's low
 * scrypt cost.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { PasswordCheck } from '../../src/auth/auth.service.ts';
import { WAIT_MS } from '../helpers/deadlines.ts';
import type { TestResponse, TestServer } from '../helpers/server.ts';
import {
  ADMIN_PASSWORD,
  ADMIN_TOKEN,
  ADMIN_USER,
  basic,
  bearer,
  JWT_CLAIMS_ENV,
  type SigningKey,
  signingKey,
  signJwt,
  startAuthServer,
} from './auth.fixture.ts';

let server: TestServer;
let key: SigningKey;
let now = Date.parse('2026-11-23T12:00:00Z');
const advance = (seconds: number) => {
  now += seconds * 1000;
};

/** Passwords checked by scrypt, in order; while `holding`, each check waits for release(). */
const checked: string[] = [];
let holding = false;
const held: (() => void)[] = [];
function release() {
  holding = false;
  for (const resume of held.splice(0)) resume();
}
const counting =
  (check: PasswordCheck): PasswordCheck =>
  async (password, stored) => {
    checked.push(password);
    if (holding) await new Promise<void>((resume) => held.push(resume));
    return check(password, stored);
  };

beforeAll(async () => {
  key = await signingKey('throttle');
  server = await startAuthServer(
    {
      TAMS_TRUST_PROXY: 'true',
      TAMS_AUTH_CLIENT_FAILURES: '3',
      TAMS_AUTH_USER_FAILURES: '5',
      TAMS_AUTH_PASSWORD_CHECKS: '1',
      TAMS_JWT_KEY: key.pem,
      ...JWT_CLAIMS_ENV,
    },
    {
      clock: { now: () => new Date(now) },
      authTesting: { checkPassword: counting },
    },
  );
});
afterAll(async () => {
  release();
  await server.close();
});

const from = (address: string, headers: Record<string, string>) => ({
  headers: { ...headers, 'x-forwarded-for': address },
});
const login = (address: string, user: string, password: string) =>
  server.get('/flows', from(address, basic(user, password)));

function expectThrottled(res: TestResponse, retryAfter: string, reason: string) {
  expect(res.status).toBe(429);
  expect(res.headers.get('retry-after')).toBe(retryAfter);
  expect(res.headers.get('www-authenticate')).toBeNull();
  const body = res.body as Record<string, string>;
  expect(Object.keys(body).sort()).toEqual(['message', 'summary', 'time', 'type']);
  expect(body.type).toBe('TooManyRequests');
  expect(body.summary).toContain(reason);
  expect(body.summary).toContain(`Retry after ${retryAfter} s`);
}

/** Every kind of bearer credentials, from the address given: none is ever throttled. */
async function expectBearersPass(address: string) {
  const jwt = await signJwt(key);
  expect((await server.get('/flows', from(address, bearer(ADMIN_TOKEN)))).status).toBe(200);
  expect((await server.get('/flows', from(address, bearer(jwt)))).status).toBe(200);
  const viaQuery = await server.get('/flows', { query: { access_token: ADMIN_TOKEN }, ...from(address, {}) });
  expect(viaQuery.status).toBe(200);
}

async function waitingChecks(): Promise<number> {
  const text = (await server.get('/metrics')).text;
  return Number(/^tams_auth_password_checks_waiting (\d+)/m.exec(text)?.[1]);
}

describe('HTTP Basic throttling per client address', () => {
  it('answers 429 with Retry-After and a TAMS body after repeated failures, without checking', async () => {
    const client = '203.0.113.1';
    const before = checked.length;
    for (let i = 0; i < 3; i++) expect((await login(client, ADMIN_USER, `wrong ${i}`)).status).toBe(401);
    expect(checked.length - before).toBe(3);

    // Any user, and the right password too: the address is refused without a check.
    expectThrottled(await login(client, ADMIN_USER, 'wrong 3'), '30', 'from this client address');
    expectThrottled(await login(client, 'someone-else', 'x'), '30', 'from this client address');
    expectThrottled(await login(client, ADMIN_USER, ADMIN_PASSWORD), '30', 'from this client address');
    expect(checked.length - before).toBe(3);
    await expectBearersPass(client);
    // Another address is not concerned.
    expect((await login('203.0.113.99', ADMIN_USER, ADMIN_PASSWORD)).status).toBe(200);

    // The lock grows: after it, one attempt; a further failure doubles it.
    advance(29);
    expectThrottled(await login(client, ADMIN_USER, 'wrong 4'), '1', 'from this client address');
    advance(1);
    expect((await login(client, ADMIN_USER, 'wrong 5')).status).toBe(401);
    expectThrottled(await login(client, ADMIN_USER, 'wrong 6'), '60', 'from this client address');
    // The three failures, the other address's login and the one attempt after the lock.
    expect(checked.length - before).toBe(5);
  });

  it('lets one address have no more checks under way than run at once (TAMS_AUTH_PASSWORD_CHECKS=1)', async () => {
    const before = checked.length;
    holding = true;
    const first = login('203.0.113.2', 'burst-0', 'wrong');
    await vi.waitFor(() => expect(held.length).toBe(1), { timeout: WAIT_MS });
    const burst = await Promise.all(
      Array.from({ length: 11 }, (_, i) => login('203.0.113.2', `burst-${i + 1}`, 'wrong')),
    );
    for (const res of burst) expectThrottled(res, '1', 'from this client address');
    release();
    expect((await first).status).toBe(401);
    expect(checked.length - before).toBe(1);
  });

  it('counts an IPv6 client by its /64 network, whichever address of it each attempt uses', async () => {
    for (let i = 1; i <= 3; i++)
      expect((await login(`2001:db8:1:2::${i}`, `v6-${i}`, 'wrong')).status).toBe(401);
    expectThrottled(await login('2001:db8:1:2:ffff::9', 'v6-4', 'wrong'), '30', 'from this client address');
    expect((await login('2001:db8:1:3::1', 'v6-5', 'wrong')).status).toBe(401);
  });

  it('lets a client that logged in before through, from the cache, at no cost', async () => {
    const client = '203.0.113.3';
    expect((await login(client, ADMIN_USER, ADMIN_PASSWORD)).status).toBe(200);
    for (let i = 0; i < 3; i++) expect((await login(client, ADMIN_USER, `nope ${i}`)).status).toBe(401);
    const before = checked.length;
    expect((await login(client, ADMIN_USER, ADMIN_PASSWORD)).status).toBe(200);
    expectThrottled(await login(client, ADMIN_USER, 'nope 3'), '30', 'from this client address');
    expect(checked.length).toBe(before);
  });
});

describe('HTTP Basic throttling per user name', () => {
  it('a spray from many addresses locks the name, except where the user has logged in before', async () => {
    const password = 'alice password 1';
    const admin = { headers: bearer(ADMIN_TOKEN) };
    await server.post('/auth/users', { name: 'alice', password, scopes: ['read'] }, admin);
    const home = '192.0.2.10';
    expect((await login(home, 'alice', password)).status).toBe(200);
    // An administrator's change forgets every cached password: alice's next login is checked.
    expect((await server.post('/auth/tokens', { name: 'ci', scopes: ['read'] }, admin)).status).toBe(201);

    const before = checked.length;
    for (let i = 1; i <= 5; i++) expect((await login(`10.1.0.${i}`, 'alice', `guess ${i}`)).status).toBe(401);
    expectThrottled(await login('10.1.0.6', 'alice', 'guess 6'), '30', 'for this user name');
    // From an address alice never used, even her password waits for the lock (no check runs).
    expectThrottled(await login('198.51.100.1', 'alice', password), '30', 'for this user name');
    expect(checked.length - before).toBe(5);
    await expectBearersPass('10.1.0.7');

    // From her known address she gets in, and her success forgets the name's failures.
    expect((await login(home, 'alice', password)).status).toBe(200);
    expect((await login('10.1.0.8', 'alice', 'guess 8')).status).toBe(401);
    expect(checked.length - before).toBe(7);
  });

  it('counts names that do not exist the same way (a 429 tells nothing about existence)', async () => {
    for (let i = 1; i <= 5; i++)
      expect((await login(`10.2.0.${i}`, 'nobody', `guess ${i}`)).status).toBe(401);
    expectThrottled(await login('10.2.0.6', 'nobody', 'guess 6'), '30', 'for this user name');
  });
});

describe('the queue of password checks', () => {
  it('is bounded: when full, a login is answered 503 at once; a known client still gets in first', async () => {
    const bob = 'bob password 12';
    await server.post(
      '/auth/users',
      { name: 'bob', password: bob, scopes: ['read'] },
      { headers: bearer(ADMIN_TOKEN) },
    );
    const bobHome = '192.0.2.20';
    expect((await login(bobHome, 'bob', bob)).status).toBe(200);

    holding = true;
    const start = checked.length;
    // One check runs (TAMS_AUTH_PASSWORD_CHECKS=1) and is held; four wait behind it.
    const running = login('10.3.0.1', 'flood-1', 'wrong');
    await vi.waitFor(() => expect(held.length).toBe(1), { timeout: WAIT_MS });
    const queued = [2, 3, 4, 5].map((i) => login(`10.3.0.${i}`, `flood-${i}`, 'wrong'));
    await vi.waitFor(async () => expect(await waitingChecks()).toBe(4), { timeout: WAIT_MS });

    const refused = await login('10.3.0.6', 'flood-6', 'wrong');
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(refused.body).toMatchObject({ type: 'ServiceUnavailable' });
    expect((refused.body as { summary: string }).summary).toContain('too many passwords are being checked');
    expect(checked.length - start).toBe(1);
    await expectBearersPass('10.3.0.7');

    // bob's cached password is forgotten (an admin change); from his known address his check
    // is not refused, and runs before the four waiting.
    await server.post('/auth/tokens', { name: 'ci-2', scopes: ['read'] }, { headers: bearer(ADMIN_TOKEN) });
    const bobLogin = login(bobHome, 'bob', bob);
    await vi.waitFor(async () => expect(await waitingChecks()).toBe(5), { timeout: WAIT_MS });
    release();
    expect((await bobLogin).status).toBe(200);
    expect((await running).status).toBe(401);
    for (const res of await Promise.all(queued)) expect(res.status).toBe(401);
    expect(checked.slice(start)).toEqual(['wrong', bob, 'wrong', 'wrong', 'wrong', 'wrong']);
    expect(await waitingChecks()).toBe(0);
  });
});
