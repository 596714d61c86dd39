/**
 * Reading answers (transport.http.ts `Body`) over a real loopback server: a consumer slower than
 * the network gets every byte in order, leaving a body before its end drops the connection (it
 * cannot be reused), an answer cut short is a VastConnectionError after the bytes that came, and
 * a keep-alive connection is reused once a body was read to its end.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  type Handler,
  type Loopback,
  loopback,
  manualTimers,
} from '../../../../../test/support/db/engines/vast/transport/transport.loopback.testkit.ts';
import { VastTransport } from './transport.client.ts';
import { VastConnectionError } from './transport.errors.ts';

const open: { close(): unknown }[] = [];
afterEach(async () => {
  for (const thing of open.splice(0).reverse()) await thing.close();
});

async function setup(handler: Handler): Promise<{ s: Loopback; t: VastTransport }> {
  const s = await loopback(handler);
  const t = new VastTransport({
    endpoints: [s.url],
    accessKey: 'AK',
    secretKey: 'SK',
    timers: manualTimers().timers,
  });
  open.push(s, t);
  return { s, t };
}

const get = { method: 'GET', path: '/db/tams/t', query: [['data']], idempotent: true } as const;
const tick = () => new Promise((r) => setImmediate(r));

describe('answers read by the transport', () => {
  it('hands a slow reader every byte in order, then reuses the connection', async () => {
    // 64 writes of 64 KiB, each byte its write's number: order and completeness are visible.
    const { s, t } = await setup(async (_seen, res) => {
      for (let i = 0; i < 64; i++) {
        if (!res.write(Buffer.alloc(1 << 16, i))) await new Promise((r) => res.once('drain', r));
      }
      res.end();
    });
    const res = await t.stream(get);
    const got: number[] = [];
    for await (const chunk of res.body) {
      for (let k = 0; k < 20; k++) await tick();
      for (const byte of chunk) if (got.at(-1) !== byte) got.push(byte);
    }
    expect(got).toEqual(Array.from({ length: 64 }, (_, i) => i));
    await t.request(get);
    expect(s.connections()).toBe(1);
  });

  it('drops the connection of a body left before its end', async () => {
    const { s, t } = await setup((_seen, res) => {
      res.write(Buffer.alloc(1 << 20, 1));
      res.end(Buffer.alloc(1 << 20, 2));
    });
    const res = await t.stream(get);
    for await (const _ of res.body) break;
    await t.request(get);
    expect(s.connections()).toBe(2);
  });

  it('fails a body cut short after the bytes that came', async () => {
    const { t } = await setup((_seen, res) => {
      res.writeHead(200, { 'content-length': '1000' });
      res.write(Buffer.alloc(10, 1), () => res.socket?.destroy());
    });
    const res = await t.stream(get);
    let bytes = 0;
    const error = await (async () => {
      for await (const chunk of res.body) bytes += chunk.byteLength;
    })().catch((e: unknown) => e);
    expect(bytes).toBe(10);
    expect(error).toBeInstanceOf(VastConnectionError);
    expect((error as VastConnectionError).sent).toBe(true);
    const whole = await t.request(get).catch((e: unknown) => e);
    expect(whole).toBeInstanceOf(Error);
  });
});
