/**
 * The /analytics routes with authentication required: every report and the export need the read
 * scope (they show what the TAMS reads show), nothing without credentials.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, startAuthServer } from '../auth/auth.fixture.ts';
import type { TestServer } from '../helpers/server.ts';
import { expectError } from '../http/fixtures.ts';

const FLOW = '10000000-0000-4000-8000-00000000000a';
const ROUTES = [
  `/analytics/flows/${FLOW}/usage`,
  `/analytics/flows/${FLOW}/coverage`,
  '/analytics/flows/top',
  '/analytics/storage',
  '/analytics/segments/durations',
  '/analytics/export?table=segments&format=csv',
];

let server: TestServer;
let reader: Record<string, string>;
let writer: Record<string, string>;

beforeAll(async () => {
  server = await startAuthServer({ TAMS_ANALYTICS: 'true' });
  const admin = server.runtime.auth.admin;
  reader = bearer((await admin.createToken({ name: 'analyst', scopes: ['read'] })).token);
  writer = bearer((await admin.createToken({ name: 'ingest', scopes: ['write'] })).token);
});
afterAll(async () => {
  await server?.close();
});

describe('/analytics and its scope', () => {
  it('answers the read scope', async () => {
    for (const path of ROUTES) {
      const res = await server.get(path, { headers: reader });
      // The Flow does not exist: 404 after authorisation, the rest 200.
      expect(res.status, path).toBe(path.includes(FLOW) ? 404 : 200);
    }
  });

  it('refuses other scopes (403) and no credentials (401), with TAMS error bodies', async () => {
    for (const path of ROUTES) {
      const denied = await server.get(path, { headers: writer });
      expectError(denied, 403);
      expect((denied.body as { summary: string }).summary).toContain('"read" scope');
      expectError(await server.get(path), 401);
    }
  });
});
