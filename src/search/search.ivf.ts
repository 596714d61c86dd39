import {
  decodeVectors,
  dotQuantized,
  encodeVectors,
  quantize,
  type VectorBlock,
} from '../store/search/search.codec.ts';
import type { VectorRow } from '../store/search/search.index.repo.ts';

/**
 * The vector index is an inverted file: every embedding belongs to the cluster of its nearest
 * centroid, a query reads the clusters of its `nprobe` nearest centroids and scores their vectors
 * exactly (int8, search.codec.ts). Until there are enough vectors to train centroids, everything
 * is one cluster and a query reads all of it.
 */
export class CoarseQuantizer {
  constructor(readonly centroids: readonly Float32Array[]) {}

  get size(): number {
    return Math.max(1, this.centroids.length);
  }

  assign(vector: Float32Array): number {
    let best = 0;
    let bestScore = Number.NEGATIVE_INFINITY;
    for (let c = 0; c < this.centroids.length; c++) {
      const score = dot(vector, this.centroids[c] as Float32Array);
      if (score > bestScore) {
        bestScore = score;
        best = c;
      }
    }
    return best;
  }

  /** The `n` clusters whose centroids are nearest `query`, nearest first. */
  probe(query: Float32Array, n: number): number[] {
    if (this.centroids.length === 0) return [0];
    return this.centroids
      .map((c, cluster) => ({ cluster, score: dot(query, c) }))
      .sort((a, b) => b.score - a.score || a.cluster - b.cluster)
      .slice(0, Math.max(1, n))
      .map((x) => x.cluster);
  }
}

export function dot(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i] as number) * (b[i] as number);
  return sum;
}

function normalize(v: Float32Array): Float32Array {
  const n = Math.sqrt(dot(v, v));
  if (n > 0) for (let i = 0; i < v.length; i++) v[i] = (v[i] as number) / n;
  return v;
}

/** A seeded generator, so that training the same vectors gives the same centroids. */
function seeded(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
}

/**
 * Spherical k-means (cosine): `k` unit centroids of `vectors`, seeded with k-means++ on a sample
 * and refined by `iterations` rounds of assignment and renormalised means. An emptied cluster
 * takes the vector its centroid fits worst, so every cluster stays in use.
 */
export function trainCentroids(
  vectors: readonly Float32Array[],
  k: number,
  iterations = 8,
  seed = 1,
): Float32Array[] {
  const random = seeded(seed);
  const first = vectors[0];
  if (first === undefined || k <= 1) return [];
  const dims = first.length;
  const count = Math.min(k, vectors.length);
  // k-means++: each next seed drawn with probability growing with its distance to the seeds so far.
  const centroids: Float32Array[] = [
    Float32Array.from(vectors[Math.floor(random() * vectors.length)] as Float32Array),
  ];
  const nearest = new Float64Array(vectors.length).fill(-1);
  while (centroids.length < count) {
    const last = centroids[centroids.length - 1] as Float32Array;
    let total = 0;
    const weights = new Float64Array(vectors.length);
    vectors.forEach((v, i) => {
      nearest[i] = Math.max(nearest[i] as number, dot(v, last));
      const w = Math.max(0, 1 - (nearest[i] as number));
      weights[i] = w;
      total += w;
    });
    let pick = Math.floor(random() * vectors.length);
    if (total > 0) {
      let r = random() * total;
      for (let i = 0; i < weights.length; i++) {
        r -= weights[i] as number;
        if (r <= 0) {
          pick = i;
          break;
        }
      }
    }
    centroids.push(Float32Array.from(vectors[pick] as Float32Array));
  }
  const assignment = new Int32Array(vectors.length);
  for (let round = 0; round < iterations; round++) {
    const quantizer = new CoarseQuantizer(centroids);
    const sums = centroids.map(() => new Float32Array(dims));
    const sizes = new Int32Array(centroids.length);
    let worst = -1;
    let worstFit = Number.POSITIVE_INFINITY;
    vectors.forEach((v, i) => {
      const c = quantizer.assign(v);
      assignment[i] = c;
      sizes[c] = (sizes[c] as number) + 1;
      const sum = sums[c] as Float32Array;
      for (let d = 0; d < dims; d++) sum[d] = (sum[d] as number) + (v[d] as number);
      const fit = dot(v, centroids[c] as Float32Array);
      if (fit < worstFit) {
        worstFit = fit;
        worst = i;
      }
    });
    sums.forEach((sum, c) => {
      if ((sizes[c] as number) > 0) centroids[c] = normalize(sum);
      else if (worst >= 0) centroids[c] = Float32Array.from(vectors[worst] as Float32Array);
    });
  }
  return centroids;
}

/** Embeddings of new documents, packed into one block row per cluster. */
export function vectorRows(
  block: number,
  model: string,
  quantizer: CoarseQuantizer,
  entries: readonly { doc: number; vector: Float32Array }[],
): VectorRow[] {
  const byCluster = new Map<number, { doc: number; vector: Float32Array }[]>();
  for (const e of entries) {
    const cluster = quantizer.centroids.length === 0 ? 0 : quantizer.assign(e.vector);
    const list = byCluster.get(cluster) ?? [];
    list.push(e);
    byCluster.set(cluster, list);
  }
  const rows: VectorRow[] = [];
  for (const [cluster, list] of byCluster) {
    list.sort((a, b) => a.doc - b.doc);
    rows.push({ block, cluster, count: list.length, data: packVectors(list), model });
  }
  return rows;
}

export function packVectors(list: readonly { doc: number; vector: Float32Array }[]): string {
  const dims = list[0]?.vector.length ?? 0;
  const q = new Int8Array(list.length * dims);
  const scales = new Float32Array(list.length);
  list.forEach((e, j) => {
    scales[j] = quantize(e.vector, q, j * dims);
  });
  return encodeVectors({ docs: list.map((e) => e.doc), q, scales, dims });
}

/** Back to float vectors (training centroids from what is stored). */
export function unpackVectors(block: VectorBlock): { doc: number; vector: Float32Array }[] {
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
 */
export function nearest(
  query: Float32Array,
  rows: readonly VectorRow[],
  top: number,
  accept: (doc: number) => boolean = () => true,
): { doc: number; score: number }[] {
  const heap = new TopK(top);
  for (const row of rows) {
    const block = decodeVectors(row.data, query.length);
    for (let j = 0; j < block.docs.length; j++) {
      const doc = block.docs[j] as number;
      if (!accept(doc)) continue;
      heap.offer(doc, dotQuantized(query, block, j));
    }
  }
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
