import { describe, expect, it } from 'vitest';
import {
  FLOW,
  OTHER_FLOW,
  typicalSegment,
} from '../../../test/support/embedded/index/segment-index.testkit.ts';
import { keyOf, type SegmentRecord } from '../../store/segments.repo.ts';
import { FlowSegmentIndex } from './segment-index.flow.ts';
import { SegmentIndex } from './segment-index.registry.ts';

/** A loader the test resolves by hand, counting its calls. */
function gate(records: SegmentRecord[]) {
  const calls: ((rows: SegmentRecord[]) => void)[] = [];
  return {
    loader: () => new Promise<SegmentRecord[]>((resolve) => calls.push(resolve)),
    calls,
    release: (i = 0) => calls[i]?.(records),
  };
}

const two = [typicalSegment(0, 'store'), typicalSegment(1, 'store')];
const ofFlow = (flowId: string, records: SegmentRecord[]) => records.map((r) => ({ ...r, flow_id: flowId }));
const starts = (index: FlowSegmentIndex | undefined) =>
  index
    ?.overlapping(typicalSegment(0, 's').timerange.envelope(typicalSegment(99, 's').timerange))
    .map((s) => s.timerange.start);

describe('SegmentIndex', () => {
  it('loads a Flow once, sharing the load between concurrent callers', async () => {
    const indexes = new SegmentIndex();
    const g = gate(two);
    const a = indexes.load(FLOW, g.loader);
    const b = indexes.load(FLOW, g.loader);
    expect(indexes.peek(FLOW)).toBeUndefined();
    expect(indexes.stats().loading).toBe(1);
    await expect.poll(() => g.calls.length).toBe(1);
    g.release();
    const [ia, ib] = await Promise.all([a, b]);
    expect(ia).toBe(ib);
    expect(g.calls).toHaveLength(1);
    expect(indexes.get(FLOW)).toBe(ia);
    expect(await indexes.load(FLOW, g.loader)).toBe(ia);
    expect(g.calls).toHaveLength(1);
    expect(ia.size).toBe(2);
    expect(indexes.stats()).toMatchObject({ loads: 1, loadFailures: 0 });
  });

  it('forgets a failed load so the next caller retries', async () => {
    const indexes = new SegmentIndex();
    await expect(indexes.load(FLOW, () => Promise.reject(new Error('db down')))).rejects.toThrow('db down');
    expect(indexes.stats()).toMatchObject({ loading: 0, loadFailures: 1 });
    const index = await indexes.load(FLOW, async () => two);
    expect(index.size).toBe(2);
  });

  it('replays on a load the writes made while it read, whichever of them its snapshot holds', async () => {
    const indexes = new SegmentIndex();
    const g = gate([]);
    const pending = indexes.load(FLOW, g.loader);
    const added = typicalSegment(2, 'store');
    // Written while the load reads: an append, a removal, and a re-registration of a removed key.
    expect(indexes.afterWrite(FLOW, [{ insert: [added] }])).toBeUndefined();
    expect(indexes.afterWrite(FLOW, [{ remove: [keyOf(two[0] as SegmentRecord)] }])).toBeUndefined();
    const again = { ...(two[0] as SegmentRecord), object_id: 'again' };
    expect(indexes.afterWrite(FLOW, [{ insert: [again] }])).toBeUndefined();
    await expect.poll(() => g.calls.length).toBe(1);
    // The read saw the first write but not the others.
    g.calls[0]?.([...two, added]);
    const index = await pending;
    expect(indexes.get(FLOW)).toBe(index);
    expect(starts(index)).toEqual([0n, 2_000_000_000n, 4_000_000_000n]);
    expect(index.get(keyOf(again))?.object_id).toBe('again');
  });

  it('replays the writes of a transaction still committing when the load began', async () => {
    const indexes = new SegmentIndex();
    const tx = {};
    const added = typicalSegment(2, 'store');
    // Applied before the COMMIT; the load's read may then come before or after the COMMIT.
    indexes.afterWrite(FLOW, [{ insert: [added] }], tx);
    const before = await indexes.load(FLOW, async () => two);
    expect(before.size).toBe(3);
    indexes.drop(FLOW);
    indexes.settled(tx);
    const after = await indexes.load(FLOW, async () => two);
    expect(after.size).toBe(2);
  });

  it('drops the least recently used indexes beyond the budget, and counts them', async () => {
    const flows = ['a', 'b', 'c'].map((c) => `${c}${FLOW.slice(1)}`);
    const one = FlowSegmentIndex.from(
      flows[0] as string,
      ofFlow(flows[0] as string, two),
      new SegmentIndex().storageIds,
    ).memoryBytes();
    const indexes = new SegmentIndex({ budgetBytes: Math.floor(2.5 * one) });
    for (const f of flows.slice(0, 2)) await indexes.load(f, async () => ofFlow(f, two));
    expect(indexes.get(flows[0] as string)).toBeDefined();
    await indexes.load(flows[2] as string, async () => ofFlow(flows[2] as string, two));
    // b was used least recently (a was read after it).
    expect(indexes.loadedFlows()).toEqual([flows[0], flows[2]]);
    expect(indexes.stats()).toMatchObject({ flows: 2, evictions: 1, segments: 4 });
    expect(indexes.memoryBytes()).toBeLessThanOrEqual(indexes.budget as number);
    // A write keeps a Flow in use: a, written, outlives c.
    indexes.afterWrite(flows[0] as string, [
      { insert: [{ ...typicalSegment(3, 'store'), flow_id: flows[0] as string }] },
    ]);
    await indexes.load(flows[1] as string, async () => ofFlow(flows[1] as string, two));
    expect(indexes.loadedFlows()).toEqual([flows[0], flows[1]]);
  });

  it('saves a dropped index its load read rows after the snapshot for, and not one written a little', async () => {
    const flows = ['a', 'b', 'c', 'd'].map((c) => `${c}${FLOW.slice(1)}`) as [string, string, string, string];
    const storage = new SegmentIndex();
    const snapshot = (f: string) => FlowSegmentIndex.from(f, ofFlow(f, two), storage.storageIds);
    const saved: string[] = [];
    const indexes = new SegmentIndex({
      budgetBytes: Math.floor(1.5 * snapshot(FLOW).memoryBytes()),
      storageIds: storage.storageIds,
      hasSnapshot: () => true,
      saver: (flowId) => {
        saved.push(flowId);
        return true;
      },
    });
    const [tailed, exact, written, last] = flows;
    const rowAfter = (f: string) => ofFlow(f, [typicalSegment(2, 'store')]);
    // From its file and one row after it; from its file alone; then the next drops each.
    await indexes.loadMany([tailed], async (_ids, onFlow) =>
      onFlow(tailed, rowAfter(tailed), snapshot(tailed)),
    );
    await indexes.loadMany([exact], async (_ids, onFlow) => onFlow(exact, [], snapshot(exact)));
    expect(saved).toEqual([tailed]);
    // One write while loaded: the next load reads it after the file.
    indexes.afterWrite(exact, [{ insert: rowAfter(exact) }]);
    await indexes.loadMany([written], async (_ids, onFlow) => onFlow(written, [], snapshot(written)));
    expect(saved).toEqual([tailed]);
    await indexes.loadMany([last], async (_ids, onFlow) => onFlow(last, [], snapshot(last)));
    expect(saved).toEqual([tailed]);
    expect(indexes.stats()).toMatchObject({ evictions: 3, snapshotLoads: 4 });
  });

  it('never keeps an index larger than the whole budget, and does not ask for it again', async () => {
    const indexes = new SegmentIndex({ budgetBytes: 100 });
    const index = await indexes.load(FLOW, async () => two);
    expect(index.size).toBe(2);
    expect(indexes.peek(FLOW)).toBeUndefined();
    expect(indexes.wants(FLOW)).toBe(false);
    indexes.drop(FLOW);
    expect(indexes.wants(FLOW)).toBe(true);
  });

  it('loads several Flows with one read; Flows it does not report have no segments', async () => {
    const indexes = new SegmentIndex();
    const reads: string[][] = [];
    const loaded = await indexes.loadMany([FLOW, OTHER_FLOW, FLOW], async (ids, onFlow) => {
      reads.push([...ids]);
      onFlow(FLOW, two);
    });
    expect(loaded).toBe(2);
    expect(reads).toEqual([[FLOW, OTHER_FLOW]]);
    expect(indexes.get(FLOW)?.size).toBe(2);
    expect(indexes.get(OTHER_FLOW)?.size).toBe(0);
    // Nothing to read for Flows already loaded.
    expect(await indexes.loadMany([FLOW], async () => expect.fail('read again'))).toBe(0);
    const failed = await indexes.loadMany(['x'], async () => {
      throw new Error('db down');
    });
    expect(failed).toBe(0);
    expect(indexes.stats()).toMatchObject({ loading: 0, loadFailures: 1 });
  });

  it('applies writes to a loaded index, and drops it if they fail', async () => {
    const indexes = new SegmentIndex();
    await indexes.load(FLOW, async () => two);
    const bytes = indexes.memoryBytes();
    expect(indexes.afterWrite(FLOW, [{ insert: [typicalSegment(5, 'store')] }])).toBeUndefined();
    expect(indexes.get(FLOW)?.size).toBe(3);
    expect(indexes.memoryBytes()).toBeGreaterThanOrEqual(bytes);
    const error = indexes.afterWrite(FLOW, [{ insert: [typicalSegment(5, 'store')] }]);
    expect(error).toBeInstanceOf(Error);
    expect(indexes.get(FLOW)).toBeUndefined();
    expect(indexes.memoryBytes()).toBe(0);
  });

  it('sets, drops and reports', async () => {
    const indexes = new SegmentIndex();
    indexes.set(FLOW, FlowSegmentIndex.from(FLOW, two, indexes.storageIds));
    await indexes.load(OTHER_FLOW, async () => []);
    expect(() => indexes.set(FLOW, FlowSegmentIndex.from(OTHER_FLOW, [], indexes.storageIds))).toThrow();
    const stats = indexes.stats();
    expect(stats).toMatchObject({ flows: 2, loading: 0, segments: 2, storageIds: 1 });
    expect(stats.bytes).toBe(indexes.memoryBytes());
    expect(stats.bytes).toBeGreaterThan(2 * 35);
    indexes.drop(FLOW);
    expect(indexes.get(FLOW)).toBeUndefined();
    expect(indexes.get(OTHER_FLOW)).toBeDefined();
    const g = gate(two);
    const pending = indexes.load(FLOW, g.loader);
    indexes.dropAll();
    await expect.poll(() => g.calls.length).toBe(1);
    g.release();
    await pending;
    expect(indexes.stats()).toMatchObject({ flows: 0, loading: 0, segments: 0, bytes: 0 });
  });
});
