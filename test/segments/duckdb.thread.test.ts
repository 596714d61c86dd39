/**
 * The server with TAMS_DUCKDB_THREAD (the embedded engine on a worker thread, which holds a
 * transaction's inserts and sends them with its COMMIT): concurrent single POSTs and a bulk POST
 * are registered, refused segments leave nothing behind, and everything is there after a restart.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { startServer, tempDir } from '../helpers/server.ts';
import { addSegments, allSegments, contiguous, newFlow, objectIds } from './helpers.ts';

const dir = tempDir('tams-thread-');
afterAll(() => dir.remove());
const THREAD = { TAMS_DUCKDB_THREAD: 'true' };
/** The engine's thread shows as one more active MessagePort while the server is open. */
const ports = () => process.getActiveResourcesInfo().filter((r) => r === 'MessagePort').length;

describe('TAMS_DUCKDB_THREAD', () => {
  it('registers concurrent and bulk segments, refuses overlaps, and keeps them across a restart', async () => {
    let flowIds: string[] = [];
    let expected: string[][] = [];
    const before = ports();
    const first = await startServer({ dataDir: dir.path, env: THREAD });
    expect(ports()).toBe(before + 1);
    try {
      flowIds = [await newFlow(first), await newFlow(first), await newFlow(first)];
      const ids = await Promise.all(flowIds.map((f) => objectIds(first, f, 40)));
      // Single-segment POSTs from all Flows at once: registered in shared transactions.
      await Promise.all(
        flowIds.map(async (flowId, f) => {
          const segments = contiguous((ids[f] as string[]).slice(0, 20));
          await Promise.all(segments.map((s) => addSegments(first, flowId, s)));
        }),
      );
      // One bulk POST, and one whose every segment overlaps: nothing of it is stored.
      await addSegments(first, flowIds[0] as string, contiguous((ids[0] as string[]).slice(20), 200));
      const overlapping = await first.post(`/flows/${flowIds[1]}/segments`, {
        object_id: (ids[1] as string[])[25],
        timerange: '[5:0_15:0)',
      });
      expect(overlapping.status).toBe(400);
      expected = await Promise.all(
        flowIds.map(async (f) => (await allSegments(first, f)).map((s) => `${s.timerange} ${s.object_id}`)),
      );
      expect(expected.map((e) => e.length)).toEqual([40, 20, 20]);
      expect(expected[1]).not.toContain(`[5:0_15:0) ${(ids[1] as string[])[25]}`);
    } finally {
      await first.close();
    }
    expect(ports()).toBe(before);

    const second = await startServer({ dataDir: dir.path, env: THREAD });
    try {
      const after = await Promise.all(
        flowIds.map(async (f) => (await allSegments(second, f)).map((s) => `${s.timerange} ${s.object_id}`)),
      );
      expect(after).toEqual(expected);
    } finally {
      await second.close();
    }
  });
});
