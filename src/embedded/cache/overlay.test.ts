import { describe, expect, it } from 'vitest';
import { OverlayMap } from './overlay.ts';

describe('OverlayMap', () => {
  it('keeps a transaction writes aside until commit', () => {
    const base = new Map([
      ['a', 1],
      ['b', 2],
    ]);
    const tx = new OverlayMap(base, false);
    tx.set('a', 10);
    tx.delete('b');
    tx.set('c', 3);
    expect([tx.get('a'), tx.get('b'), tx.get('c'), tx.has('b')]).toEqual([10, undefined, 3, false]);
    expect([...tx.entries()].sort()).toEqual([
      ['a', 10],
      ['c', 3],
    ]);
    expect([...base.entries()]).toEqual([
      ['a', 1],
      ['b', 2],
    ]);
    expect(tx.touched().sort()).toEqual(['a', 'b', 'c']);
    tx.commit();
    expect([...base.entries()].sort()).toEqual([
      ['a', 10],
      ['c', 3],
    ]);
    expect(tx.touched()).toEqual([]);
  });

  it('writes through when direct', () => {
    const base = new Map<string, number>();
    const view = new OverlayMap(base, true);
    view.set('x', 1);
    expect(base.get('x')).toBe(1);
    view.delete('x');
    expect(base.has('x')).toBe(false);
  });
});
