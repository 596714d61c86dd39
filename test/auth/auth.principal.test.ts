/**
 * With authentication required: created_by/updated_by come from the authenticated principal
 * (API token, Basic user, JWT), and presigned media URLs work without API credentials while
 * unsigned media URLs need the read scope.
 */
import { randomBytes } from 'node:crypto';
import { get } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../helpers/server.ts';
import { type Doc, videoFlow } from '../http/fixtures.ts';
import {
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

interface GetUrl {
  url: string;
  presigned?: boolean;
}

let server: TestServer;
let key: SigningKey;
let ingest: Record<string, string>;
const ALICE_PASSWORD = 'alice password 1';

beforeAll(async () => {
  key = await signingKey('idp');
  server = await startAuthServer({
    TAMS_JWT_KEY: JSON.stringify(key.jwk),
    ...JWT_CLAIMS_ENV,
    TAMS_JWT_PRINCIPAL_CLAIM: 'preferred_username',
    // Every deletion becomes a deletion request, which has a created_by.
    TAMS_DELETE_SYNC_LIMIT: '0',
  });
  const admin = server.runtime.auth.admin;
  ingest = bearer(
    (await admin.createToken({ name: 'ingest-bot', scopes: ['read', 'write', 'delete'] })).token,
  );
  await admin.addUser('alice', ALICE_PASSWORD, ['read', 'write']);
});
afterAll(async () => {
  await server.close();
});

describe('principals', () => {
  it('a token, a Basic user and a JWT each appear as created_by / updated_by', async () => {
    const flow = videoFlow();
    expect((await server.put(`/flows/${flow.id}`, flow, { headers: ingest })).status).toBe(201);
    let got = (await server.get<Doc>(`/flows/${flow.id}`, { headers: ingest })).body;
    expect(got.created_by).toBe('ingest-bot');
    expect(got.updated_by).toBe('ingest-bot');
    const source = (await server.get<Doc>(`/sources/${flow.source_id}`, { headers: ingest })).body;
    expect(source.created_by).toBe('ingest-bot');

    const alice = basic('alice', ALICE_PASSWORD);
    expect(
      (await server.put(`/flows/${flow.id}/label`, JSON.stringify('by alice'), { headers: alice })).status,
    ).toBe(204);
    got = (await server.get<Doc>(`/flows/${flow.id}`, { headers: alice })).body;
    expect(got.created_by).toBe('ingest-bot');
    expect(got.updated_by).toBe('alice');

    const carol = bearer(await signJwt(key, { sub: 'c-123', claims: { preferred_username: 'carol' } }));
    expect(
      (await server.put(`/sources/${flow.source_id}/label`, JSON.stringify('by carol'), { headers: carol }))
        .status,
    ).toBe(204);
    expect((await server.get<Doc>(`/sources/${flow.source_id}`, { headers: carol })).body.updated_by).toBe(
      'carol',
    );
    // Without the configured claim, `sub` names the caller.
    const subOnly = bearer(await signJwt(key, { sub: 'svc-7' }));
    expect(
      (await server.put(`/flows/${flow.id}/description`, JSON.stringify('x'), { headers: subOnly })).status,
    ).toBe(204);
    expect((await server.get<Doc>(`/flows/${flow.id}`, { headers: subOnly })).body.updated_by).toBe('svc-7');
  });

  it('a deletion request records who asked for it', async () => {
    const flow = videoFlow();
    await server.put(`/flows/${flow.id}`, flow, { headers: ingest });
    await registerSegment(flow.id as string);
    const del = await server.delete<Doc>(`/flows/${flow.id}`, { headers: ingest });
    expect(del.status).toBe(202);
    expect(del.body.created_by).toBe('ingest-bot');
  });

  it('a Basic user without the delete scope cannot delete', async () => {
    const res = await server.delete<Doc>(`/flows/${videoFlow().id}`, {
      headers: basic('alice', ALICE_PASSWORD),
    });
    expect(res.status).toBe(403);
    expect(res.headers.get('www-authenticate')).toBeNull();
    expect(String(res.body.summary)).toContain('"delete" scope');
  });
});

/** Allocates, uploads through the presigned put_url (without API credentials) and registers. */
async function registerSegment(flowId: string): Promise<Buffer> {
  const alloc = await server.post<{ media_objects: { object_id: string; put_url: { url: string } }[] }>(
    `/flows/${flowId}/storage`,
    { limit: 1 },
    { headers: ingest },
  );
  const object = alloc.body.media_objects[0];
  if (!object) throw new Error('no object allocated');
  const bytes = randomBytes(1000);
  const put = await fetch(object.put_url.url, {
    method: 'PUT',
    headers: { 'content-type': 'video/mp2t' },
    body: bytes,
  });
  expect(put.status).toBe(200);
  const seg = { object_id: object.object_id, timerange: '[0:0_10:0)' };
  expect((await server.post(`/flows/${flowId}/segments`, seg, { headers: ingest })).status).toBe(201);
  return bytes;
}

describe('media URLs', () => {
  it('presigned URLs need no API credentials; unsigned ones need the read scope', async () => {
    const flow = videoFlow();
    await server.put(`/flows/${flow.id}`, flow, { headers: ingest });
    const bytes = await registerSegment(flow.id as string);
    const listed = await server.get<{ get_urls?: GetUrl[] }[]>(`/flows/${flow.id}/segments`, {
      headers: ingest,
    });
    const urls = listed.body[0]?.get_urls ?? [];
    const signed = urls.find((u) => u.presigned)?.url ?? '';
    const direct = urls.find((u) => u.presigned === false)?.url ?? '';
    expect(signed).toContain('sig=');
    expect(direct).not.toContain('sig=');

    const fromSigned = await fetch(signed);
    expect(fromSigned.status).toBe(200);
    expect(Buffer.from(await fromSigned.arrayBuffer()).equals(bytes)).toBe(true);
    expect((await fetch(signed, { method: 'HEAD' })).status).toBe(200);

    const anonymous = await fetch(direct);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toContain('Bearer');
    expect((await fetch(direct, { headers: ingest })).status).toBe(200);
    expect((await fetch(`${direct}?access_token=${ADMIN_TOKEN}`)).status).toBe(200);
    // A forged signature is the media route's to refuse (403), not a missing credential.
    expect((await fetch(`${signed.replace(/sig=[^&]+/, 'sig=forged')}`)).status).toBe(403);
  });
});

describe('401 challenges', () => {
  // node:http, not fetch: fetch sets Sec-Fetch-Mode itself (always cors).
  const challenge = (headers: Record<string, string>) =>
    new Promise<string>((resolve, reject) => {
      get(`${server.url}/service`, { headers }, (res) => {
        res.resume();
        resolve([res.headers['www-authenticate'] ?? ''].flat().join(', '));
      }).on('error', reject);
    });

  it('offer Bearer and Basic to clients that are not scripts in a web page', async () => {
    expect(await challenge({})).toMatch(/^Bearer realm="tams", Basic realm="tams"/);
    // Node's fetch sends Sec-Fetch-Mode: cors, but no Sec-Fetch-Site as browsers do.
    expect(await challenge({ 'sec-fetch-mode': 'cors' })).toContain('Basic realm="tams"');
    expect(await challenge({ 'sec-fetch-site': 'none', 'sec-fetch-mode': 'navigate' })).toContain(
      'Basic realm="tams"',
    );
  });

  it('offer only Bearer to fetch/XHR from a page, so the browser opens no login dialog over it', async () => {
    const page = { 'sec-fetch-site': 'same-origin', 'sec-fetch-mode': 'cors' };
    expect(await challenge(page)).toBe('Bearer realm="tams"');
    expect(await challenge({ ...page, 'sec-fetch-mode': 'same-origin' })).toBe('Bearer realm="tams"');
    // Basic credentials that failed are answered in their scheme, wherever they came from.
    const wrong = { ...basic(ADMIN_USER, 'wrong password!'), ...page };
    expect(await challenge(wrong)).toContain('Basic realm="tams"');
  });
});
