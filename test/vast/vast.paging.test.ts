/**
 * QueryData pages that move no sub-split forward, at the HTTP level, the server on the VAST
 * engine over the fake (`vast` project only: test/helpers/vast.mode.ts). VAST's SDK pages on
 * such an answer as on any other; the engine sends the page again a bounded number of times
 * (QuerySettings.stalls), so a few of them cost round trips and nothing else, and a cluster that
 * never progresses ends in a 503 saying so rather than a loop.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_QUERY } from '../../src/db/engines/vast/vast.select.ts';
import type { FakeRequestInfo } from '../../tools/vast-fake/fake.faults.ts';
import type { FakeVast } from '../../tools/vast-fake/fake.server.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { sharedFakeVast } from '../helpers/vast.mode.ts';
import { createFlow, type Doc, expectError, videoFlow } from '../http/fixtures.ts';

let server: TestServer;
let vast: FakeVast;
let flowId: string;
beforeAll(async () => {
  server = await startServer({ workers: false });
  vast = await sharedFakeVast();
  flowId = (await createFlow(server, videoFlow({ label: 'paged' }))).id as string;
});
afterEach(() => {
  vast.faults.clear();
});
afterAll(async () => {
  await server?.close();
});

/** A QueryData on the flows table. */
const onFlows = (req: FakeRequestInfo) => /\/flows(\?|$)/.test(req.target);

describe('QueryData pages without progress', () => {
  it('are sent again, and the read answers as without them', async () => {
    const fired = vast.stats.faultsFired;
    vast.faults.stallPages({ match: onFlows, times: 2 });
    const res = await server.get<Doc>(`/flows/${flowId}`);
    expect(res.status, res.text).toBe(200);
    expect(res.body.label).toBe('paged');
    expect(vast.stats.faultsFired - fired).toBe(2);
  });

  it('that never progress end in a 503 saying so, after a bounded number of pages', async () => {
    let asked = 0;
    vast.faults.stallPages({
      match: (req) => {
        if (!onFlows(req)) return false;
        asked++;
        return true;
      },
    });
    const res = await server.get(`/flows/${flowId}`);
    expectError(res, 503);
    expect((res.body as Doc).summary).toMatch(
      /VAST DataBase\) is unavailable: a query made no progress on the cluster \(\d+ pages in a row moved no sub-split forward\)/,
    );
    // The first page and the bounded re-sends: no loop.
    expect(asked).toBe(1 + DEFAULT_QUERY.stalls);
    vast.faults.clear();
    expect((await server.get(`/flows/${flowId}`)).status).toBe(200);
  });
});
