import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onSharedEngine, TEST_ENGINE } from '../helpers/engine.mode.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { assertSpecValid, specExample } from '../helpers/spec-schemas.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server.close();
});

describe('smoke', () => {
  it('runs on the store path its test project asks for', () => {
    // The 'integration' project runs with the embedded accelerator, 'core' without;
    // 'vast' and 'postgres' on their engines (a shared database: the core store alone).
    expect(server.runtime.store.layered).toBe(process.env.TAMS_TEST_ACCELERATOR !== 'off' && !onSharedEngine);
    expect(server.runtime.db.topology.ownsStore).toBe(!onSharedEngine);
    expect(server.runtime.db.engine.name).toBe(TEST_ENGINE);
  });

  it('creates a flow from the spec example and reads it back', async () => {
    const flow = specExample('flow-get-200-video-h264.json') as Record<string, unknown>;
    const put = await server.put(`/flows/${flow.id}`, flow);
    expect(put.status).toBe(201);
    assertSpecValid('flow.json', put.body);
    const get = await server.get<Record<string, unknown>>(`/flows/${flow.id}`);
    expect(get.status).toBe(200);
    expect(get.body.essence_parameters).toEqual(flow.essence_parameters);
    const head = await server.head(`/flows/${flow.id}`);
    expect(head.status).toBe(200);
    expect(head.headers.get('content-type')).toBe('application/json');
  });
});
