import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type Handler,
  type Loopback,
  loopback,
  manualTimers,
  xmlError,
} from '../../../../../test/support/db/engines/vast/transport/transport.loopback.testkit.ts';
import { DbUnavailableError } from '../../../db.errors.ts';
import { VastTransport, type VastTransportOptions } from './transport.client.ts';
import { VastConnectionError, type VastHttpError, VastUnavailableError } from './transport.errors.ts';

const open: { close(): unknown }[] = [];
afterEach(async () => {
  for (const thing of open.splice(0).reverse()) await thing.close();
});

async function server(handler: Handler = (_s, res) => res.end('ok')): Promise<Loopback> {
  const s = await loopback(handler);
  open.push(s);
  return s;
}

function transport(endpoints: string[], options: Partial<VastTransportOptions> = {}) {
  const clock = manualTimers();
  const t = new VastTransport({
    endpoints,
    accessKey: 'AK',
    secretKey: 'SK',
    timers: clock.timers,
    cooldownMs: 5_000,
    ...options,
  });
  open.push(t);
  return { t, clock };
}

const get = { method: 'GET', path: '/db/tams/flows', query: [['stats']] } as const;

describe('VastTransport over a loopback server', () => {
  it('keeps one connection alive across sequential calls', async () => {
    const s = await server();
    const { t } = transport([s.url]);
    for (let i = 0; i < 5; i++) expect(Buffer.from((await t.request(get)).body).toString()).toBe('ok');
    expect(s.seen).toHaveLength(5);
    expect(s.connections()).toBe(1);
  });

  it('sends a GET with a body, the request line as VAST clients write it, and the body hash', async () => {
    const s = await server();
    const { t } = transport([s.url]);
    const parts = [Buffer.alloc(1000, 1), Buffer.alloc(234, 2)];
    await t.request({
      method: 'GET',
      path: '/db/tams/flow segments',
      query: [['data'], ['name', 'a b/c']],
      headers: { 'tabular-txid': '7' },
      body: parts,
      idempotent: true,
    });
    const seen = s.seen[0];
    expect(seen?.method).toBe('GET');
    expect(seen?.target).toBe('/db/tams/flow%20segments?data&name=a%20b%2Fc');
    expect(seen?.body).toEqual(Buffer.concat(parts));
    expect(seen?.headers['content-length']).toBe('1234');
    expect(seen?.headers['tabular-txid']).toBe('7');
    expect(seen?.headers['x-amz-content-sha256']).toBe(
      createHash('sha256').update(Buffer.concat(parts)).digest('hex'),
    );
    expect(seen?.headers.authorization).toMatch(/SignedHeaders=host;x-amz-content-sha256;x-amz-date,/);
  });

  it('streams a large answer as it arrives', async () => {
    const mib = Buffer.alloc(1 << 20, 7);
    const s = await server((_seen, res) => {
      res.write(mib);
      res.write(mib);
      res.end(mib);
    });
    const { t } = transport([s.url]);
    const res = await t.stream({ ...get, idempotent: true });
    let total = 0;
    let chunks = 0;
    for await (const chunk of res.body) {
      total += chunk.byteLength;
      chunks++;
    }
    expect(total).toBe(3 << 20);
    expect(chunks).toBeGreaterThan(1);
  });

  it('uses the endpoints in turn', async () => {
    const a = await server();
    const b = await server();
    const { t } = transport([a.url, b.url]);
    const answered = [];
    for (let i = 0; i < 4; i++) answered.push((await t.request(get)).endpoint);
    expect(answered).toEqual([a.url, b.url, a.url, b.url]);
  });

  it('skips an endpoint that refused for the cooldown, then tries it again', async () => {
    const a = await server();
    const b = await server();
    await a.close();
    const { t, clock } = transport([a.url, b.url]);
    // Not idempotent: a refused connection was never sent, so it goes to the next endpoint.
    expect((await t.request({ ...get, method: 'POST' })).endpoint).toBe(b.url);
    await a.reopen();
    for (let i = 0; i < 3; i++) expect((await t.request(get)).endpoint).toBe(b.url);
    expect(a.seen).toHaveLength(0);
    clock.advance(5_000);
    const after = [(await t.request(get)).endpoint, (await t.request(get)).endpoint];
    expect(after).toContain(a.url);
  });

  it('throws an unavailable error naming every endpoint and why when all are down', async () => {
    const a = await server();
    const b = await server();
    await a.close();
    await b.close();
    const { t } = transport([a.url, b.url]);
    const error = await t.request(get).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VastUnavailableError);
    expect(error).toBeInstanceOf(DbUnavailableError);
    const u = error as VastUnavailableError;
    expect(u.failures).toEqual([
      { endpoint: a.url, reason: 'connection refused' },
      { endpoint: b.url, reason: 'connection refused' },
    ]);
    expect(u.reason).not.toContain('127.0.0.1');
    expect(u.retryAfterSeconds).toBe(5);
    // Both cooling down: the next call fails at once, without connecting.
    const again = (await t.request(get).catch((e: unknown) => e)) as VastUnavailableError;
    expect(again.failures.map((f) => f.endpoint)).toEqual([a.url, b.url]);
  });

  it('retries 503 SlowDown on an idempotent call with growing jittered waits', async () => {
    let n = 0;
    const s = await server((_seen, res) => {
      if (++n <= 2) {
        res.statusCode = 503;
        res.end(xmlError('SlowDown', 'Please reduce your request rate.'));
      } else res.end('done');
    });
    const { t, clock } = transport([s.url]);
    const res = await t.request({ ...get, idempotent: true });
    expect(Buffer.from(res.body).toString()).toBe('done');
    expect(s.seen).toHaveLength(3);
    // random() is 0.5: half of 100 ms, then half of 200 ms.
    expect(clock.sleeps).toEqual([50, 100]);
    expect(s.connections()).toBe(1);
  });

  it('stops at the attempt limit and at the time limit', async () => {
    const s = await server((_seen, res) => {
      res.statusCode = 503;
      res.end(xmlError('SlowDown', 'busy'));
    });
    const limited = transport([s.url], { retry: { maxAttempts: 3 } });
    const error = (await limited.t
      .request({ ...get, idempotent: true })
      .catch((e: unknown) => e)) as VastUnavailableError;
    expect(error).toBeInstanceOf(VastUnavailableError);
    expect((error.cause as VastHttpError).kind).toBe('slow_down');
    expect(s.seen).toHaveLength(3);
    s.seen.length = 0;
    // Waits of 50, 100, 200, 400 ms: the fourth would end past 700 ms.
    const timed = transport([s.url], { retry: { maxAttempts: 10, maxTotalMs: 700 } });
    await expect(timed.t.request({ ...get, idempotent: true })).rejects.toBeInstanceOf(VastUnavailableError);
    expect(timed.clock.sleeps).toEqual([50, 100, 200]);
    expect(s.seen).toHaveLength(4);
  });

  it('never sends a non-idempotent call twice after a 503 or a dropped connection', async () => {
    const busy = await server((_seen, res) => {
      res.statusCode = 503;
      res.end(xmlError('ServiceUnavailable', 'down'));
    });
    const one = transport([busy.url]);
    const e1 = (await one.t
      .request({ ...get, method: 'POST' })
      .catch((e: unknown) => e)) as VastUnavailableError;
    expect(e1).toBeInstanceOf(VastUnavailableError);
    expect((e1.cause as VastHttpError).kind).toBe('unavailable');
    expect(busy.seen).toHaveLength(1);

    const dropping = await server((_seen, res) => res.socket?.destroy());
    const two = transport([dropping.url]);
    const e2 = (await two.t
      .request({ ...get, method: 'POST', body: Buffer.from('x') })
      .catch((e: unknown) => e)) as VastUnavailableError;
    expect(e2).toBeInstanceOf(VastUnavailableError);
    expect(e2.cause).toBeInstanceOf(VastConnectionError);
    expect((e2.cause as VastConnectionError).sent).toBe(true);
    expect(dropping.seen).toHaveLength(1);
  });

  it('retries an idempotent call after a dropped connection', async () => {
    let n = 0;
    const s = await server((_seen, res) => {
      if (++n === 1) res.socket?.destroy();
      else res.end('again');
    });
    const { t, clock } = transport([s.url]);
    const res = await t.request({ ...get, idempotent: true });
    expect(Buffer.from(res.body).toString()).toBe('again');
    expect(s.seen).toHaveLength(2);
    expect(clock.sleeps).toEqual([50]);
  });

  it("maps VAST's XML errors", async () => {
    const answers: [number, string, Record<string, string>?][] = [
      [404, xmlError('NoSuchBucket', 'no such db', '<Resource>/db</Resource><RequestId>r-1</RequestId>')],
      [409, xmlError('Conflict', 'path is in a conflicted state &amp; busy')],
      [507, xmlError('InsufficientCapacity', 'full')],
      [400, xmlError('TabularUnsupportedColumnType', 'bad type')],
      [500, 'not xml', { 'x-amz-request-id': 'r-2' }],
    ];
    let i = 0;
    const s = await server((_seen, res) => {
      const [status, body, headers] = answers[i++] ?? [200, ''];
      res.writeHead(status, headers);
      res.end(body);
    });
    const { t } = transport([s.url]);
    const errors: VastHttpError[] = [];
    for (let k = 0; k < answers.length; k++)
      errors.push((await t.request(get).catch((e: unknown) => e)) as VastHttpError);
    expect(errors.map((e) => [e.status, e.kind, e.code])).toEqual([
      [404, 'not_found', 'NoSuchBucket'],
      [409, 'conflict', 'Conflict'],
      [507, 'insufficient_capacity', 'InsufficientCapacity'],
      [400, 'unsupported_column_type', 'TabularUnsupportedColumnType'],
      [500, 'internal', ''],
    ]);
    expect(errors[0]).toMatchObject({
      missing: 'bucket',
      requestId: 'r-1',
      resource: '/db',
      vastMessage: 'no such db',
    });
    expect(errors[1]?.vastMessage).toBe('path is in a conflicted state & busy');
    expect(errors[1]?.resource).toBe('/db/tams/flows');
    expect(errors[4]?.requestId).toBe('r-2');
    // Each error answer left the connection reusable.
    expect(s.connections()).toBe(1);
  });

  it('aborts a call under way without retrying it', async () => {
    const s = await server(() => {
      /* never answers */
    });
    const { t } = transport([s.url]);
    const controller = new AbortController();
    const pending = t.request({ ...get, idempotent: true, signal: controller.signal });
    while (s.seen.length === 0) await new Promise((r) => setImmediate(r));
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    expect(s.seen).toHaveLength(1);
  });
});
