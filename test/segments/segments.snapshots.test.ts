/**
 * Segment index snapshots (the embedded engine): a Flow whose index was dropped loads from its
 * snapshot file and the rows written after it instead of scanning the segments table, and every
 * answer stays what the database holds: after writes to a dropped Flow, after deletions (which
 * remove the file before their rows go), after a clean restart (files alone) and after the process
 * was killed (files plus the rows written since, read by their write sequence).
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpClient, startServer, type TestServer, tempDir } from '../helpers/server.ts';
import { expectError } from '../http/fixtures.ts';
import { spawnServer } from '../ops/child.ts';
import {
  accelerated,
  addSegments,
  crashDir,
  droppedFlow,
  expectReadsExact,
  FAST_WORKERS,
  filledFlows,
  indexStats,
  objectIds,
  type Spans,
  secs,
  timeranges,
  waitFor,
} from './helpers.ts';

const N = 40;
/** Room for two Flows' indexes of four (~2.5 KB each). */
const BUDGET = 6_000;

const snapshotFile = (dataDir: string, flowId: string) => join(dataDir, 'segment-index', `${flowId}.tsi`);

function statsOf(server: TestServer) {
  const s = indexStats(server);
  if (!s.snapshots) throw new Error('no segment index snapshots');
  return { ...s, snapshots: s.snapshots };
}

/** Reads every Flow until its index is loaded, then compares again from the index. */
async function expectAllExact(server: TestServer, expected: Spans): Promise<void> {
  for (const flowId of expected.keys()) {
    await expectReadsExact(server, expected, flowId);
    await server.runtime.accelerator?.segmentLoadsIdle();
    await expectReadsExact(server, expected, flowId);
  }
}

describe.skipIf(!accelerated)('segment index snapshots', () => {
  const dir = tempDir('tams-snapshots-');
  let server: TestServer;
  const flows: string[] = [];
  const expected: Spans = new Map();

  beforeAll(async () => {
    server = await startServer({ dataDir: dir.path, env: FAST_WORKERS, segmentIndexBytes: BUDGET });
    flows.push(...(await filledFlows(server, 4, N, expected)));
    await server.runtime.accelerator?.segmentLoadsIdle();
  });
  afterAll(async () => {
    await server?.close();
    dir.remove();
  });

  const dropped = () => droppedFlow(server, flows);

  it('writes a snapshot of every Flow loaded or dropped', async () => {
    for (const flowId of flows) expect(existsSync(snapshotFile(dir.path, flowId)), flowId).toBe(true);
    const s = statsOf(server);
    expect(s.evictions).toBeGreaterThan(0);
    expect(s.snapshots.written).toBeGreaterThanOrEqual(flows.length);
    expect(s.snapshots.writeFailures).toBe(0);
    // No temporary file is left behind.
    expect(readdirSync(join(dir.path, 'segment-index')).filter((f) => !f.endsWith('.tsi'))).toEqual([]);
  });

  it('loads a dropped Flow from its snapshot, with the segments written after it', async () => {
    const flowId = await dropped();
    const ids = await objectIds(server, flowId, 2);
    await addSegments(server, flowId, [
      { object_id: ids[0] as string, timerange: secs(N * 10, N * 10 + 10) },
      { object_id: ids[1] as string, timerange: secs(N * 10 + 10, N * 10 + 20) },
    ]);
    expected.get(flowId)?.push([N * 10, N * 10 + 10], [N * 10 + 10, N * 10 + 20]);
    const before = statsOf(server).snapshotLoads;
    await expectReadsExact(server, expected, flowId);
    await server.runtime.accelerator?.segmentLoadsIdle();
    expect(server.runtime.accelerator?.segmentIndexHolds(flowId)).toBe(true);
    expect(statsOf(server).snapshotLoads).toBeGreaterThan(before);
    await expectReadsExact(server, expected, flowId);
  });

  it('removes the snapshot of a Flow whose segments are deleted, and loads it exactly again', async () => {
    const flowId = await dropped();
    expect(existsSync(snapshotFile(dir.path, flowId))).toBe(true);
    const res = await server.delete(`/flows/${flowId}/segments`, { query: { timerange: '[0:0_25:0)' } });
    expect(res.status, res.text).toBe(204);
    expected.set(
      flowId,
      (expected.get(flowId) ?? []).filter(([a]) => a >= 20),
    );
    await expectReadsExact(server, expected, flowId);
    await server.runtime.accelerator?.segmentLoadsIdle();
    await expectReadsExact(server, expected, flowId);
    // Loaded again by a scan, so snapshotted again: the deleted segments are not in it.
    for (const other of flows) if (other !== flowId) await timeranges(server, other, { limit: 1 });
    await server.runtime.accelerator?.segmentLoadsIdle();
    expect(existsSync(snapshotFile(dir.path, flowId))).toBe(true);
  });

  it('loads every Flow from its snapshot alone after a clean restart', async () => {
    await server.close();
    server = await startServer({
      dataDir: dir.path,
      env: { ...FAST_WORKERS, TAMS_SEGMENT_INDEX_WARMUP_PERCENT: '0' },
      segmentIndexBytes: BUDGET,
    });
    await expectAllExact(server, expected);
    const s = statsOf(server);
    expect(s.loads).toBeGreaterThanOrEqual(flows.length);
    expect(s.snapshotLoads).toBe(s.loads);
    expect(s.snapshots.rejected).toBe(0);
    // Reads waited for those loads (a file each) instead of reading the database.
    expect(s.databaseReads).toBe(0);
  });

  it('ignores a damaged snapshot file and loads the Flow by a scan', async () => {
    const flowId = await dropped();
    const file = snapshotFile(dir.path, flowId);
    const bytes = readFileSync(file);
    bytes[bytes.length - 20] = (bytes[bytes.length - 20] ?? 0) ^ 0xff;
    writeFileSync(file, bytes);
    const rejected = statsOf(server).snapshots.rejected;
    await expectReadsExact(server, expected, flowId);
    await server.runtime.accelerator?.segmentLoadsIdle();
    expect(statsOf(server).snapshots.rejected).toBe(rejected + 1);
    expect(server.runtime.accelerator?.segmentIndexHolds(flowId)).toBe(true);
    await expectReadsExact(server, expected, flowId);
  });
});

describe.skipIf(!accelerated)('segment index snapshots after the process was killed', () => {
  const { dir, running, kill } = crashDir('tams-snapshots-killed-');

  it('answers exactly from the snapshots and the rows written after them', async () => {
    const child = await spawnServer({ TAMS_DATA_DIR: dir.path, ...FAST_WORKERS });
    running.child = child;
    const http = httpClient(child.url);
    const expected: Spans = new Map();
    const flows = await filledFlows(http, 3, N, expected);
    const [written, deleted, untouched] = flows as [string, string, string];
    // Each Flow's read asked for its index, which loaded by a scan and was snapshotted.
    await waitFor('every Flow to have a snapshot', async () =>
      flows.every((f) => existsSync(snapshotFile(dir.path, f))),
    );
    const ids = await objectIds(http, written, 2);
    await addSegments(http, written, [
      { object_id: ids[0] as string, timerange: secs(N * 10, N * 10 + 10) },
      { object_id: ids[1] as string, timerange: secs(N * 10 + 10, N * 10 + 20) },
    ]);
    expected.get(written)?.push([N * 10, N * 10 + 10], [N * 10 + 10, N * 10 + 20]);
    const res = await http.delete(`/flows/${deleted}/segments`, { query: { timerange: '[0:0_25:0)' } });
    expect(res.status, res.text).toBe(204);
    expected.set(
      deleted,
      (expected.get(deleted) ?? []).filter(([a]) => a >= 20),
    );
    // The deletion removed the file before it answered.
    expect(existsSync(snapshotFile(dir.path, deleted))).toBe(false);
    await kill();

    const server = await startServer({
      dataDir: dir.path,
      env: { ...FAST_WORKERS, TAMS_SEGMENT_INDEX_WARMUP_PERCENT: '0' },
    });
    running.server = server;
    // Before anything loads it: the timerange the kill may have left behind was set again from the
    // segments at start, so a segment overlapping the last one written is refused.
    const [again] = await objectIds(server, written, 1);
    const overlap = { object_id: again, timerange: secs(N * 10 + 15, N * 10 + 25) };
    expectError(await server.post(`/flows/${written}/segments`, overlap), 400);
    await expectAllExact(server, expected);
    const s = statsOf(server);
    // The written and the untouched Flow at least came from their files.
    expect(s.snapshotLoads).toBeGreaterThanOrEqual(2);
    expect(s.loadFailures).toBe(0);
    expect(existsSync(snapshotFile(dir.path, untouched))).toBe(true);
  });
});
