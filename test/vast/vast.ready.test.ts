/**
 * /ready on the VAST engine when the cluster answers the version probe otherwise than the fake
 * does (`vast` project only: test/helpers/vast.mode.ts): the server reaches this file's fake VAST
 * through a loopback proxy that answers the probe itself. A refusal that names a supported VAST
 * release is ready (the data path decides the rest); an older release or a server that is not
 * VAST is not, with the reason in /ready's summary and in the log.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.ts';
import { sharedFakeVast } from '../helpers/vast.mode.ts';
import {
  isProbe,
  type VastProxy,
  vastProxy,
  vastRefusal,
} from '../support/db/engines/vast/vast.proxy.testkit.ts';

let proxy: VastProxy;
let server: TestServer;
const log: string[] = [];
beforeAll(async () => {
  proxy = await vastProxy((await sharedFakeVast()).url);
  server = await startServer({ env: { TAMS_VAST_ENDPOINTS: proxy.url }, logLines: (l) => log.push(l) });
});
afterAll(async () => {
  await server?.close();
  await proxy?.close();
});

describe('/ready and the VAST version probe', () => {
  it('is ready when the cluster refuses the probe call but names its VAST release', async () => {
    proxy.intercept = (seen) =>
      isProbe(seen) ? vastRefusal(400, 'InvalidArgument', 'no transaction', 'vast 5.2.0.7') : undefined;
    const ready = await server.get<{ status: string }>('/ready');
    expect(ready.status, ready.text).toBe(200);
    expect(proxy.seen.some(isProbe)).toBe(true);
  });

  it('is not ready on an older release, saying why in /ready and the log', async () => {
    proxy.intercept = (seen) =>
      isProbe(seen) ? { status: 200, headers: { server: 'vast 4.6.0.0' } } : undefined;
    const ready = await server.get<{ summary: string }>('/ready');
    expect(ready.status).toBe(503);
    expect(ready.body.summary).toMatch(
      /database "VAST DataBase": .* runs VAST 4\.6\.0\.0; this server needs VAST 5\.0 or later/,
    );
    expect(log.some((l) => l.includes('not ready') && l.includes('needs VAST 5.0 or later'))).toBe(true);
  });

  it('is not ready when what answers is not VAST', async () => {
    proxy.intercept = (seen) => (isProbe(seen) ? { status: 200, headers: { server: 'nginx' } } : undefined);
    const ready = await server.get<{ summary: string }>('/ready');
    expect(ready.status).toBe(503);
    expect(ready.body.summary).toContain('is not a VAST DataBase endpoint');
  });
});
