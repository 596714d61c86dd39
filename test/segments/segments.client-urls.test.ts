/**
 * URLs clients give for others to read (issue 60): a segment's `get_urls` and TAMS 8.2's
 * uncontrolled object instances are "a URL to which a GET request can be made", and reach every
 * reader's browser, so only http and https are taken, on every mount and every path that takes
 * one (400 naming the field; a bulk POST's refused segment is reported in `failed_segments`);
 * the operator may restrict their hosts (TAMS_CLIENT_URL_HOSTS_ALLOW / _DENY). Rows stored before
 * the rule, with other schemes, are kept and returned by the API as they are, but left out of
 * the HLS playlists the server writes for players.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InstanceRecord } from '../../src/store/objects/instances.types.ts';
import { mountClient } from '../helpers/mounts.ts';
import { type HttpClient, startServer, type TestServer } from '../helpers/server.ts';
import { expectError } from '../http/fixtures.ts';
import { addSegments, getSegments, newFlow, secs } from './helpers.ts';

const BAD = [
  'javascript:alert(1)',
  'file:///etc/passwd',
  'gopher://example.com/1',
  'data:text/html,x',
  'a.ts',
];
const MOUNTS = { '/': '', '/tams/v7.0': '/tams/v7.0', '/tams/v8.2': '/tams/v8.2' };

let server: TestServer;
beforeAll(async () => {
  server = await startServer({ workers: false });
});
afterAll(() => server.close());

const client = (prefix: string): HttpClient => mountClient(server, prefix);

describe.each(Object.entries(MOUNTS))('get_urls at %s: http and https only', (_, prefix) => {
  it.each(BAD)('refuses a single segment with %s (400 naming the field), storing nothing', async (url) => {
    const api = client(prefix);
    const flowId = await newFlow(api);
    const res = await api.post(`/flows/${flowId}/segments`, {
      object_id: `evil-${randomUUID()}`,
      timerange: '[0:0_1:0)',
      get_urls: [
        { url: 'https://cdn.example.com/ok.ts', label: 'ok' },
        { url, label: 'evil' },
      ],
    });
    expectError(res, 400);
    expect((res.body as { summary: string }).summary).toMatch(
      /^get_urls\[1\]\.url: only http and https URLs/,
    );
    expect((await getSegments(server, flowId)).body).toEqual([]);
  });

  it('reports a refused segment of a bulk POST in failed_segments, and registers the others', async () => {
    const api = client(prefix);
    const flowId = await newFlow(api);
    const res = await api.post<{ failed_segments: { object_id: string; error: { summary: string } }[] }>(
      `/flows/${flowId}/segments`,
      [
        {
          object_id: 'good-1',
          timerange: secs(0, 1),
          get_urls: [{ url: 'http://10.0.0.7/a.ts', label: 'lan' }],
        },
        {
          object_id: 'evil-1',
          timerange: secs(1, 2),
          get_urls: [{ url: 'javascript:alert(1)', label: 'evil' }],
        },
      ],
    );
    expect(res.status, res.text).toBe(200);
    expect(res.body.failed_segments.map((f) => f.object_id)).toEqual(['evil-1']);
    expect(res.body.failed_segments[0]?.error.summary).toMatch(/^get_urls\[0\]\.url: only http and https/);
    expect((await getSegments(server, flowId)).body.map((s) => s.object_id)).toEqual(['good-1']);
  });

  it('takes http and https URLs, in any letter case', async () => {
    const api = client(prefix);
    const flowId = await newFlow(api);
    await addSegments(api, flowId, {
      object_id: `ok-${randomUUID()}`,
      timerange: secs(0, 1),
      get_urls: [
        { url: 'HTTPS://CDN.example.com/a.ts', label: 'cdn' },
        { url: 'http://[::1]:8080/b.ts', label: 'loopback' },
      ],
    });
  });
});

describe('8.2 object instances: http and https only', () => {
  it.each(BAD)('refuses an uncontrolled instance with %s (400 naming url)', async (url) => {
    const v8 = client('/tams/v8.2');
    const flowId = await newFlow(v8);
    const objectId = `obj-${randomUUID()}`;
    await addSegments(v8, flowId, {
      object_id: objectId,
      timerange: secs(0, 1),
      get_urls: [{ url: 'https://cdn.example.com/a.ts', label: 'cdn' }],
    });
    const res = await v8.post(`/objects/${objectId}/instances`, { url, label: 'evil' });
    expectError(res, 400);
    expect((res.body as { summary: string }).summary).toMatch(/^url: only http and https URLs/);
    const object = await v8.get<{ get_urls: { url: string }[] }>(`/objects/${objectId}`);
    expect(object.body.get_urls.map((u) => u.url)).toEqual(['https://cdn.example.com/a.ts']);
  });
});

describe('the operator restricts client URL hosts', () => {
  let restricted: TestServer;
  beforeAll(async () => {
    restricted = await startServer({
      workers: false,
      env: {
        TAMS_CLIENT_URL_HOSTS_ALLOW: 'media.example.com, *.cdn.example.net, 10.0.0.0/8, [fd00::1]',
        TAMS_CLIENT_URL_HOSTS_DENY: 'bad.cdn.example.net,10.6.6.6',
      },
    });
  });
  afterAll(() => restricted.close());

  const post = async (url: string, prefix = '') => {
    const api = mountClient(restricted, prefix);
    const flowId = await newFlow(api);
    return api.post(`/flows/${flowId}/segments`, {
      object_id: `o-${randomUUID()}`,
      timerange: '[0:0_1:0)',
      get_urls: [{ url, label: 'given' }],
    });
  };

  it.each([
    'https://media.example.com/a.ts',
    'https://MEDIA.example.com./a.ts',
    'http://edge.cdn.example.net/a.ts',
    'http://10.1.2.3:8080/a.ts',
    'http://[fd00::1]/a.ts',
  ])('takes %s', async (url) => {
    const res = await post(url);
    expect(res.status, res.text).toBe(201);
  });

  it.each([
    ['https://bad.cdn.example.net/a.ts', 'bad.cdn.example.net'],
    ['https://cdn.example.net/a.ts', 'cdn.example.net'],
    ['https://other.example.com/a.ts', 'other.example.com'],
    ['http://10.6.6.6/a.ts', '10.6.6.6'],
    ['http://11.0.0.1/a.ts', '11.0.0.1'],
  ])('refuses %s (400: the host is not allowed), on every mount', async (url, host) => {
    for (const prefix of Object.values(MOUNTS)) {
      const res = await post(url, prefix);
      expectError(res, 400);
      expect((res.body as { summary: string }).summary).toBe(
        `get_urls[0].url: host ${host} is not allowed for client URLs on this server`,
      );
    }
  });

  it('refuses an 8.2 instance on a host not allowed', async () => {
    const v8 = mountClient(restricted, '/tams/v8.2');
    const flowId = await newFlow(v8);
    const objectId = `obj-${randomUUID()}`;
    await addSegments(v8, flowId, {
      object_id: objectId,
      timerange: secs(0, 1),
      get_urls: [{ url: 'https://media.example.com/a.ts', label: 'cdn' }],
    });
    const res = await v8.post(`/objects/${objectId}/instances`, {
      url: 'https://elsewhere.example.org/a.ts',
      label: 'x',
    });
    expectError(res, 400);
    expect((res.body as { summary: string }).summary).toBe(
      'url: host elsewhere.example.org is not allowed for client URLs on this server',
    );
  });
});

describe('rows stored before http(s) was required', () => {
  const EVIL = 'javascript:alert(1)';
  let flowId: string;

  /** An uncontrolled instance written straight into the store, as the API once took it. */
  const planted = (objectId: string, url: string, created: Date): InstanceRecord => ({
    object_id: objectId,
    controlled: false,
    url,
    label: 'evil',
    state: 'ready',
    created,
    pos: 0,
  });

  beforeAll(async () => {
    flowId = randomUUID();
    const created = await server.put(`/flows/${flowId}`, {
      id: flowId,
      source_id: randomUUID(),
      format: 'urn:x-nmos:format:video',
      codec: 'video/h264',
      container: 'video/mp2t',
      essence_parameters: { frame_width: 320, frame_height: 180 },
    });
    expect(created.status, created.text).toBe(201);
    await addSegments(server, flowId, [
      { object_id: 'one', timerange: secs(0, 1), get_urls: [{ url: 'https://cdn.example.com/one.ts' }] },
      { object_id: 'two', timerange: secs(1, 2), get_urls: [{ url: 'https://cdn.example.com/two.ts' }] },
      { object_id: 'three', timerange: secs(2, 3), get_urls: [{ url: 'https://cdn.example.com/3.ts' }] },
    ]);
    const before = new Date(0);
    await server.runtime.store.transaction(async (tx) => {
      const found = await tx.instances.among(['three']);
      await tx.instances.markUsers(['two', 'three']);
      // `two` gets a javascript: URL listed before its https one; `three` has it alone.
      await tx.instances.remove('three', found.get('three') ?? []);
      await tx.instances.insert([
        planted('two', EVIL, before),
        planted('three', 'file:///etc/passwd', before),
      ]);
    });
  });

  it('are returned by the API as stored', async () => {
    const segments = (await getSegments(server, flowId)).body;
    expect(segments.map((s) => (s.get_urls ?? []).map((u) => u.url))).toEqual([
      ['https://cdn.example.com/one.ts'],
      [EVIL, 'https://cdn.example.com/two.ts'],
      ['file:///etc/passwd'],
    ]);
  });

  it('are left out of the HLS playlist', async () => {
    const res = await server.get(`/flows/${flowId}/hls.m3u8`, { query: { timerange: '_' } });
    expect(res.status, res.text).toBe(200);
    const uris = res.text.split('\n').filter((line) => line !== '' && !line.startsWith('#'));
    expect(uris).toEqual(['https://cdn.example.com/one.ts', 'https://cdn.example.com/two.ts']);
    expect(res.text).not.toContain('javascript:');
    expect(res.text).not.toContain('file:');
  });
});
