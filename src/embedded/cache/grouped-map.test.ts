import { describe, expect, it } from 'vitest';
import { GroupedMap } from './grouped-map.ts';
import { OverlayMap } from './overlay.ts';

/** Members of each group, as a plain pass over the map finds them: what keysIn must equal. */
function byScan<K, V, G>(map: Map<K, V>, groupsOf: (v: V) => Iterable<G>): Map<G, K[]> {
  const out = new Map<G, K[]>();
  for (const [k, v] of map) for (const g of new Set(groupsOf(v))) out.set(g, [...(out.get(g) ?? []), k]);
  return out;
}

describe('GroupedMap', () => {
  const members = (v: string[]) => v;

  it('keeps its groups equal to a pass over the values through set, replace, delete and clear', () => {
    const map = new GroupedMap<string, string[], string>(members);
    map.set('c1', ['a', 'b']).set('c2', ['b']).set('c3', []);
    expect([...map.keysIn('a')]).toEqual(['c1']);
    expect([...map.keysIn('b')].sort()).toEqual(['c1', 'c2']);
    map.set('c1', ['c']);
    expect([...map.keysIn('a')]).toEqual([]);
    expect([...map.keysIn('b')]).toEqual(['c2']);
    expect([...map.keysIn('c')]).toEqual(['c1']);
    expect(map.delete('c2')).toBe(true);
    expect(map.delete('c2')).toBe(false);
    expect([...map.keysIn('b')]).toEqual([]);
    map.clear();
    expect([...map.keysIn('c')]).toEqual([]);
    expect(map.size).toBe(0);
  });

  it('agrees with a pass over the values after many random writes', () => {
    const map = new GroupedMap<number, string[], string>(members);
    let seed = 7;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let i = 0; i < 2000; i++) {
      const key = rand(50);
      if (rand(4) === 0) map.delete(key);
      else
        map.set(
          key,
          Array.from({ length: rand(4) }, () => `g${rand(10)}`),
        );
    }
    const expected = byScan(map, members);
    for (let g = 0; g < 10; g++) {
      expect([...map.keysIn(`g${g}`)].sort((a, b) => a - b)).toEqual(
        [...(expected.get(`g${g}`) ?? [])].sort((a, b) => a - b),
      );
    }
  });
});

describe('OverlayMap.matching', () => {
  it("answers from the base's index plus the transaction's own writes", () => {
    const source = (flow: { source: string }) => [flow.source];
    const base = new GroupedMap<string, { source: string }, string>(source);
    base.set('f1', { source: 's1' }).set('f2', { source: 's1' }).set('f3', { source: 's2' });
    const tx = new OverlayMap(base, false);
    tx.set('f2', { source: 's2' }); // moved away from s1
    tx.delete('f1');
    tx.set('f4', { source: 's1' });
    const ofSource = (view: OverlayMap<string, { source: string }>, s: string) =>
      [...view.matching(base.keysIn(s), (f) => f.source === s)].map(([k]) => k).sort();
    expect(ofSource(tx, 's1')).toEqual(['f4']);
    expect(ofSource(tx, 's2')).toEqual(['f2', 'f3']);
    // Outside the transaction nothing changed until it commits.
    const outside = new OverlayMap(base, false);
    expect(ofSource(outside, 's1')).toEqual(['f1', 'f2']);
    tx.commit();
    expect(ofSource(outside, 's1')).toEqual(['f4']);
    expect(ofSource(outside, 's2')).toEqual(['f2', 'f3']);
  });
});
