/** Which upkeep is due: merge runs of parts by tier, and packing of recent vector rows in bounded steps. */
import { describe, expect, it } from 'vitest';
import type { PartInfo } from '../store/search/search.index.repo.ts';
import { MERGE_FACTOR, mergeCandidates, packDue } from './search.maintain.ts';

function parts(sizes: number[]): PartInfo[] {
  let doc = 0;
  return sizes.map((docs, part) => {
    const info = {
      part,
      doc_first: doc,
      doc_last: doc + docs - 1,
      docs,
      tokens: docs * 10,
      created: new Date(0),
    };
    doc += docs;
    return info;
  });
}

describe('mergeCandidates', () => {
  it('merges a run of MERGE_FACTOR small parts, and leaves fewer alone', () => {
    expect(mergeCandidates(parts(Array(MERGE_FACTOR - 1).fill(100)))).toBeUndefined();
    const run = mergeCandidates(parts([50_000, ...Array(MERGE_FACTOR).fill(100)]));
    expect(run?.map((p) => p.part)).toEqual(Array.from({ length: MERGE_FACTOR }, (_, i) => i + 1));
  });
});

describe('packDue', () => {
  it('packs a cluster once it has PACK_VECTORS vectors or PACK_ROWS rows', () => {
    expect(packDue([{ block: 1, cluster: 3, count: 255 }])).toEqual([]);
    expect(packDue([{ block: 1, cluster: 3, count: 256 }])).toEqual([{ cluster: 3, blocks: [1] }]);
    const single = Array.from({ length: 64 }, (_, i) => ({ block: i, cluster: 7, count: 1 }));
    expect(packDue(single)).toEqual([{ cluster: 7, blocks: single.map((r) => r.block) }]);
  });

  it('takes a backlog oldest first, at most 16,384 vectors a step (a single larger row alone)', () => {
    const backlog = Array.from({ length: 1500 }, (_, i) => ({ block: 1500 - i, cluster: 0, count: 666 }));
    const [task] = packDue(backlog);
    // 24 rows of 666 vectors (15,984); the 25th would pass 16,384.
    expect(task?.blocks).toEqual(Array.from({ length: 24 }, (_, i) => i + 1));
    expect(packDue([{ block: 9, cluster: 1, count: 50_000 }])).toEqual([{ cluster: 1, blocks: [9] }]);
  });
});
