import { describe, expect, it } from 'vitest';
import type { BatchReader } from '../index/segment-index.registry.ts';
import { SegmentIndex } from '../index/segment-index.registry.ts';
import { SegmentIndexLoader } from './segments.loader.ts';

/** A batch reader the test answers by hand: each read waits until released. */
function heldReads() {
  const reads: { flowIds: readonly string[]; release: () => void }[] = [];
  const read: BatchReader = (flowIds) =>
    new Promise<void>((resolve) => {
      reads.push({ flowIds, release: resolve });
    });
  return { read, reads };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('SegmentIndexLoader', () => {
  it('reads a Flow waited for before the Flows only asked for, and resolves its waiter after that read', async () => {
    const { read, reads } = heldReads();
    const loader = new SegmentIndexLoader(new SegmentIndex(), read, 2);
    for (const id of ['a', 'b', 'c', 'd']) loader.request(id);
    await flush();
    // The first request starts a read at once; the others queue behind it.
    expect(reads.map((r) => r.flowIds)).toEqual([['a']]);
    let settled = false;
    const waiting = loader.loaded('d').then(() => {
      settled = true;
    });
    reads[0]?.release();
    await flush();
    // 'd' jumped the queue: the next read is 'd' with 'b', and 'c' waits.
    expect(reads.map((r) => r.flowIds)).toEqual([['a'], ['d', 'b']]);
    expect(settled).toBe(false);
    reads[1]?.release();
    await waiting;
    expect(settled).toBe(true);
    expect(loader.queued).toBe(0);
    expect(reads.map((r) => r.flowIds)).toEqual([['a'], ['d', 'b'], ['c']]);
    reads[2]?.release();
    await loader.idle();
  });

  it('does not wait for a Flow already loaded, and stop releases every waiter', async () => {
    const { read, reads } = heldReads();
    const index = new SegmentIndex();
    const loader = new SegmentIndexLoader(index, read, 2);
    loader.request('a');
    await flush();
    const waiting = loader.loaded('b');
    const stopping = loader.stop();
    await waiting;
    reads[0]?.release();
    await stopping;
    expect(reads).toHaveLength(1);
    await loader.loaded('a');
    await loader.loaded('z');
  });
});
