/**
 * GET /sources/flow-summaries (src/ui/ui.sources.routes.ts): what the web UI's Sources list
 * shows of a page of Sources (each one's Flow count and its Flows' label), in one request.
 * Runs on every engine (the integration, core, vast and postgres projects).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, startAuthServer, withCredentials } from '../auth/auth.fixture.ts';
import type { TestServer } from '../helpers/server.ts';
import { createFlow, uuid, videoFlow } from './fixtures.ts';

interface Summary {
  source_id: string;
  flow_count: number;
  more_flows: boolean;
  flow_label?: string;
}

let server: TestServer;
let reader: TestServer;
let writer: TestServer;
beforeAll(async () => {
  server = await startAuthServer({});
  const tokens = server.runtime.auth.admin;
  reader = withCredentials(
    server,
    bearer((await tokens.createToken({ name: 'viewer', scopes: ['read'] })).token),
  );
  writer = withCredentials(
    server,
    bearer((await tokens.createToken({ name: 'ingest', scopes: ['write'] })).token),
  );
});
afterAll(async () => {
  await server?.close();
});

const summaries = (ids: string[]) =>
  reader.get<Summary[]>('/sources/flow-summaries', { query: { source_id: ids.join(',') } });

describe('GET /sources/flow-summaries', () => {
  it("counts each Source's Flows and gives an unlabelled Source its Flow's label, in the order asked", async () => {
    const two = uuid();
    const one = uuid();
    const none = uuid();
    await createFlow(writer, videoFlow({ source_id: two }));
    await createFlow(writer, videoFlow({ source_id: two, label: 'Harbour at dawn' }));
    await createFlow(writer, videoFlow({ source_id: one }));
    const res = await summaries([one, none, two]);
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual([
      { source_id: one, flow_count: 1, more_flows: false },
      { source_id: none, flow_count: 0, more_flows: false },
      { source_id: two, flow_count: 2, more_flows: false, flow_label: 'Harbour at dawn' },
    ]);
  });

  it('counts up to 100 Flows, and says when a Source has more', async () => {
    const crowded = uuid();
    for (let i = 0; i < 101; i++) await createFlow(writer, videoFlow({ source_id: crowded }));
    const res = await summaries([crowded]);
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual([{ source_id: crowded, flow_count: 100, more_flows: true }]);
  });

  it('answers a page of 100 Sources at once, and refuses 101 or ids that are not UUIDs with a 400', async () => {
    const ids = Array.from({ length: 100 }, uuid);
    const page = await summaries(ids);
    expect(page.status, page.text).toBe(200);
    expect(page.body.map((s) => s.source_id)).toEqual(ids);
    for (const bad of [[...ids, uuid()].join(','), 'not-a-uuid', '', `${uuid()},`]) {
      const res = await reader.get<{ type: string }>('/sources/flow-summaries', {
        query: { source_id: bad },
      });
      expect(res.status, bad).toBe(400);
      expect(res.body.type).toBe('BadRequest');
    }
  });

  it('needs the read scope, as GET /flows does', async () => {
    const res = await writer.get<{ type: string }>('/sources/flow-summaries', {
      query: { source_id: uuid() },
    });
    expect(res.status, res.text).toBe(403);
    expect(res.body.type).toBe('Forbidden');
    const anonymous = await server.get('/sources/flow-summaries', { query: { source_id: uuid() } });
    expect(anonymous.status).toBe(401);
  });
});
