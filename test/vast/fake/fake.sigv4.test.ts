/**
 * The engine's signer (VastSigner on src/common/sigv4.ts) against the fake's independent verifier
 * (node:crypto, written from AWS's description), on real requests through a loopback server.
 */
import type { IncomingMessage } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { VastTransport } from '../../../src/db/engines/vast/transport/transport.client.ts';
import {
  encodePath,
  encodeQuery,
  payloadHash,
  VastSigner,
} from '../../../src/db/engines/vast/transport/transport.signer.ts';
import type { VastQueryParam } from '../../../src/db/engines/vast/transport/transport.types.ts';
import { type SigV4Request, verifySigV4 } from '../../../tools/vast-fake/fake.sigv4.ts';
import { loopback } from '../../support/db/engines/vast/transport/transport.loopback.testkit.ts';

const NOW = Date.UTC(2026, 10, 23, 12, 0, 0);
const keys = new Map([['AK', 'secret/with+odd=chars']]);
const closers: { close(): unknown }[] = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c.close();
});

async function signed(
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  path: string,
  query: readonly VastQueryParam[],
  body: Uint8Array,
  region = '',
): Promise<SigV4Request> {
  const signer = new VastSigner({
    accessKey: 'AK',
    secretKey: 'secret/with+odd=chars',
    region,
    now: () => NOW,
  });
  const wirePath = encodePath(path);
  const headers = await signer.sign({
    method,
    host: 'vast.example:8080',
    path: wirePath,
    query,
    payloadHash: payloadHash(body),
  });
  return {
    method,
    target: query.length > 0 ? `${wirePath}?${encodeQuery(query)}` : wirePath,
    headers: { ...headers, 'tabular-txid': '42' },
    body,
  };
}

const verify = (req: SigV4Request, now = NOW) => verifySigV4(req, { keys, now });

describe('SigV4: signer and independent verifier', () => {
  const cases: [string, 'GET' | 'POST' | 'PUT' | 'DELETE', string, VastQueryParam[], string][] = [
    ['version probe', 'GET', '/', [['transaction']], ''],
    ['create schema', 'POST', '/db/tams', [['schema']], 'flatbuffer'],
    ['select', 'GET', '/db/tams/flow_segments', [['data'], ['name', 'proj one']], 'computeir'],
    [
      'names to escape',
      'PUT',
      '/db/tams/naïve table (1)',
      [['table'], ['tabular-new-table-name', 'tams/b*c']],
      '',
    ],
    ['valueless beside valued, out of order', 'DELETE', '/db/a/b', [['rows'], ['a', '1'], ['rows2']], 'x'],
  ];
  for (const [name, method, path, query, body] of cases) {
    it(`accepts ${name}, in region '' and us-east-1`, async () => {
      expect(verify(await signed(method, path, query, Buffer.from(body)))).toEqual({
        ok: true,
        accessKey: 'AK',
      });
      expect(verify(await signed(method, path, query, Buffer.from(body), 'us-east-1')).ok).toBe(true);
    });
  }

  it('refuses a changed byte of body, path, query or signed header', async () => {
    const req = await signed('POST', '/db/tams/flows', [['rows']], Buffer.from('arrow bytes'));
    const body = Buffer.from('arrow bytez');
    expect(verify({ ...req, body })).toMatchObject({ ok: false, code: 'XAmzContentSHA256Mismatch' });
    // The body hash is signed: a body sent with its own new hash still fails.
    const rehashed = { ...req, body, headers: { ...req.headers, 'x-amz-content-sha256': payloadHash(body) } };
    expect(verify(rehashed)).toMatchObject({ ok: false, code: 'SignatureDoesNotMatch' });
    expect(verify({ ...req, target: '/db/tams/flowz?rows' })).toMatchObject({
      code: 'SignatureDoesNotMatch',
    });
    expect(verify({ ...req, target: '/db/tams/flows?column' })).toMatchObject({
      code: 'SignatureDoesNotMatch',
    });
    expect(verify({ ...req, headers: { ...req.headers, host: 'vast.example:8081' } })).toMatchObject({
      code: 'SignatureDoesNotMatch',
    });
    // tabular-* headers are not signed (as VAST's own clients send them).
    expect(verify({ ...req, headers: { ...req.headers, 'tabular-txid': '43' } }).ok).toBe(true);
  });

  it('names an unknown key and a skewed clock', async () => {
    const req = await signed('GET', '/db', [['schema']], Buffer.alloc(0));
    expect(verifySigV4(req, { keys: new Map([['OTHER', 'x']]), now: NOW })).toMatchObject({
      status: 403,
      code: 'InvalidAccessKeyId',
    });
    expect(verify(req, NOW + 16 * 60_000)).toMatchObject({ status: 403, code: 'RequestTimeTooSkewed' });
    expect(verify(req, NOW + 14 * 60_000).ok).toBe(true);
    const { authorization: _, ...anonymous } = req.headers;
    expect(verify({ ...req, headers: anonymous })).toMatchObject({ code: 'AccessDenied' });
  });

  it('accepts what VastTransport sends over a real connection', async () => {
    const verdicts: unknown[] = [];
    const server = await loopback((seen, res, req: IncomingMessage) => {
      const verdict = verifySigV4(
        { method: seen.method, target: seen.target, headers: req.headers, body: seen.body },
        { keys, now: Date.now() },
      );
      verdicts.push(verdict);
      res.statusCode = verdict.ok ? 200 : 403;
      res.end();
    });
    closers.push(server);
    const transport = new VastTransport({
      endpoints: [server.url],
      accessKey: 'AK',
      secretKey: 'secret/with+odd=chars',
    });
    closers.push(transport);
    await transport.request({
      method: 'GET',
      path: '/db/tams/t 1',
      query: [['data'], ['name', 'p q']],
      body: Buffer.from('q'),
      idempotent: true,
    });
    await transport.request({
      method: 'POST',
      path: '/db/tams/t',
      query: [['rows']],
      body: [Buffer.from('a'), Buffer.from('bc')],
    });
    await transport.request({ method: 'POST', path: '/', query: [['transaction']] });
    expect(verdicts).toEqual([
      { ok: true, accessKey: 'AK' },
      { ok: true, accessKey: 'AK' },
      { ok: true, accessKey: 'AK' },
    ]);
  });
});
