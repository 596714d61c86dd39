/**
 * The integrity check under a time budget (what the support bundle gives it): stopped, it says
 * where, and counts only what it read; with time enough, it reads the whole store.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyStore } from '../../src/store/verify/verify.store.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { createFlow, videoFlow } from '../http/fixtures.ts';
import { fillFlow } from '../segments/helpers.ts';

describe('verify under a budget', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({ workers: false });
    const flow = videoFlow();
    await createFlow(server, flow);
    await fillFlow(server, flow.id as string, 5);
  });
  afterAll(() => server.close());

  it('stops where it is when the budget is spent, and reads everything otherwise', async () => {
    const stopped = await verifyStore(server.runtime, { signal: AbortSignal.abort() });
    expect(stopped.stopped).toEqual({ pass: 'objects', segmentsChecked: 0 });
    expect(stopped.segments).toBe(5);
    const whole = await verifyStore(server.runtime, { signal: AbortSignal.timeout(60_000) });
    expect(whole.stopped).toBeUndefined();
    expect(whole.overlappingSegments.count + whole.segmentsWithoutObjects.count).toBe(0);
  });
});
