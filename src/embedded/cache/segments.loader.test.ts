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
  it('reads a Flow waited for at once, beside the batch under way, holds the next batch until then, and resolves its waiter after that read', async () => {
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
    await flush();
    // 'd' did not wait for 'a' nor queue behind 'b' and 'c'.
    expect(reads.map((r) => r.flowIds)).toEqual([['a'], ['d']]);
    reads[0]?.release();
    await flush();
    // The queue's next batch waits for the waited-for read to end.
    expect(reads.map((r) => r.flowIds)).toEqual([['a'], ['d']]);
    expect(settled).toBe(false);
    reads[1]?.release();
    await waiting;
    expect(settled).toBe(true);
    await flush();
    expect(reads.map((r) => r.flowIds)).toEqual([['a'], ['d'], ['b', 'c']]);
    reads[2]?.release();
    await loader.idle();
    expect(loader.queued).toBe(0);
  });

  it('does not wait for a Flow already loaded, and stop releases every waiter', async () => {
    const { read, reads } = heldReads();
    const index = new SegmentIndex();
    const loader = new SegmentIndexLoader(index, read, 2);
    loader.request('a');
    loader.request('b');
    await flush();
    const reading = loader.loaded('c');
    await flush();
    // 'c' is being read in the waited-for lane; 'd' waits behind it, 'b' behind 'a'.
    const queued = loader.loaded('d');
    expect(reads.map((r) => r.flowIds)).toEqual([['a'], ['c']]);
    const stopping = loader.stop();
    // Stop drops what is queued and releases its waiters at once; reads under way finish.
    await queued;
    for (const r of reads) r.release();
    await reading;
    await stopping;
    expect(reads.map((r) => r.flowIds)).toEqual([['a'], ['c']]);
    expect(index.peek('a')).toBeDefined();
    await loader.loaded('a');
    await loader.loaded('z');
  });
});
