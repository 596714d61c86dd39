import type { Pace } from './search.pace.ts';

/**
 * Spherical k-means (cosine) on unit vectors held as one matrix (`count` rows of `dims` floats in
 * one Float32Array): the centroids of the vector index's quantizer (search.ivf.ts).
 *
 * Cost is what bounds the design here: plain JavaScript does about 0.5-1 billion multiply-adds a
 * second on this kind of machine, and flat k-means with √N ≈ 1,000 clusters over a 32,000-vector
 * sample costs 12 billion per round. So large k is trained in two levels: √k groups over the
 * sample, then each group's share of the k centroids over its own members, about 2·√k dot
 * products per vector and round instead of k. The work calls `pace` between chunks, so it
 * shares the event loop with requests (search.pace.ts).
 */
export interface Matrix {
  readonly data: Float32Array;
  readonly count: number;
  readonly dims: number;
}

/** Below this many centroids one level is cheap enough. */
const ONE_LEVEL_MAX = 64;
/** Rows of work between calls of the pace. */
const CHUNK = 64;

export function dotAt(a: Float32Array, ai: number, b: Float32Array, bi: number, dims: number): number {
  // Four accumulators: independent additions the CPU overlaps (about 1.2x a single sum).
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let i = 0;
  for (; i + 3 < dims; i += 4) {
    s0 += (a[ai + i] as number) * (b[bi + i] as number);
    s1 += (a[ai + i + 1] as number) * (b[bi + i + 1] as number);
    s2 += (a[ai + i + 2] as number) * (b[bi + i + 2] as number);
    s3 += (a[ai + i + 3] as number) * (b[bi + i + 3] as number);
  }
  for (; i < dims; i++) s0 += (a[ai + i] as number) * (b[bi + i] as number);
  return s0 + s1 + s2 + s3;
}

/** Scales row `r` of `data` to unit length (a zero row stays zero). */
export function normalizeAt(data: Float32Array, r: number, dims: number): void {
  const at = r * dims;
  const n = Math.sqrt(dotAt(data, at, data, at, dims));
  if (n > 0) for (let i = 0; i < dims; i++) data[at + i] = (data[at + i] as number) / n;
}

/** A seeded generator (xorshift32), so that the same vectors train the same centroids. */
export function seeded(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
}

/** The index of the row of `centroids` nearest row `r` of `points` (highest dot product). */
export function nearestRow(points: Matrix, r: number, centroids: Matrix): number {
  const { dims } = points;
  let best = 0;
  let bestScore = Number.NEGATIVE_INFINITY;
  for (let c = 0; c < centroids.count; c++) {
    const score = dotAt(points.data, r * dims, centroids.data, c * dims, dims);
    if (score > bestScore) {
      bestScore = score;
      best = c;
    }
  }
  return best;
}

export interface TrainOptions {
  iterations?: number;
  seed?: number;
  pace: Pace;
}

/**
 * `k` unit centroids of `points` (fewer when there are fewer points): one level up to
 * ONE_LEVEL_MAX, two levels beyond.
 */
export async function trainCentroids(points: Matrix, k: number, options: TrainOptions): Promise<Matrix> {
  if (k <= ONE_LEVEL_MAX || points.count <= k) return kmeans(points, k, options);
  const groups = Math.round(Math.sqrt(k));
  const top = await kmeans(points, groups, options);
  const members: number[][] = Array.from({ length: top.count }, () => []);
  for (let r = 0; r < points.count; r++) {
    (members[nearestRow(points, r, top)] as number[]).push(r);
    if (r % CHUNK === 0) await options.pace();
  }
  const shares = apportion(
    k,
    members.map((m) => m.length),
  );
  const parts: Matrix[] = [];
  for (let g = 0; g < members.length; g++) {
    const share = shares[g] as number;
    if (share === 0) continue;
    const rows = members[g] as number[];
    parts.push(await kmeans(gather(points, rows), share, { ...options, seed: (options.seed ?? 1) + g + 1 }));
  }
  return concat(parts, points.dims);
}

/**
 * Splits `k` among groups in proportion to their sizes (largest remainders), each group at most
 * its size and at least one centroid when it has members, as far as `k` allows.
 */
export function apportion(k: number, sizes: readonly number[]): number[] {
  const total = sizes.reduce((a, b) => a + b, 0);
  if (total === 0) return sizes.map(() => 0);
  const target = Math.min(k, total);
  const exact = sizes.map((s) => (target * s) / total);
  const shares = exact.map((e, g) => Math.min(sizes[g] as number, Math.max(e > 0 ? 1 : 0, Math.floor(e))));
  let left = target - shares.reduce((a, b) => a + b, 0);
  // Hand out what is left by largest remainder; take back (from the largest shares) what the
  // minimum of one per group put over.
  const order = sizes
    .map((_, g) => g)
    .sort((a, b) => {
      const ra = (exact[a] as number) - (shares[a] as number);
      const rb = (exact[b] as number) - (shares[b] as number);
      return rb - ra || a - b;
    });
  while (left > 0) {
    let given = false;
    for (const g of order) {
      if (left === 0) break;
      if ((shares[g] as number) < (sizes[g] as number)) {
        shares[g] = (shares[g] as number) + 1;
        left--;
        given = true;
      }
    }
    if (!given) break;
  }
  while (left < 0) {
    let largest = 0;
    shares.forEach((s, g) => {
      if (s > (shares[largest] as number)) largest = g;
    });
    shares[largest] = (shares[largest] as number) - 1;
    left++;
  }
  return shares;
}

function gather(points: Matrix, rows: readonly number[]): Matrix {
  const { dims } = points;
  const data = new Float32Array(rows.length * dims);
  rows.forEach((r, i) => {
    data.set(points.data.subarray(r * dims, (r + 1) * dims), i * dims);
  });
  return { data, count: rows.length, dims };
}

function concat(parts: readonly Matrix[], dims: number): Matrix {
  const count = parts.reduce((n, p) => n + p.count, 0);
  const data = new Float32Array(count * dims);
  let at = 0;
  for (const p of parts) {
    data.set(p.data.subarray(0, p.count * dims), at * dims);
    at += p.count;
  }
  return { data, count, dims };
}

/**
 * One level of spherical k-means: seeds by k-means++ (each next seed drawn with probability
 * growing with its distance to the seeds so far), then `iterations` rounds of assignment and
 * renormalised means. A cluster left empty takes the point its centroid fits worst, so every
 * centroid stays in use.
 */
export async function kmeans(points: Matrix, k: number, options: TrainOptions): Promise<Matrix> {
  const { count, dims, data } = points;
  const random = seeded(options.seed ?? 1);
  const size = Math.min(k, count);
  const centroids = new Float32Array(size * dims);
  if (size === 0) return { data: centroids, count: 0, dims };
  const pick = (r: number, c: number) => centroids.set(data.subarray(r * dims, (r + 1) * dims), c * dims);
  pick(Math.floor(random() * count), 0);
  const nearest = new Float64Array(count).fill(-1);
  for (let c = 1; c < size; c++) {
    let total = 0;
    const last = (c - 1) * dims;
    for (let r = 0; r < count; r++) {
      const s = dotAt(data, r * dims, centroids, last, dims);
      if (s > (nearest[r] as number)) nearest[r] = s;
      total += Math.max(0, 1 - (nearest[r] as number));
      if (r % (CHUNK * 4) === 0) await options.pace();
    }
    let chosen = Math.floor(random() * count);
    if (total > 0) {
      let left = random() * total;
      for (let r = 0; r < count; r++) {
        left -= Math.max(0, 1 - (nearest[r] as number));
        if (left <= 0) {
          chosen = r;
          break;
        }
      }
    }
    pick(chosen, c);
  }
  const matrix: Matrix = { data: centroids, count: size, dims };
  const sums = new Float64Array(size * dims);
  const sizes = new Int32Array(size);
  for (let round = 0; round < (options.iterations ?? 8); round++) {
    sums.fill(0);
    sizes.fill(0);
    let worst = -1;
    let worstFit = Number.POSITIVE_INFINITY;
    for (let r = 0; r < count; r++) {
      const c = nearestRow(points, r, matrix);
      sizes[c] = (sizes[c] as number) + 1;
      const into = c * dims;
      const from = r * dims;
      for (let i = 0; i < dims; i++) sums[into + i] = (sums[into + i] as number) + (data[from + i] as number);
      const fit = dotAt(data, from, centroids, into, dims);
      if (fit < worstFit) {
        worstFit = fit;
        worst = r;
      }
      if (r % CHUNK === 0) await options.pace();
    }
    for (let c = 0; c < size; c++) {
      if ((sizes[c] as number) > 0) {
        for (let i = 0; i < dims; i++) centroids[c * dims + i] = sums[c * dims + i] as number;
        normalizeAt(centroids, c, dims);
      } else if (worst >= 0) {
        pick(worst, c);
      }
    }
  }
  return matrix;
}
