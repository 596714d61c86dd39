/**
 * The group commit's fallback (issue 17, item 1b): when the shared transaction of a batch of
 * registrations fails for a reason no validation caught, the requests are registered again one
 * transaction each, so only the one that caused it fails. Provoked for real, with values handed
 * to the segments service directly (the HTTP layer refuses them before the service, so here
 * nothing does): a lone surrogate makes DuckDB's JSON reader refuse the insert of the segments'
 * get_urls; U+0000 in an object id makes the PostgreSQL engine refuse the insert.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { FlowSegmentPost } from '../../src/segments/segments.schemas.ts';
import { TEST_ENGINE } from '../helpers/engine.mode.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { allSegments, newFlow, objectIds, secs } from './helpers.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());

/**
 * What the service lets through and the engine's insert refuses: DuckDB's JSON reader a lone
 * surrogate in get_urls; PostgreSQL's text U+0000 in the object id (it refuses it before sending).
 * None on VAST: it stores JSON as text, where the escaped surrogate is valid, and U+0000 as sent.
 */
const PROVOCATION = {
  duckdb: { poison: (id: string) => ({ object_id: id, label: 'lone \ud800' }), reason: /surrogate/ },
  postgres: { poison: (id: string) => ({ object_id: `${id}\u0000`, label: 'x' }), reason: /U\+0000/ },
  vast: undefined,
}[TEST_ENGINE];

it.skipIf(PROVOCATION === undefined)(
  'fails only the registration whose insert fails; the rest of its batch is registered',
  async () => {
    if (PROVOCATION === undefined) return;
    const [flowA, flowB] = [await newFlow(server), await newFlow(server)];
    const [a1, a2, a3] = (await objectIds(server, flowA, 3)) as [string, string, string];
    const [b1] = (await objectIds(server, flowB, 1)) as [string];
    const poison = (start: number): FlowSegmentPost => {
      const { object_id, label } = PROVOCATION.poison(`external-poison-${start}`);
      return {
        object_id,
        timerange: secs(start, start + 10),
        get_urls: [{ url: 'https://cdn.test/x', label }],
      };
    };
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
      if (s.status === 'rejected') expect(String(s.reason)).toMatch(PROVOCATION.reason);
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
