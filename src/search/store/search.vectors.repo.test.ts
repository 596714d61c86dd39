/** Vector blocks stored in pieces: listed once, read whole, deleted whole, old single rows too. */
import { describe, expect, it } from 'vitest';
import { openStore } from '../../../test/support/search/search.index.testkit.ts';
import { searchRepos } from './search.repos.ts';
import { ST } from './search.tables.ts';

describe('SearchVectorsRepo', () => {
  it('splits a long block over rows of 3,000 characters and puts it back together', async () => {
    const { store, db, close } = await openStore();
    try {
      const vectors = searchRepos(store).vectors;
      const long = 'QUJD'.repeat(2000); // 8,000 characters: three pieces
      await vectors.writeBlocks([
        { block: 7, cluster: 3, count: 40, data: long, model: 'm' },
        { block: 8, cluster: 3, count: 1, data: 'AAAA', model: 'm' },
      ]);
      await vectors.writeNew([{ block: 9, cluster: 4, count: 2, data: 'QkJC', model: 'm' }]);
      // A block as the code before pieces wrote it: one row, no chunk number.
      await db.insert(ST.vectors, [
        { block: 5n, cluster: 4, count: 3, data: 'Q0ND'.repeat(1500), model: 'm' },
      ]);
      const rows = await db.select(ST.vectors, { where: { all: [] }, columns: ['block', 'chunk', 'data'] });
      expect(rows.filter((r) => r.block === 7n).map((r) => (r.data as string).length)).toEqual([
        3000, 3000, 2000,
      ]);

      const heads = await vectors.heads();
      expect(heads.map((h) => [h.table, h.block, h.cluster, h.count])).toEqual([
        ['new', 9, 4, 2],
        ['blocks', 7, 3, 40],
        ['blocks', 8, 3, 1],
        ['blocks', 5, 4, 3],
      ]);
      expect(await vectors.rowCount()).toBe(4);
      const read = await vectors.read(heads);
      expect(new Map(read.map((r) => [r.block, r.data]))).toEqual(
        new Map([
          [9, 'QkJC'],
          [7, long],
          [8, 'AAAA'],
          [5, 'Q0ND'.repeat(1500)],
        ]),
      );
      expect((await vectors.readClusters([3])).map((r) => r.block).sort()).toEqual([7, 8]);
      expect(await vectors.delete('blocks', 3, [7, 99])).toBe(1);
      expect((await db.select(ST.vectors, { where: { all: [] } })).filter((r) => r.block === 7n)).toEqual([]);
      // A block gone since it was listed is missing from what is read.
      expect((await vectors.read(heads)).map((r) => r.block).sort()).toEqual([5, 8, 9]);
    } finally {
      await close();
    }
  });
});
