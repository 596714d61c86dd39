import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { Batcher } from './batcher.ts';

describe('Batcher', () => {
  it('takes the items of one turn of the event loop together, and those arriving meanwhile next', async () => {
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
    const sameTurn = [1, 2].map((i) => batcher.submit(i));
    await nextTurn();
    // The first batch is running (held at the gate): these wait for the next one.
    const meanwhile = [3, 4, 5].map((i) => batcher.submit(i));
    await nextTurn();
    expect(batches).toEqual([[1, 2]]);
    release();
    expect(await Promise.all(sameTurn)).toEqual([10, 20]);
    expect(await Promise.all(meanwhile)).toEqual([30, 40, 50]);
    expect(batches).toEqual([
      [1, 2],
      [3, 4, 5],
    ]);
  });

  it('processes a lone item without waiting for more', async () => {
    const batcher = new Batcher<number, number>(async (items) => items.map((i) => i + 1), 100);
    expect(await batcher.submit(1)).toBe(2);
    expect(await batcher.submit(2)).toBe(3);
  });

  it('caps batches, fails items one by one, and isolates the item that makes a batch throw', async () => {
    const calls: string[][] = [];
    const batcher = new Batcher<string, string>(async (items) => {
      calls.push(items);
      if (items.includes('boom')) throw new Error('transaction failed');
      return items.map((i) => (i === 'bad' ? new Error(`bad item ${i}`) : i.toUpperCase()));
    }, 3);
    const results = await Promise.allSettled(
      ['a', 'bad', 'c', 'd', 'boom', 'f', 'g'].map((i) => batcher.submit(i)),
    );
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message))).toEqual([
      'A',
      'bad item bad',
      'C',
      'D',
      'transaction failed',
      'F',
      'G',
    ]);
    // The batch that threw went again one item at a time, in order; the others went once.
    expect(calls).toEqual([['a', 'bad', 'c'], ['d', 'boom', 'f'], ['d'], ['boom'], ['f'], ['g']]);
  });

  it('fails a lone item with its error without processing it again', async () => {
    let calls = 0;
    const batcher = new Batcher<string, string>(async () => {
      calls++;
      throw new Error('transaction failed');
    }, 10);
    await expect(batcher.submit('x')).rejects.toThrow('transaction failed');
    expect(calls).toBe(1);
  });
});
