import { dotQuantized, encodeVectors, quantize, type VectorBlock } from '../store/search.codec.ts';
import type { VectorRow } from '../store/search.vectors.repo.ts';
import { dotAt, kmeans, type Matrix, nearestRow } from './search.kmeans.ts';
import type { Pace } from './search.pace.ts';
import { Int8Matrix, scorerFor } from './search.simd.ts';

/**
 * The vector index is an inverted file: every embedding belongs to the cluster of its nearest
 * centroid, a query reads the clusters of its `nprobe` nearest centroids and scores their vectors
 * exactly (int8, search.codec.ts). Until there are enough vectors to train centroids, everything
 * is one cluster and a query reads all of it.
 *
 * Cluster numbers are those of the table rows: a quantizer's clusters are `base`,
 * `base + 1`, ... (each training numbers its clusters after the previous one's, so rows filed
 * under an older quantizer never pass for rows of a newer one; search.layout.ts).
 */
export class CoarseQuantizer {
  private groups: CentroidGroups | undefined;

  constructor(
    /** Unit centroids, one row each; none: untrained, one cluster. */
    readonly centroids: Matrix,
    readonly base = 0,
  ) {}

  /** Clusters. */
  get size(): number {
    return Math.max(1, this.centroids.count);
  }

  get trained(): boolean {
    return this.centroids.count > 0;
  }

  /** The cluster of the nearest centroid (through the groups once `prepare` has made them). */
  assign(vector: Float32Array): number {
    if (!this.trained) return this.base;
    return this.base + (this.groups?.nearest(vector) ?? nearestOf(vector, this.centroids));
  }

  /**
   * Groups the centroids (√k groups), so that `assign` scores the groups and then the centroids
   * of the best few instead of every centroid: about 2·√k dot products a vector instead of k.
   * A vector whose nearest centroid lies outside its best groups goes to the nearest one inside
   * them (a close second: recall measured in BENCHMARKS.md).
   */
  async prepare(pace: Pace): Promise<void> {
    if (this.groups !== undefined || this.centroids.count <= GROUPED_MIN) return;
    this.groups = await CentroidGroups.of(this.centroids, pace);
  }

  /** The `n` clusters whose centroids are nearest `query`, nearest first. */
  probe(query: Float32Array, n: number): number[] {
    if (!this.trained) return [this.base];
    const { data, count, dims } = this.centroids;
    const scores = new Float64Array(count);
    for (let c = 0; c < count; c++) scores[c] = dotAt(query, 0, data, c * dims, dims);
    return topIndices(scores, n).map((c) => this.base + c);
  }
}

/** Centroids past which assignment goes through groups. */
const GROUPED_MIN = 64;
/**
 * Groups whose centroids are scored when assigning a vector: 8 with SIMD (98% of vectors then go
 * to their nearest centroid of all, measured at a million), 4 in plain JavaScript (94%).
 */
const GROUPS_SEARCHED = { simd: 8, js: 4 };

/** The centroids clustered into √k groups (k-means over the centroids themselves). */
class CentroidGroups {
  private readonly scores: Float64Array;

  private constructor(
    private readonly centroids: Matrix,
    private readonly tops: Matrix,
    /** Centroid numbers by group: group g holds order[starts[g]] to order[starts[g + 1] - 1]. */
    private readonly order: Int32Array,
    private readonly starts: Int32Array,
    /** The centroids in `order`, then the groups' own centroids, in SIMD memory (if it serves). */
    private readonly simd: Int8Matrix | undefined,
  ) {
    this.scores = new Float64Array(Math.max(centroids.count, tops.count));
  }

  static async of(centroids: Matrix, pace: Pace): Promise<CentroidGroups> {
    const tops = await kmeans(centroids, Math.round(Math.sqrt(centroids.count)), { pace, seed: 7 });
    const lists: number[][] = Array.from({ length: tops.count }, () => []);
    for (let c = 0; c < centroids.count; c++) (lists[nearestRow(centroids, c, tops)] as number[]).push(c);
    const order = Int32Array.from(lists.flat());
    const starts = new Int32Array(tops.count + 1);
    lists.forEach((l, g) => {
      starts[g + 1] = (starts[g] as number) + l.length;
    });
    const { dims } = centroids;
    const rows = new Float32Array((centroids.count + tops.count) * dims);
    order.forEach((c, i) => {
      rows.set(centroids.data.subarray(c * dims, (c + 1) * dims), i * dims);
    });
    rows.set(tops.data.subarray(0, tops.count * dims), centroids.count * dims);
    const simd = Int8Matrix.of(rows, centroids.count + tops.count, dims);
    return new CentroidGroups(centroids, tops, order, starts, simd);
  }

  nearest(vector: Float32Array): number {
    const { dims, count } = this.centroids;
    const groups = this.tops.count;
    const scores = this.scores;
    const unit = this.simd?.setVector(vector) ?? 0;
    if (this.simd !== undefined) this.simd.score(unit, count, count + groups, scores);
    else for (let g = 0; g < groups; g++) scores[g] = dotAt(vector, 0, this.tops.data, g * dims, dims);
    const searched = topIndices(
      scores.subarray(0, groups),
      this.simd ? GROUPS_SEARCHED.simd : GROUPS_SEARCHED.js,
    );
    let best = 0;
    let bestScore = Number.NEGATIVE_INFINITY;
    for (const g of searched) {
      const from = this.starts[g] as number;
      const to = this.starts[g + 1] as number;
      if (this.simd !== undefined) this.simd.score(unit, from, to, scores);
      else
        for (let i = from; i < to; i++)
          scores[i - from] = dotAt(vector, 0, this.centroids.data, (this.order[i] as number) * dims, dims);
      for (let i = from; i < to; i++) {
        const c = this.order[i] as number;
        const score = scores[i - from] as number;
        if (score > bestScore || (score === bestScore && c < best)) {
          bestScore = score;
          best = c;
        }
      }
    }
    return best;
  }
}

function nearestOf(vector: Float32Array, centroids: Matrix): number {
  const { data, count, dims } = centroids;
  let best = 0;
  let bestScore = Number.NEGATIVE_INFINITY;
  for (let c = 0; c < count; c++) {
    const score = dotAt(vector, 0, data, c * dims, dims);
    if (score > bestScore) {
      bestScore = score;
      best = c;
    }
  }
  return best;
}

/** Indices of the `n` highest scores, highest first (ties: lower index first). */
function topIndices(scores: Float64Array, n: number): number[] {
  const order = Array.from(scores.keys());
  order.sort((a, b) => (scores[b] as number) - (scores[a] as number) || a - b);
  return order.slice(0, Math.max(1, n));
}

export function dot(a: Float32Array, b: Float32Array): number {
  return dotAt(a, 0, b, 0, Math.min(a.length, b.length));
}

function normalize(v: Float32Array): Float32Array {
  const n = Math.sqrt(dot(v, v));
  if (n > 0) for (let i = 0; i < v.length; i++) v[i] = (v[i] as number) / n;
  return v;
}

/** Vectors as one matrix (training, grouping). */
export function matrixOf(vectors: readonly Float32Array[], dims: number): Matrix {
  const data = new Float32Array(vectors.length * dims);
  vectors.forEach((v, i) => {
    data.set(v.subarray(0, dims), i * dims);
  });
  return { data, count: vectors.length, dims };
}

/** The rows of a matrix as vectors (views, not copies). */
export function rowsOf(m: Matrix): Float32Array[] {
  return Array.from({ length: m.count }, (_, r) => m.data.subarray(r * m.dims, (r + 1) * m.dims));
}

/** A document's embedding. */
export interface Entry {
  doc: number;
  vector: Float32Array;
}

/**
 * Embeddings filed under their clusters, a list per cluster, each sorted by document. `pace`
 * gives the event loop turns between chunks of a long list.
 */
export async function fileEntries(
  quantizer: CoarseQuantizer,
  entries: readonly Entry[],
  pace: Pace,
): Promise<Map<number, Entry[]>> {
  const byCluster = new Map<number, Entry[]>();
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i] as Entry;
    const cluster = quantizer.assign(e.vector);
    const list = byCluster.get(cluster);
    if (list === undefined) byCluster.set(cluster, [e]);
    else list.push(e);
    if (i % 32 === 31) await pace();
  }
  for (const list of byCluster.values()) list.sort((a, b) => a.doc - b.doc);
  return byCluster;
}

/** Filed embeddings as rows of one block number, a row per cluster. */
export function vectorRows(
  block: number,
  model: string,
  filed: ReadonlyMap<number, readonly Entry[]>,
): VectorRow[] {
  return [...filed].map(([cluster, list]) => ({
    block,
    cluster,
    count: list.length,
    data: packVectors(list),
    model,
  }));
}

export function packVectors(list: readonly Entry[]): string {
  const dims = list[0]?.vector.length ?? 0;
  const q = new Int8Array(list.length * dims);
  const scales = new Float32Array(list.length);
  list.forEach((e, j) => {
    scales[j] = quantize(e.vector, q, j * dims);
  });
  return encodeVectors({ docs: list.map((e) => e.doc), q, scales, dims });
}

/** Back to float vectors (training centroids from what is stored). */
export function unpackVectors(block: VectorBlock): Entry[] {
  return block.docs.map((doc, j) => {
    const v = new Float32Array(block.dims);
    const scale = (block.scales[j] as number) / 127;
    for (let i = 0; i < block.dims; i++) v[i] = (block.q[j * block.dims + i] as number) * scale;
    return { doc, vector: normalize(v) };
  });
}

/**
 * The `top` best-scoring documents of the blocks (cosine with the unit query), best first, ties
 * broken by document number. `accept` drops documents (deleted, filtered out) before they count.
 *
 * `recent` are rows of the recent-rows table and `packed` rows of the blocks table, each listed
 * in one statement, recent first: a vector moved between the two statements is in both, and
 * counts once (search.vectors.repo.ts). Within one table's statement each vector is in one row.
 */
export function nearest(
  query: Float32Array,
  recent: readonly VectorBlock[],
  packed: readonly VectorBlock[],
  top: number,
  accept: (doc: number) => boolean = () => true,
): { doc: number; score: number }[] {
  const heap = new TopK(top);
  const scorer = scorerFor(query.length);
  scorer?.setQuery(query);
  let scores = new Float64Array(256);
  const seen = new Set<number>();
  const scan = (block: VectorBlock, skip: (doc: number) => boolean) => {
    const n = block.docs.length;
    if (scorer !== undefined) {
      if (scores.length < n) scores = new Float64Array(n);
      scorer.score(block, scores);
    }
    for (let j = 0; j < n; j++) {
      const doc = block.docs[j] as number;
      if (skip(doc) || !accept(doc)) continue;
      heap.offer(doc, scorer !== undefined ? (scores[j] as number) : dotQuantized(query, block, j));
    }
  };
  for (const block of recent) {
    for (const doc of block.docs) seen.add(doc);
    scan(block, () => false);
  }
  const skip = seen.size > 0 ? (doc: number) => seen.has(doc) : () => false;
  for (const block of packed) scan(block, skip);
  return heap.sorted();
}

/** The k best (score, doc) pairs: a bounded min-heap. */
export class TopK {
  private readonly docs: number[] = [];
  private readonly scores: number[] = [];
  constructor(private readonly k: number) {}

  /** Whether `a` ranks below `b`: lower score, or equal score and higher document number. */
  private below(i: number, j: number): boolean {
    const si = this.scores[i] as number;
    const sj = this.scores[j] as number;
    return si < sj || (si === sj && (this.docs[i] as number) > (this.docs[j] as number));
  }

  private swap(i: number, j: number): void {
    [this.docs[i], this.docs[j]] = [this.docs[j] as number, this.docs[i] as number];
    [this.scores[i], this.scores[j]] = [this.scores[j] as number, this.scores[i] as number];
  }

  offer(doc: number, score: number): void {
    if (this.k <= 0) return;
    if (this.docs.length < this.k) {
      this.docs.push(doc);
      this.scores.push(score);
      let i = this.docs.length - 1;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (!this.below(i, parent)) break;
        this.swap(i, parent);
        i = parent;
      }
      return;
    }
    const rootScore = this.scores[0] as number;
    if (score < rootScore || (score === rootScore && doc > (this.docs[0] as number))) return;
    this.docs[0] = doc;
    this.scores[0] = score;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < this.docs.length && this.below(l, m)) m = l;
      if (r < this.docs.length && this.below(r, m)) m = r;
      if (m === i) break;
      this.swap(i, m);
      i = m;
    }
  }

  sorted(): { doc: number; score: number }[] {
    return this.docs
      .map((doc, i) => ({ doc, score: this.scores[i] as number }))
      .sort((a, b) => b.score - a.score || a.doc - b.doc);
  }
}
