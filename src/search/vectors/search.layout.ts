import type { JsonValue } from '../../db/db.types.ts';
import type { SearchVectorsRepo } from '../store/search.vectors.repo.ts';

/**
 * Which quantizers the vector index's rows are filed under (kept as JSON in `search_state`, key
 * `ivf`, written in the transactions that change it).
 *
 * Each training makes a new generation of clusters, numbered after the previous one's, and
 * files the vectors anew in bounded steps (search.refile.ts). Until that is done the previous
 * generation stays: its rows not yet refiled are read by queries alongside, each through its own
 * centroids, and every vector is in exactly one row of one generation at every commit.
 */
export interface Generation {
  /** The first cluster number. */
  base: number;
  /** Centroids; 0: untrained, everything in the single cluster `base`. */
  clusters: number;
  /** Vectors there were when it was trained (0: untrained). */
  trainedAt: number;
}

export interface IvfLayout {
  /** Changes whenever a generation starts or is retired (readers compare it before and after). */
  version: number;
  current: Generation;
  /** The generation whose rows are being filed anew under `current`. */
  previous?: Generation;
}

/** Vectors before the quantizer is first trained. */
export const TRAIN_AT = 4096;
/** Growth of the collection since the last training that trains again. */
const RETRAIN_GROWTH = 4;
/**
 * About √N clusters: a query scores its probed clusters' vectors and all centroids, and √N
 * balances the two. Bounded so that the centroids (and a training's sample) stay a few MB; past
 * 4,000,000 vectors clusters grow instead.
 */
export const MAX_CLUSTERS = 2048;

export function clustersFor(vectors: number): number {
  return Math.min(MAX_CLUSTERS, Math.max(2, Math.round(Math.sqrt(vectors))));
}

/** Whether a new generation should be trained for `vectors` stored vectors. */
export function trainingDue(layout: IvfLayout, vectors: number): boolean {
  if (layout.previous !== undefined || vectors < TRAIN_AT) return false;
  const { clusters, trainedAt } = layout.current;
  if (clusters === 0) return true;
  return vectors >= trainedAt * RETRAIN_GROWTH && clustersFor(vectors) > clusters;
}

/** The first cluster number after a generation's. */
export function endOf(g: Generation): number {
  return g.base + Math.max(1, g.clusters);
}

/** A comparable form: equal stamps, same layout. */
export function stampOf(layout: IvfLayout): string {
  return JSON.stringify(layoutJson(layout));
}

export function layoutJson(layout: IvfLayout): JsonValue {
  const gen = (g: Generation) => ({ base: g.base, clusters: g.clusters, trained_at: g.trainedAt });
  return {
    version: layout.version,
    current: gen(layout.current),
    ...(layout.previous !== undefined && { previous: gen(layout.previous) }),
  };
}

export function parseLayout(value: JsonValue | undefined): IvfLayout | undefined {
  if (value === undefined || value === null || typeof value !== 'object' || Array.isArray(value)) {
    return undefined;
  }
  const current = parseGeneration(value.current);
  if (current === undefined || typeof value.version !== 'number') return undefined;
  const previous = parseGeneration(value.previous);
  return { version: value.version, current, ...(previous !== undefined && { previous }) };
}

function parseGeneration(value: JsonValue | undefined): Generation | undefined {
  if (value === undefined || value === null || typeof value !== 'object' || Array.isArray(value)) {
    return undefined;
  }
  const { base, clusters, trained_at: trainedAt } = value;
  if (typeof base !== 'number' || typeof clusters !== 'number' || typeof trainedAt !== 'number') {
    return undefined;
  }
  return { base, clusters, trainedAt };
}

/**
 * The layout of the index: the one kept in the state, or, for an index written before layouts
 * were kept (`ivf` missing), the one its tables imply: every row filed under the centroids there
 * are, clusters 0 to n - 1 (or the single cluster 0 when untrained).
 */
export async function resolveLayout(
  kept: IvfLayout | undefined,
  legacy: { trainedVectors: number; centroidsVersion: JsonValue },
  vectors: SearchVectorsRepo,
): Promise<IvfLayout> {
  if (kept !== undefined) return kept;
  const clusters = (await vectors.centroids()).length;
  return {
    version: typeof legacy.centroidsVersion === 'number' ? legacy.centroidsVersion : 0,
    current: { base: 0, clusters, trainedAt: clusters === 0 ? 0 : legacy.trainedVectors },
  };
}
