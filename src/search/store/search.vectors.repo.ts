import type { DbSession, Predicate, Row } from '../../db/db.types.ts';
import { and, col, or } from '../../db/predicate.ts';
import { num, reqStr } from '../../store/rows.ts';
import { ST } from './search.tables.ts';

/** A block of vectors of one cluster (search.codec.ts packs `data`). */
export interface VectorRow {
  block: number;
  cluster: number;
  count: number;
  data: string;
  model: string;
}

/**
 * Which table a block is in: `new` (search_vectors_new, the blocks of recent batches) or
 * `blocks` (search_vectors, packed and refiled blocks).
 */
export type VectorTable = 'new' | 'blocks';

/** A block without its vectors: what a query or an upkeep step lists before reading data. */
export interface VectorHead {
  table: VectorTable;
  block: number;
  cluster: number;
  count: number;
  model: string;
}

const TABLES: Record<VectorTable, string> = { new: ST.vectorsNew, blocks: ST.vectors };
/** Values of an `in` list per select (see `read`). */
const LOOKUP = 64;
/**
 * Text a stored row carries at most: a block's packed vectors are split over rows (`chunk` 0, 1,
 * ...) of up to this much, a multiple of 4 so that each piece is whole base64. Why: DuckDB keeps
 * a text value longer than 4 KB apart from its row, and a scan that needs any row of a stretch of
 * 2,048 copies every such value of the stretch. With blocks of tens or hundreds of KB, reading
 * one cluster copied hundreds of MB at a million vectors (100-300 ms a query, 0.5 s a packing
 * step); with pieces of 3,000 characters the same read takes 15-30 ms (BENCHMARKS.md).
 */
const PIECE = 3000;

/**
 * The vector index's blocks and its quantizer's centroids (src/search/vectors/search.ivf.ts). A block is
 * identified by its table, block number and cluster, and is never updated: written whole (all
 * its pieces in one insert) and deleted whole.
 *
 * Vectors only ever move from `search_vectors_new` into `search_vectors`, or from blocks of
 * `search_vectors` into other blocks of it, each move in one transaction (packing and refiling,
 * src/search/index/search.maintain.ts and search.refile.ts). So a reader that lists the recent blocks
 * first and the others second, each table in one statement, never misses a vector a move carried
 * across between them; it may meet one twice, and counts it once (search.ivf.ts `nearest`).
 */
export class SearchVectorsRepo {
  constructor(private readonly db: DbSession) {}

  /** Adds blocks of recent vectors (a batch's, one per cluster). */
  async writeNew(rows: readonly VectorRow[]): Promise<void> {
    await this.insert(ST.vectorsNew, rows);
  }

  /** Adds packed or refiled blocks. */
  async writeBlocks(rows: readonly VectorRow[]): Promise<void> {
    await this.insert(ST.vectors, rows);
  }

  private async insert(table: string, rows: readonly VectorRow[]): Promise<void> {
    if (rows.length === 0) return;
    const pieces: Row[] = [];
    for (const r of rows) {
      for (let at = 0, chunk = 0; chunk === 0 || at < r.data.length; at += PIECE, chunk++) {
        pieces.push({
          block: BigInt(r.block),
          cluster: r.cluster,
          chunk,
          count: r.count,
          data: r.data.slice(at, at + PIECE),
          model: r.model,
        });
      }
    }
    await this.db.insert(table, pieces);
  }

  /**
   * The blocks of these clusters (every block when undefined) without their vectors, recent
   * blocks first: the order that misses no moved vector (see the class comment).
   */
  async heads(clusters?: readonly number[]): Promise<VectorHead[]> {
    if (clusters === undefined) return this.headsWhere(and());
    if (clusters.length <= LOOKUP) return this.headsWhere(and(col('cluster').in([...clusters])));
    // Still one statement a table (see the class comment): every block's head, kept in JS.
    const wanted = new Set(clusters);
    return (await this.headsWhere(and())).filter((h) => wanted.has(h.cluster));
  }

  /** The blocks of the clusters `from` <= c < `to` without their vectors, recent blocks first. */
  async headsInRange(from: number, to: number): Promise<VectorHead[]> {
    return this.headsWhere(and(col('cluster').ge(from), col('cluster').lt(to)));
  }

  /** The recent blocks without their vectors (what packing is due). */
  async newHeads(): Promise<VectorHead[]> {
    return this.headsWhere(and(), ['new']);
  }

  private async headsWhere(
    where: Predicate,
    tables: readonly VectorTable[] = ['new', 'blocks'],
  ): Promise<VectorHead[]> {
    const out: VectorHead[] = [];
    for (const table of tables) {
      const rows = await this.db.select(TABLES[table], {
        where: and(where, FIRST_PIECE),
        columns: ['block', 'cluster', 'count', 'model'],
      });
      for (const row of rows) {
        out.push({
          table,
          block: num(row, 'block') ?? 0,
          cluster: num(row, 'cluster') ?? 0,
          count: num(row, 'count') ?? 0,
          model: reqStr(row, 'model'),
        });
      }
    }
    return out;
  }

  /**
   * The blocks of these heads with their vectors (those still there: a block moved meanwhile is
   * missing from the answer). Up to LOOKUP blocks are named by block and cluster; more, by their
   * clusters, LOOKUP at a time, keeping the blocks asked for: a short `in` list is what the
   * embedded engine pushes into its scan (a longer one is joined, and every row read).
   */
  async read(heads: readonly VectorHead[]): Promise<(VectorRow & { table: VectorTable })[]> {
    const out: (VectorRow & { table: VectorTable })[] = [];
    for (const table of ['new', 'blocks'] as const) {
      const wanted = heads.filter((h) => h.table === table);
      if (wanted.length === 0) continue;
      const keys = new Set(wanted.map((h) => `${h.block}:${h.cluster}`));
      const clusters = [...new Set(wanted.map((h) => h.cluster))];
      const blocks = wanted.length <= LOOKUP ? [...new Set(wanted.map((h) => BigInt(h.block)))] : undefined;
      for (let i = 0; i < clusters.length; i += LOOKUP) {
        const where = and(
          col('cluster').in(clusters.slice(i, i + LOOKUP)),
          blocks !== undefined && col('block').in(blocks),
        );
        // Blocks of these clusters not asked for (or, named by block and cluster, of the cross
        // product) are dropped.
        for (const r of await this.blocksWhere(table, where)) {
          if (keys.delete(`${r.block}:${r.cluster}`)) out.push(r);
        }
      }
    }
    return out;
  }

  /** Every block of these clusters with its vectors, recent blocks first (loading a cache). */
  async readClusters(clusters: readonly number[]): Promise<(VectorRow & { table: VectorTable })[]> {
    const out: (VectorRow & { table: VectorTable })[] = [];
    for (const table of ['new', 'blocks'] as const) {
      for (let i = 0; i < clusters.length; i += LOOKUP) {
        out.push(...(await this.blocksWhere(table, and(col('cluster').in(clusters.slice(i, i + LOOKUP))))));
      }
    }
    return out;
  }

  /** The blocks of the rows `where` selects, their pieces put together. */
  private async blocksWhere(
    table: VectorTable,
    where: Predicate,
  ): Promise<(VectorRow & { table: VectorTable })[]> {
    const rows = await this.db.select(TABLES[table], { where });
    const pieces = new Map<string, { row: Row; chunk: number }[]>();
    for (const row of rows) {
      const key = `${num(row, 'block')}:${num(row, 'cluster')}`;
      const list = pieces.get(key);
      const piece = { row, chunk: num(row, 'chunk') ?? 0 };
      if (list === undefined) pieces.set(key, [piece]);
      else list.push(piece);
    }
    return [...pieces.values()].map((list) => {
      list.sort((a, b) => a.chunk - b.chunk);
      const first = (list[0] as { row: Row }).row;
      return {
        table,
        block: num(first, 'block') ?? 0,
        cluster: num(first, 'cluster') ?? 0,
        count: num(first, 'count') ?? 0,
        data: list.length === 1 ? reqStr(first, 'data') : list.map((p) => reqStr(p.row, 'data')).join(''),
        model: reqStr(first, 'model'),
      };
    });
  }

  /** Deletes blocks of one cluster of one table (all their pieces); returns how many blocks went. */
  async delete(table: VectorTable, cluster: number, blocks: readonly number[]): Promise<number> {
    if (blocks.length === 0) return 0;
    const where = and(col('cluster').eq(cluster), col('block').in(blocks.map(BigInt)));
    const present = await this.db.count(TABLES[table], and(where, FIRST_PIECE));
    await this.db.delete(TABLES[table], where);
    return present;
  }

  /** Blocks in the vector tables: packed and recent. */
  async rowCount(): Promise<number> {
    const [blocks, recent] = await Promise.all([
      this.db.count(ST.vectors, and(FIRST_PIECE)),
      this.db.count(ST.vectorsNew, and(FIRST_PIECE)),
    ]);
    return blocks + recent;
  }

  /** The centroids of the clusters `from` <= c < `to`, by cluster. */
  async centroids(range?: {
    from: number;
    to: number;
  }): Promise<{ cluster: number; vector: string; model: string }[]> {
    const rows = await this.db.select(ST.centroids, {
      where: range === undefined ? and() : and(col('cluster').ge(range.from), col('cluster').lt(range.to)),
      orderBy: [{ column: 'cluster' }],
    });
    return rows.map((row) => ({
      cluster: num(row, 'cluster') ?? 0,
      vector: reqStr(row, 'vector'),
      model: reqStr(row, 'model'),
    }));
  }

  /** Centroids `base`, `base + 1`, ... of a newly trained quantizer. */
  async addCentroids(model: string, base: number, vectors: readonly string[]): Promise<void> {
    if (vectors.length === 0) return;
    await this.db.insert(
      ST.centroids,
      vectors.map((vector, i) => ({ cluster: base + i, vector, model })),
    );
  }

  /** Deletes the centroids of the clusters `from` <= c < `to` (a quantizer retired). */
  async deleteCentroids(range: { from: number; to: number }): Promise<void> {
    await this.db.delete(ST.centroids, and(col('cluster').ge(range.from), col('cluster').lt(range.to)));
  }
}

/** A block's first (or only) row: blocks written before pieces have no chunk number. */
const FIRST_PIECE = or(col('chunk').isNull(), col('chunk').eq(0));
