import { describe, expect, it } from 'vitest';
import { Batcher } from './batcher.ts';

describe('Batcher', () => {
  it('processes a lone item at once and groups items that arrive meanwhile', async () => {
    const batches: number[][] = [];
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const batcher = new Batcher<number, number>(async (items) => {
      batches.push(items);
      if (batches.length === 1) await gate;
      return items.map((i) => i * 10);
    }, 100);
    const first = batcher.submit(1);
    const rest = [2, 3, 4].map((i) => batcher.submit(i));
    release();
    expect(await first).toBe(10);
    expect(await Promise.all(rest)).toEqual([20, 30, 40]);
    expect(batches).toEqual([[1], [2, 3, 4]]);
  });

  it('caps batches and fails items one by one or all together', async () => {
    const batches: string[][] = [];
    const batcher = new Batcher<string, string>(async (items) => {
      batches.push(items);
      if (items.includes('boom')) throw new Error('transaction failed');
      return items.map((i) => (i === 'bad' ? new Error(`bad item ${i}`) : i.toUpperCase()));
    }, 2);
    const results = await Promise.allSettled(['a', 'bad', 'c', 'boom', 'e'].map((i) => batcher.submit(i)));
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message))).toEqual([
      'A',
      'bad item bad',
      'C',
      'transaction failed',
      'transaction failed',
    ]);
    expect(batches).toEqual([['a'], ['bad', 'c'], ['boom', 'e']]);
  });
});
