import { decodeFloats } from '../store/search.codec.ts';
import type { SearchVectorsRepo } from '../store/search.vectors.repo.ts';
import { CoarseQuantizer } from './search.ivf.ts';
import type { Generation, IvfLayout } from './search.layout.ts';

/** The quantizers of a layout: the current generation's and, while refiling, the previous one's. */
export interface Quantizers {
  current: CoarseQuantizer;
  previous?: CoarseQuantizer;
}

export async function quantizersOf(
  vectors: SearchVectorsRepo,
  layout: IvfLayout,
  model: string,
): Promise<Quantizers> {
  const current = await quantizerOf(vectors, layout.current, model);
  if (layout.previous === undefined) return { current };
  return { current, previous: await quantizerOf(vectors, layout.previous, model) };
}

/**
 * A generation's quantizer from its centroid rows (of `model`). Each centroid sits at its
 * cluster's place; a missing one (a model changed under the index) stays a zero vector, which
 * ranks below every real centroid of unit vectors that point anywhere near.
 */
export async function quantizerOf(
  vectors: SearchVectorsRepo,
  gen: Generation,
  model: string,
): Promise<CoarseQuantizer> {
  if (gen.clusters === 0)
    return new CoarseQuantizer({ data: new Float32Array(0), count: 0, dims: 0 }, gen.base);
  const rows = (await vectors.centroids({ from: gen.base, to: gen.base + gen.clusters })).filter(
    (r) => r.model === model,
  );
  const decoded = rows.map((r) => ({ at: r.cluster - gen.base, vector: decodeFloats(r.vector) }));
  const dims = decoded[0]?.vector.length ?? 0;
  const data = new Float32Array(gen.clusters * dims);
  for (const { at, vector } of decoded) data.set(vector.subarray(0, dims), at * dims);
  return new CoarseQuantizer({ data, count: dims === 0 ? 0 : gen.clusters, dims }, gen.base);
}
