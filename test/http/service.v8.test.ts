/**
 * TAMS 8.2's `GET/HEAD /` and `/service` at /tams/v8.2 (and `POST /service`, taking 8.2's
 * example body), each answer valid against the 8.2 spec's own schemas (8.2's `service.json`,
 * its `$ref`s resolved as the 7.0 answers' are: test/helpers/spec-oracle.ts), the timeouts
 * taken from the settings that govern them, the identity shared with 7.0's /service (one
 * store), and each version's answer within its own spec.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mountClient } from '../helpers/mounts.ts';
import { type HttpClient, startServer, type TestServer } from '../helpers/server.ts';
import { assertSpecValid } from '../helpers/spec-schemas.ts';
import { SPEC_8_2_DIR, spec82 } from '../helpers/spec82-schemas.ts';
import { type Doc, expectError, getAndHead } from './fixtures.ts';

let server: TestServer;
let v8: HttpClient;
beforeAll(async () => {
  server = await startServer({
    env: {
      TAMS_SERVICE_NAME: 'one store',
      TAMS_UNUSED_OBJECT_GRACE_SECONDS: '600',
      TAMS_PRESIGN_EXPIRY_SECONDS: '120',
    },
  });
  v8 = mountClient(server, '/tams/v8.2');
});
afterAll(async () => {
  await server?.close();
});

describe('GET /tams/v8.2/service', () => {
  it("is a valid 8.2 service.json: api_version 8.2, and the timeouts of this store's settings", async () => {
    const res = await getAndHead<Doc>(v8, '/service');
    expect(res.status).toBe(200);
    spec82.assertSpecValid('service.json', res.body);
    expect(res.body).toMatchObject({
      api_version: '8.2',
      name: 'one store',
      // TAMS_UNUSED_OBJECT_GRACE_SECONDS: allocated objects unused this long are released.
      min_object_timeout: '600:0',
      // TAMS_PRESIGN_EXPIRY_SECONDS: how long put_url and get_urls stay valid.
      min_presigned_url_timeout: '120:0',
    });
    expect(res.body.type).toMatch(/^urn:x-tams:service/);
    // 7.0's event stream mechanisms are not 8.2's: 8.2's own webhooks alone (the root's event
    // stream sends 7.0 bodies).
    expect((res.body.event_stream_mechanisms as Doc[]).map((m) => m.name)).toEqual(['webhooks']);
  });

  it('shares the identity 7.0 writes, and 7.0 answers within 7.0', async () => {
    expect((await server.post('/service', { name: 'renamed through 7.0' })).status).toBe(200);
    const eight = await v8.get<Doc>('/service');
    spec82.assertSpecValid('service.json', eight.body);
    expect(eight.body.name).toBe('renamed through 7.0');
    const seven = await server.get<Doc>('/service');
    assertSpecValid('service.json', seven.body);
    expect(seven.body.api_version).toBe('7.0');
    expect(seven.body).not.toHaveProperty('min_object_timeout');
    expect(seven.body).not.toHaveProperty('min_presigned_url_timeout');
    // The oracles differ: 7.0's answer is no 8.2 service.json (it lacks min_object_timeout).
    expect(spec82.specErrors('service.json', seven.body).map((e) => e.params)).toEqual([
      { missingProperty: 'min_object_timeout' },
    ]);
    const { api_version: _7, event_stream_mechanisms: _streams, ...sevenRest } = seven.body;
    const {
      api_version: _8,
      event_stream_mechanisms: _webhooks,
      min_object_timeout: _o,
      min_presigned_url_timeout: _p,
      ...eightRest
    } = eight.body;
    expect(eightRest).toEqual(sevenRest);
  });
});

describe('POST /tams/v8.2/service', () => {
  it("takes 8.2's service-post example, and 7.0 sees the change (one store)", async () => {
    const example = JSON.parse(readFileSync(`${SPEC_8_2_DIR}examples/service-post.json`, 'utf8'));
    const res = await v8.post('/service', example);
    expect(res.status, res.text).toBe(200);
    expect(res.text).toBe('');
    const eight = await v8.get<Doc>('/service');
    spec82.assertSpecValid('service.json', eight.body);
    expect(eight.body).toMatchObject(example);
    expect((await server.get<Doc>('/service')).body).toMatchObject(example);
  });

  it('refuses what is no service-post.json', async () => {
    expectError(await v8.post('/service', { name: 42 }), 400);
  });
});

describe('GET /tams/v8.2/', () => {
  it('lists what the 8.2 mount serves', async () => {
    const res = await getAndHead<string[]>(v8, '/');
    expect(res.status).toBe(200);
    expect(res.body).toEqual(['service', 'flows', 'sources', 'flow-delete-requests']);
    expect((await server.get('/tams/v8.2')).body).toEqual(res.body);
  });

  it('answers what it does not serve with 404 and the TAMS error body', async () => {
    // The event stream is a wing at the root alone, not a TAMS path of any mount.
    expectError(await v8.get('/events'), 404);
    expectError(await v8.get('/no-such-resource'), 404);
  });
});
