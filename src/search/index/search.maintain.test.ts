/** Which upkeep is due: merge runs of parts by tier, and packing of recent vector rows in bounded steps. */
import { describe, expect, it } from 'vitest';
import type { PartInfo } from '../store/search.index.repo.ts';
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
  const recent = (block: number, cluster: number, count: number) => ({
    table: 'new' as const,
    block,
    cluster,
    count,
  });
  const packed = (block: number, cluster: number, count: number) => ({
    table: 'blocks' as const,
    block,
    cluster,
    count,
  });
  const rows = (task: { rows: { table: string; block: number }[] } | undefined) =>
    task?.rows.map((r) => r.block);

  it('packs recent rows once a cluster has PACK_VECTORS vectors or PACK_ROWS rows of them', () => {
    expect(packDue([recent(1, 3, 255)])).toEqual([]);
    expect(packDue([recent(1, 3, 256)])).toEqual([{ cluster: 3, rows: [{ table: 'new', block: 1 }] }]);
    const single = Array.from({ length: 64 }, (_, i) => recent(i, 7, 1));
    expect(rows(packDue(single)[0])).toEqual(single.map((r) => r.block));
  });

  it('takes a backlog oldest first, at most 16,384 vectors a step (a single larger row alone)', () => {
    const backlog = Array.from({ length: 1500 }, (_, i) => recent(1500 - i, 0, 666));
    // 24 rows of 666 vectors (15,984); the 25th would pass 16,384.
    expect(rows(packDue(backlog)[0])).toEqual(Array.from({ length: 24 }, (_, i) => i + 1));
    expect(packDue([recent(9, 1, 50_000)])).toEqual([{ cluster: 1, rows: [{ table: 'new', block: 9 }] }]);
  });

  it('packs the smaller blocks of a cluster that has more than eight, leaving the four largest', () => {
    const eight = Array.from({ length: 8 }, (_, i) => packed(i + 1, 5, 100 + i));
    expect(packDue(eight)).toEqual([]);
    // Refiling left tens of small blocks in a cluster beside a large one.
    const refiled = [
      packed(100, 5, 900),
      ...Array.from({ length: 60 }, (_, i) => packed(i + 1, 5, 1 + (i % 7))),
    ];
    const [task] = packDue(refiled);
    expect(task?.rows).toHaveLength(57);
    expect(rows(task)).not.toContain(100);
    // With recent rows due too, one task takes both.
    const [both] = packDue([...eight, packed(9, 5, 1), recent(50, 5, 300)]);
    expect(both?.rows[0]).toEqual({ table: 'new', block: 50 });
    expect(both?.rows).toHaveLength(6);
  });
});
