import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Loopback,
  loopback,
} from '../../../../../test/support/db/engines/vast/transport/transport.loopback.testkit.ts';
import { VastTransport } from './transport.client.ts';
import { VastUnavailableError } from './transport.errors.ts';

// node:crypto cannot write an X.509 certificate: openssl (Debian's, present here) makes one.
let dir: string;
let cert: string;
let server: Loopback;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vast-tls-'));
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
    ],
    { stdio: 'ignore' },
  );
  cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
  server = await loopback((_seen, res) => res.end('tls'), {
    key: readFileSync(join(dir, 'key.pem'), 'utf8'),
    cert,
  });
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

const call = { method: 'GET', path: '/db', query: [['schema']], idempotent: true } as const;

describe('VastTransport over https', () => {
  it('trusts the given CA, keeps the connection alive, and refuses an unknown certificate', async () => {
    const trusting = new VastTransport({
      endpoints: [server.url],
      accessKey: 'AK',
      secretKey: 'SK',
      ca: cert,
    });
    for (let i = 0; i < 3; i++)
      expect(Buffer.from((await trusting.request(call)).body).toString()).toBe('tls');
    expect(server.connections()).toBe(1);
    trusting.close();

    const strict = new VastTransport({ endpoints: [server.url], accessKey: 'AK', secretKey: 'SK' });
    const error = (await strict.request(call).catch((e: unknown) => e)) as VastUnavailableError;
    expect(error).toBeInstanceOf(VastUnavailableError);
    expect(error.failures[0]?.reason).toBe('DEPTH_ZERO_SELF_SIGNED_CERT');
    strict.close();

    const insecure = new VastTransport({
      endpoints: [server.url],
      accessKey: 'AK',
      secretKey: 'SK',
      insecure: true,
    });
    expect(Buffer.from((await insecure.request(call)).body).toString()).toBe('tls');
    insecure.close();
  });
});
