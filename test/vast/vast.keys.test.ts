/**
 * /ready on the VAST engine when the cluster refuses the server's keys (`vast` project only:
 * test/helpers/vast.mode.ts). The fake checks every request's SigV4 signature (fake.sigv4.ts):
 * once its secret changes (keys rotated or revoked on the cluster), the running server signs with
 * a wrong secret and gets 403 SignatureDoesNotMatch, with VAST's Server header, on the version
 * probe too. That answer is not ready, and the summary says the keys are refused. (A server cannot
 * start with a wrong secret: its first call, the catalog's, is refused.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeVast } from '../../tools/vast-fake/fake.server.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { sharedFakeVast } from '../helpers/vast.mode.ts';

let server: TestServer;
let vast: FakeVast;
let secret: string;
const log: string[] = [];
beforeAll(async () => {
  server = await startServer({ workers: false, logLines: (l) => log.push(l) });
  vast = await sharedFakeVast();
  secret = vast.keys.secret;
});
afterAll(async () => {
  vast?.setSecret(secret);
  await server?.close();
});

describe('/ready with keys the cluster refuses', () => {
  it('is not ready while the secret is wrong, saying the keys are refused, and ready again after', async () => {
    expect((await server.get('/ready')).status).toBe(200);
    vast.setSecret('rotated-on-the-cluster');
    const ready = await server.get<{ summary: string }>('/ready');
    expect(ready.status, ready.text).toBe(503);
    expect(ready.body.summary).toMatch(
      /database "VAST DataBase": VAST refused this server's keys \(403 SignatureDoesNotMatch\)/,
    );
    expect(ready.body.summary).toContain('TAMS_VAST_ACCESS_KEY and TAMS_VAST_SECRET_KEY');
    expect(ready.body.summary).not.toContain(secret);
    expect(log.some((l) => l.includes('not ready') && l.includes("refused this server's keys"))).toBe(true);
    vast.setSecret(secret);
    expect((await server.get('/ready')).status).toBe(200);
  });
});
