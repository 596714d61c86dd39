/**
 * The group commit's fallback (issue 17, item 1b): when the shared transaction of a batch of
 * registrations fails for a reason no validation caught, the requests are registered again one
 * transaction each, so only the one that caused it fails. Provoked for real: a lone surrogate
 * handed to the segments service directly (the HTTP layer refuses it before the service, so
 * here nothing does) makes DuckDB's JSON reader refuse the insert of the segments' get_urls.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { FlowSegmentPost } from '../../src/segments/segments.schemas.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { allSegments, newFlow, objectIds, secs } from './helpers.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());

// DuckDB-specific provocation: VAST stores JSON as text, and the escaped surrogate is valid text.
it.skipIf(process.env.TAMS_TEST_ENGINE === 'vast')(
  'fails only the registration whose insert fails; the rest of its batch is registered',
  async () => {
    const [flowA, flowB] = [await newFlow(server), await newFlow(server)];
    const [a1, a2, a3] = (await objectIds(server, flowA, 3)) as [string, string, string];
    const [b1] = (await objectIds(server, flowB, 1)) as [string];
    const poison = (start: number): FlowSegmentPost => ({
      object_id: `external-poison-${start}`,
      timerange: secs(start, start + 10),
      get_urls: [{ url: 'https://cdn.test/x', label: 'lone \ud800' }],
    });
    const { segments } = server.runtime;
    // Submitted in one turn of the event loop: one batch, one transaction.
    const settled = await Promise.allSettled([
      segments.register(flowA, { object_id: a1, timerange: secs(0, 10) }),
      segments.register(flowB, [{ object_id: b1, timerange: secs(0, 10) }, poison(10)]),
      segments.register(flowA, [
        { object_id: a2, timerange: secs(10, 20) },
        { object_id: a3, timerange: secs(20, 30) },
      ]),
      segments.register(flowB, poison(20)),
    ]);
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'rejected']);
    expect(settled.map((s) => (s.status === 'fulfilled' ? s.value : undefined))).toEqual([
      [],
      undefined,
      [],
      undefined,
    ]);
    for (const s of settled) {
      if (s.status === 'rejected') expect(String(s.reason)).toMatch(/surrogate/);
    }
    expect((await allSegments(server, flowA)).map((s) => s.object_id)).toEqual([a1, a2, a3]);
    // The failed request registered nothing, its valid segment included (a server fault is a 500
    // for the whole request, not a partial success).
    expect(await allSegments(server, flowB)).toEqual([]);
    const flow = await server.get<{ timerange: string }>(`/flows/${flowA}`, {
      query: { include_timerange: true },
    });
    expect(flow.body.timerange).toBe('[0:0_30:0)');
    // And the store is usable afterwards: the poisoned Flow takes a clean registration.
    await segments.register(flowB, { object_id: b1, timerange: secs(0, 10) });
    expect((await allSegments(server, flowB)).map((s) => s.object_id)).toEqual([b1]);
  },
);
