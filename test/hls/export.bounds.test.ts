/**
 * Export's timerange beyond the store's signed 64-bit nanoseconds (issue 60, item 8): a 400
 * naming the parameter, as the analytics answer, not a 200 with the whole Flow.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.ts';
import { type Doc, expectError } from '../http/fixtures.ts';
import { allocate, newFlow, secs, upload } from '../segments/helpers.ts';

let server: TestServer;
let flowId: string;
beforeAll(async () => {
  server = await startServer({ workers: false });
  flowId = await newFlow(server);
  const [object] = await allocate(server, flowId);
  if (!object) throw new Error('nothing allocated');
  await upload(object);
  const res = await server.post(`/flows/${flowId}/segments`, {
    object_id: object.object_id,
    timerange: secs(0, 2),
  });
  expect(res.status, res.text).toBe(201);
});
afterAll(() => server?.close());

describe('export with a timerange beyond int64 nanoseconds', () => {
  it('is a 400 naming query.timerange, to GET and HEAD', async () => {
    const outside = [
      '[9223372036:854775808]',
      '[0:0_9223372037:0)',
      '(-9223372036:854775809_0:0]',
      '[99999999999999999999:0_',
      '_-99999999999999999999:0)',
    ];
    for (const timerange of outside) {
      const res = await server.get(`/flows/${flowId}/export`, { query: { timerange } });
      expectError(res, 400);
      expect((res.body as Doc).summary, timerange).toMatch(/^query\.timerange\b.*64-bit/);
      expect((await server.head(`/flows/${flowId}/export`, { query: { timerange } })).status).toBe(400);
    }
  });

  it('the extremes themselves are times the store holds', async () => {
    const res = await server.get(`/flows/${flowId}/export`, {
      query: { timerange: '[-9223372036:854775808_9223372036:854775807]' },
    });
    expect(res.status).toBe(200);
  });
});
