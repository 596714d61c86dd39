import { describe, expect, it } from 'vitest';
import type { SegmentRecord } from '../segments.repo.ts';
import { FlowSegmentIndex } from './segment-index.flow.ts';
import { SegmentIndex } from './segment-index.registry.ts';
import { FLOW, OTHER_FLOW, typicalSegment } from './segment-index.testkit.ts';

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

describe('SegmentIndex', () => {
  it('loads a Flow once, sharing the load between concurrent callers', async () => {
    const indexes = new SegmentIndex();
    const g = gate(two);
    const a = indexes.load(FLOW, g.loader);
    const b = indexes.load(FLOW, g.loader);
    expect(indexes.get(FLOW)).toBeUndefined();
    expect(indexes.stats().loading).toBe(1);
    g.release();
    const [ia, ib] = await Promise.all([a, b]);
    expect(ia).toBe(ib);
    expect(g.calls).toHaveLength(1);
    expect(indexes.get(FLOW)).toBe(ia);
    expect(await indexes.load(FLOW, g.loader)).toBe(ia);
    expect(g.calls).toHaveLength(1);
    expect(ia.size).toBe(2);
  });

  it('forgets a failed load so the next caller retries', async () => {
    const indexes = new SegmentIndex();
    await expect(indexes.load(FLOW, () => Promise.reject(new Error('db down')))).rejects.toThrow('db down');
    expect(indexes.stats().loading).toBe(0);
    const index = await indexes.load(FLOW, async () => two);
    expect(index.size).toBe(2);
  });

  it('does not keep a load overtaken by a write, and later callers load afresh', async () => {
    const indexes = new SegmentIndex();
    const g = gate(two);
    const early = indexes.load(FLOW, g.loader);
    let applied = false;
    expect(indexes.afterWrite(FLOW, () => (applied = true))).toBeUndefined();
    expect(applied).toBe(false);
    const late = indexes.load(FLOW, g.loader);
    expect(g.calls).toHaveLength(2);
    g.release(0);
    expect((await early).size).toBe(2);
    expect(indexes.get(FLOW)).toBeUndefined();
    const fresh = [...two, typicalSegment(2, 'store')];
    g.calls[1]?.(fresh);
    expect((await late).size).toBe(3);
    expect(indexes.get(FLOW)).toBe(await late);
  });

  it('applies writes to a loaded index, and drops it if they fail', async () => {
    const indexes = new SegmentIndex();
    await indexes.load(FLOW, async () => two);
    expect(indexes.afterWrite(FLOW, (index) => index.insert([typicalSegment(5, 'store')]))).toBeUndefined();
    expect(indexes.get(FLOW)?.size).toBe(3);
    const error = indexes.afterWrite(FLOW, (index) => index.insert([typicalSegment(5, 'store')]));
    expect(error).toBeInstanceOf(Error);
    expect(indexes.get(FLOW)).toBeUndefined();
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
    g.release();
    await pending;
    expect(indexes.stats()).toMatchObject({ flows: 0, loading: 0, segments: 0 });
  });
});
