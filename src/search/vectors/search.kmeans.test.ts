/** Spherical k-means in one and two levels, the split of centroids among groups, the pace. */
import { describe, expect, it } from 'vitest';
import { seeded } from '../../../test/support/search/search.index.testkit.ts';
import { CoarseQuantizer, matrixOf } from './search.ivf.ts';
import { apportion, dotAt, type Matrix, nearestRow, trainCentroids } from './search.kmeans.ts';
import { unpaced } from './search.pace.ts';

/** `perTopic` unit vectors around each of `topics` random directions. */
function topics(random: () => number, count: number, perTopic: number, dims = 16, spread = 0.2): Matrix {
  const unit = (v: Float32Array) => {
    const n = Math.sqrt(dotAt(v, 0, v, 0, dims));
    return v.map((x) => x / n);
  };
  const centres = Array.from({ length: count }, () =>
    unit(Float32Array.from({ length: dims }, () => random() - 0.5)),
  );
  const vectors = centres.flatMap((c) =>
    Array.from({ length: perTopic }, () => unit(c.map((x) => x + (random() - 0.5) * spread))),
  );
  return matrixOf(vectors, dims);
}

describe('apportion', () => {
  it('splits k by size, every non-empty group at least one, none more than its size', () => {
    expect(apportion(10, [50, 30, 20])).toEqual([5, 3, 2]);
    expect(apportion(10, [97, 1, 1, 1])).toEqual([7, 1, 1, 1]);
    expect(apportion(10, [3, 0, 100])).toEqual([1, 0, 9]);
    expect(apportion(10, [2, 2])).toEqual([2, 2]);
    const shares = apportion(1000, [400, 300, 150, 150, 1, 1, 1]);
    expect(shares.reduce((a, b) => a + b, 0)).toBe(1000);
    expect(apportion(5, [])).toEqual([]);
  });
});

describe('trainCentroids', () => {
  it('finds well-separated topics in one level, the same centroids from the same seed', async () => {
    const points = topics(seeded(1), 8, 40);
    const a = await trainCentroids(points, 8, { pace: unpaced, seed: 3 });
    const b = await trainCentroids(points, 8, { pace: unpaced, seed: 3 });
    expect(a.count).toBe(8);
    expect(a.data).toEqual(b.data);
    // Most topics' 40 vectors share one centroid (k-means may split one topic and merge two).
    let whole = 0;
    for (let t = 0; t < 8; t++) {
      const owners = new Set(Array.from({ length: 40 }, (_, i) => nearestRow(points, t * 40 + i, a)));
      if (owners.size === 1) whole++;
    }
    expect(whole).toBeGreaterThanOrEqual(6);
    for (let c = 0; c < a.count; c++) expect(dotAt(a.data, c * 16, a.data, c * 16, 16)).toBeCloseTo(1, 5);
  });

  it('trains k centroids in two levels past 64, spread over the groups by their size', async () => {
    const points = topics(seeded(2), 20, 60);
    const centroids = await trainCentroids(points, 100, { pace: unpaced, seed: 5 });
    expect(centroids.count).toBe(100);
    // Every centroid is in use: some vector has it as its nearest.
    const used = new Set<number>();
    for (let r = 0; r < points.count; r++) used.add(nearestRow(points, r, centroids));
    expect(used.size).toBeGreaterThan(90);
  });

  it('gives fewer centroids than asked when there are fewer vectors', async () => {
    const points = topics(seeded(3), 2, 3);
    expect((await trainCentroids(points, 10, { pace: unpaced })).count).toBe(6);
  });

  it('calls the pace while it works, so a caller can give the event loop turns', async () => {
    let calls = 0;
    await trainCentroids(topics(seeded(4), 10, 50), 80, {
      pace: () => {
        calls++;
        return undefined;
      },
    });
    expect(calls).toBeGreaterThan(10);
  });
});

describe('CoarseQuantizer', () => {
  it.each([
    [24, 'in JavaScript'],
    [32, 'in SIMD'],
  ])(
    'files a vector under its nearest centroid, through the groups once prepared (%i dimensions, %s)',
    async (dims) => {
      const random = seeded(6);
      const points = topics(random, 30, 30, dims, 0.6);
      const centroids = await trainCentroids(points, 200, { pace: unpaced });
      const exact = new CoarseQuantizer(centroids, 1000);
      const grouped = new CoarseQuantizer(centroids, 1000);
      await grouped.prepare(unpaced);
      let agree = 0;
      for (let r = 0; r < points.count; r++) {
        const v = points.data.subarray(r * dims, (r + 1) * dims);
        const c = exact.assign(v);
        expect(c).toBeGreaterThanOrEqual(1000);
        expect(c).toBeLessThan(1200);
        if (grouped.assign(v) === c) agree++;
      }
      expect(agree / points.count).toBeGreaterThan(0.9);
    },
  );

  it('probes the nearest centroids first; untrained, everything is its one cluster', () => {
    const centroids = matrixOf([Float32Array.of(1, 0), Float32Array.of(0, 1), Float32Array.of(-1, 0)], 2);
    const q = new CoarseQuantizer(centroids, 7);
    expect(q.probe(Float32Array.of(0.8, 0.6), 2)).toEqual([7, 8]);
    expect(q.assign(Float32Array.of(-0.9, 0.1))).toBe(9);
    const untrained = new CoarseQuantizer({ data: new Float32Array(0), count: 0, dims: 0 }, 4);
    expect(untrained.probe(Float32Array.of(1, 0), 16)).toEqual([4]);
    expect(untrained.assign(Float32Array.of(1, 0))).toBe(4);
  });
});
