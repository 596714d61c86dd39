/**
 * The /exr routes with authentication required: the read scope lists and looks up, read and
 * write together inspect (POST: its answer is the catalogue's record), no credentials get 401
 * and a missing scope 403, each with the TAMS error body.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, bearer, startAuthServer } from '../auth/auth.fixture.ts';
import type { TestServer } from '../helpers/server.ts';
import { expectError } from '../http/fixtures.ts';
import { exrEnv, type FileDetail, gate, postBytes, sample } from './exr.fixtures.ts';

let server: TestServer;
let reader: Record<string, string>;
let writer: Record<string, string>;
let editor: Record<string, string>;

beforeAll(async () => {
  if (gate.skip) return;
  server = await startAuthServer(exrEnv());
  const admin = server.runtime.auth.admin;
  reader = bearer((await admin.createToken({ name: 'exr-reader', scopes: ['read'] })).token);
  writer = bearer((await admin.createToken({ name: 'exr-writer', scopes: ['write'] })).token);
  editor = bearer((await admin.createToken({ name: 'exr-editor', scopes: ['read', 'write'] })).token);
});
afterAll(async () => {
  await server?.close();
});

const READS = [
  '/exr/files',
  '/exr/stats',
  '/exr/lookup?path=a.exr',
  '/exr/files/0123456789abcdef0123456789abcdef',
];

describe.skipIf(gate.skip)(`/exr and its scopes${gate.note}`, () => {
  it('lets read and write inspect, and write alone neither inspect nor read', async () => {
    const bytes = sample('scanline_rgba_half_zip');
    const posted = await postBytes(server, bytes, { query: { path: 'auth/zip.exr' }, headers: editor });
    expect(posted.status, posted.text).toBe(200);
    const unread = await postBytes(server, bytes, { query: { path: 'auth/zip.exr' }, headers: writer });
    expectError({ ...unread, body: unread.body }, 403);
    expect((unread.body as { summary: string }).summary).toContain('"read" scope');
    for (const path of READS) {
      const res = await server.get(path, { headers: writer });
      expectError(res, 403);
      expect((res.body as { summary: string }).summary).toContain('"read" scope');
    }
    const denied = await postBytes(server, bytes, { headers: reader });
    expect(denied.status).toBe(403);
    expectError({ ...denied, body: denied.body }, 403);
    const anonymous = await postBytes(server, bytes);
    expect(anonymous.status).toBe(401);
    expectError({ ...anonymous, body: anonymous.body }, 401);
  });

  it('lets the read scope list and look up, and nothing without credentials', async () => {
    const found = await server.get<FileDetail>('/exr/lookup', {
      query: { path: 'auth/zip.exr' },
      headers: reader,
    });
    expect(found.status, found.text).toBe(200);
    const listed = await server.get<{ id: string }[]>('/exr/files', { headers: reader });
    expect(listed.body.map((f) => f.id)).toContain(found.body.id);
    expect((await server.get(`/exr/files/${found.body.id}`, { headers: reader })).status).toBe(200);
    expect((await server.get(`/exr/files/${found.body.id}/similar`, { headers: reader })).status).toBe(200);
    expect((await server.get('/exr/stats', { headers: reader })).status).toBe(200);
    for (const path of READS) expectError(await server.get(path), 401);
    const admin = bearer(ADMIN_TOKEN);
    expect((await server.post('/exr/inspect', { object_id: 'none' }, { headers: admin })).status).toBe(404);
  });
});
