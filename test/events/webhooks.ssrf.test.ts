/**
 * Webhook URLs against server-side request forgery: every address that is not public unicast
 * (ipaddr.js's ranges), in IPv4 and in every IPv6 form that leads to an IPv4 address, is refused
 * at registration (400) and again when a delivery connects, unless TAMS_WEBHOOK_ALLOW lists it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReceiver } from '../helpers/receiver.ts';
import { type TestServer, tempDir } from '../helpers/server.ts';
import { createFlow, type Doc, expectError, videoFlow } from '../http/fixtures.ts';
import { waitFor } from '../segments/helpers.ts';
import { eventServer, startServerWithoutAllowList } from './events.fixture.ts';

/** URLs no webhook may reach by default, by what they are. */
const FORBIDDEN: [string, string][] = [
  ['loopback', 'http://127.0.0.1:8080/hook'],
  ['loopback by name', 'http://localhost:8080/hook'],
  ['IPv6 loopback', 'http://[::1]:8080/hook'],
  ['private 10/8', 'http://10.1.2.3/hook'],
  ['private 192.168/16', 'https://192.168.0.10/hook'],
  ['cloud metadata (link-local)', 'http://169.254.169.254/latest/meta-data/'],
  ['unspecified', 'http://0.0.0.0:8080/hook'],
  ['carrier-grade NAT', 'http://100.64.0.1/hook'],
  ['multicast', 'http://224.0.0.1/hook'],
  ['broadcast', 'http://255.255.255.255/hook'],
  ['reserved 240/4', 'http://240.0.0.1/hook'],
  ['IPv6 unique local', 'http://[fd00::1]/hook'],
  ['IPv6 link-local', 'http://[fe80::1]/hook'],
  ['IPv4-mapped IPv6 loopback', 'http://[::ffff:127.0.0.1]/hook'],
  ['IPv4-translated loopback (::ffff:0:0:0/96)', 'http://[::ffff:0:7f00:1]/hook'],
  ['IPv4-compatible loopback', 'http://[::7f00:1]/hook'],
  ['IPv4-compatible loopback, dotted', 'http://[::127.0.0.1]/hook'],
  ['IPv4-compatible private', 'http://[::a01:203]/hook'],
  ['NAT64 well-known prefix, loopback', 'http://[64:ff9b::7f00:1]/hook'],
  ['NAT64 local-use prefix, loopback', 'http://[64:ff9b:1::7f00:1]/hook'],
  ['6to4 of loopback', 'http://[2002:7f00:1::]/hook'],
  ['6to4 of a private address', 'http://[2002:c0a8:1::1]/hook'],
  ['Teredo with a loopback client', 'http://[2001:0:808:808::80ff:fffe]/hook'],
  ['Teredo with a private server', 'http://[2001:0:a00:1::f7f7:f7f7]/hook'],
];

/** The summary of a refusal names the allow-list, which no connection error does. */
const REFUSAL = /TAMS_WEBHOOK_ALLOW/;

describe('at registration', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServerWithoutAllowList();
  });
  afterAll(() => server.close());

  it.each(FORBIDDEN)('refuses %s with 400', async (_what, url) => {
    const res = await server.post('/service/webhooks', { url, events: ['flows/created'] });
    expectError(res, 400);
    expect((res.body as Doc).summary).toMatch(/^Webhook url refused: /);
    expect((res.body as Doc).summary).toMatch(REFUSAL);
    expect((await server.get<unknown[]>('/service/webhooks')).body).toEqual([]);
  });

  it('accepts public addresses, IPv6 forms of public IPv4 addresses included', async () => {
    for (const url of [
      'http://8.8.8.8/hook',
      'http://[2606:4700:4700::1111]/hook',
      'http://[::ffff:8.8.8.8]/hook',
      'http://[64:ff9b::808:808]/hook',
      'http://[2002:808:808::1]/hook',
      'http://[2001:0:808:808::f7f7:f7f7]/hook',
    ]) {
      const res = await server.post('/service/webhooks', { url, events: ['flows/created'] });
      expect(res.status, `${url}: ${res.text}`).toBe(201);
      expect((await server.post('/service/webhooks', { url, events: [] })).status).toBe(204);
    }
  });

  it('lets anyone remove a registration whatever its URL (removal calls nothing)', async () => {
    const res = await server.post('/service/webhooks', { url: 'http://127.0.0.1/hook', events: [] });
    expect(res.status).toBe(204);
  });
});

describe('at delivery', () => {
  it('refuses each when it connects, once the allow-list that admitted them is gone; an allow-list admits again', async () => {
    const data = tempDir('tams-ssrf-');
    const receiver = await startReceiver();
    const urls = [...FORBIDDEN.map(([, url]) => url), receiver.url];
    const refusedFlow = videoFlow();
    try {
      // Registered while everything was allowed (or, alike, while DNS answered otherwise).
      const first = await eventServer({ dataDir: data.path, env: { TAMS_WEBHOOK_ALLOW: '0.0.0.0/0,::/0' } });
      for (const url of urls) {
        const res = await first.post('/service/webhooks', { url, events: ['flows/created'] });
        expect(res.status, `${url}: ${res.text}`).toBe(201);
      }
      await first.close();

      const second = await eventServer({ dataDir: data.path, env: { TAMS_WEBHOOK_ALLOW: '' } });
      try {
        await createFlow(second, refusedFlow);
        const errors = await waitFor('a failed attempt at every webhook', async () => {
          const webhooks = await second.runtime.store.webhooks.list();
          return webhooks.every((w) => w.last_error !== undefined) && webhooks;
        });
        expect(errors.map((w) => w.url).sort()).toEqual([...urls].sort());
        for (const w of errors) expect(w.last_error, w.url).toMatch(REFUSAL);
        expect(receiver.deliveries).toEqual([]);
      } finally {
        await second.close();
      }

      // A short timeout: the IPv6 forms of 127.0.0.1 are admitted too, and lead nowhere here.
      const third = await eventServer({
        dataDir: data.path,
        env: { TAMS_WEBHOOK_ALLOW: '127.0.0.1', TAMS_WEBHOOK_TIMEOUT_MS: '500' },
      });
      try {
        // The event refused before (still being retried) goes too.
        const flow = videoFlow();
        await createFlow(third, flow);
        const events = await receiver.waitAccepted(2);
        expect(events.map((e) => (e.event.flow as Doc).id)).toEqual([refusedFlow.id, flow.id]);
      } finally {
        await third.close();
      }
    } finally {
      await receiver.close();
      data.remove();
    }
  });
});
