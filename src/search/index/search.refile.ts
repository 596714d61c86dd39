import type { StoreTx, TamsStore } from '../../store/store.ts';
import { decodeVectors, encodeFloats } from '../store/search.codec.ts';
import { searchRepos } from '../store/search.repos.ts';
import type { VectorHead } from '../store/search.vectors.repo.ts';
import {
  type CoarseQuantizer,
  type Entry,
  fileEntries,
  matrixOf,
  rowsOf,
  unpackVectors,
  vectorRows,
} from '../vectors/search.ivf.ts';
import { type Matrix, seeded, trainCentroids } from '../vectors/search.kmeans.ts';
import { clustersFor, endOf, type IvfLayout, stampOf } from '../vectors/search.layout.ts';
import type { Pace } from '../vectors/search.pace.ts';
import type { IndexState } from './search.state.ts';

/**
 * Training a new generation of clusters and filing the vectors anew under it, in steps
 * (search.layout.ts says what a generation is). Each step reads and computes outside any
 * transaction (the CPU work paced, search.pace.ts), then returns what to write: a short
 * transaction that first checks the layout is still the one it computed from.
 */

/** What a prepared step writes, in the indexer's transaction (which then writes the state). */
export type Apply = (tx: StoreTx, state: IndexState) => Promise<void>;

/** Thrown inside a step's transaction to roll it back: the index moved on since it was prepared. */
export class UpkeepSuperseded extends Error {
  override readonly name = 'UpkeepSuperseded';
}

export interface VectorUpkeep {
  store: TamsStore;
  /** The embedding model whose vectors are kept (rows of another are dropped). */
  model: string;
  dims: number;
  pace: Pace;
  /** Vectors a refiling step moves at most (REFILE_VECTORS). */
  stepVectors?: number;
}

/**
 * Vectors a refiling step moves at most: its reads, its memory (~3 KB a vector while filed) and
 * its transaction stay modest (a block for each new cluster its vectors go to; packing gathers a
 * cluster's blocks afterwards, search.maintain.ts).
 */
export const REFILE_VECTORS = 8192;
/** Vectors a training samples per cluster, and at most (32 a cluster is plenty for k-means). */
const SAMPLE_PER_CLUSTER = 32;
const SAMPLE_MAX = 32_768;

/**
 * Trains √N centroids on a sample of the current generation's rows and makes them the current
 * generation, the old one becoming `previous` (its rows are then refiled step by step).
 */
export async function prepareTraining(up: VectorUpkeep, layout: IvfLayout, vectors: number): Promise<Apply> {
  const k = clustersFor(vectors);
  const heads = (
    await searchRepos(up.store).vectors.headsInRange(layout.current.base, endOf(layout.current))
  ).filter((h) => h.model === up.model);
  const sample = await readSample(up, heads, Math.min(SAMPLE_MAX, k * SAMPLE_PER_CLUSTER), vectors);
  const centroids = await trainCentroids(sample, k, { pace: up.pace, seed: vectors });
  const encoded = rowsOf(centroids).map(encodeFloats);
  const base = endOf(layout.current);
  return async (tx, state) => {
    await checkLayout(tx, state, layout);
    if (centroids.count < 2) {
      // Too few vectors of the model to train on: wait for the collection to grow again.
      state.layout = { ...layout, current: { ...layout.current, trainedAt: vectors } };
      return;
    }
    await searchRepos(tx).vectors.addCentroids(up.model, base, encoded);
    state.layout = {
      version: layout.version + 1,
      current: { base, clusters: centroids.count, trainedAt: vectors },
      previous: layout.current,
    };
  };
}

/**
 * The next step of filing the previous generation's rows under the current one: the rows of its
 * lowest clusters, up to REFILE_VECTORS vectors, read, filed and written as new blocks, the old
 * rows deleted in the same transaction (so every vector is in one row at every commit). Vectors
 * of deleted documents, and rows of another model, are dropped on the way. When no row is left,
 * the previous generation's centroids go and the layout forgets it.
 */
export async function prepareRefile(
  up: VectorUpkeep,
  layout: IvfLayout,
  current: CoarseQuantizer,
): Promise<Apply | undefined> {
  const previous = layout.previous;
  if (previous === undefined) return undefined;
  const heads = await searchRepos(up.store).vectors.headsInRange(previous.base, endOf(previous));
  if (heads.length === 0) return retire(layout);
  heads.sort((a, b) => a.cluster - b.cluster || a.table.localeCompare(b.table) || a.block - b.block);
  const taken: VectorHead[] = [];
  let count = 0;
  for (const h of heads) {
    if (taken.length > 0 && count + h.count > (up.stepVectors ?? REFILE_VECTORS)) break;
    taken.push(h);
    count += h.count;
  }
  const usable = taken.filter((h) => h.model === up.model);
  const rows = await searchRepos(up.store).vectors.read(usable);
  // Another writer moved rows since they were listed: nothing to do on this turn.
  if (rows.length < usable.length) return undefined;
  const entries: Entry[] = [];
  for (const row of rows) {
    entries.push(...unpackVectors(decodeVectors(row.data, up.dims)));
    await up.pace();
  }
  const live = await searchRepos(up.store).docs.liveAmong(entries.map((e) => e.doc));
  const kept = entries.filter((e) => live.has(e.doc));
  const filed = await fileEntries(current, kept, up.pace);
  const sources = groupSources(taken);
  return async (tx, state) => {
    await checkLayout(tx, state, layout);
    for (const { table, cluster, blocks } of sources) {
      if ((await searchRepos(tx).vectors.delete(table, cluster, blocks)) !== blocks.length) {
        throw new UpkeepSuperseded('vector rows being refiled are gone');
      }
    }
    if (kept.length > 0)
      await searchRepos(tx).vectors.writeBlocks(vectorRows(state.nextBlock++, up.model, filed));
    state.vectors -= count - kept.length;
  };
}

function retire(layout: IvfLayout): Apply {
  const previous = layout.previous as NonNullable<IvfLayout['previous']>;
  return async (tx, state) => {
    await checkLayout(tx, state, layout);
    if ((await searchRepos(tx).vectors.headsInRange(previous.base, endOf(previous))).length > 0) {
      throw new UpkeepSuperseded('rows of the previous generation appeared');
    }
    await searchRepos(tx).vectors.deleteCentroids({ from: previous.base, to: endOf(previous) });
    state.layout = { version: layout.version + 1, current: layout.current };
  };
}

async function checkLayout(tx: StoreTx, state: IndexState, expected: IvfLayout): Promise<void> {
  if (stampOf(await state.vectorLayout(searchRepos(tx).vectors)) !== stampOf(expected)) {
    throw new UpkeepSuperseded('the vector layout changed');
  }
}

/** Rows to delete, by table and cluster (a delete names one cluster and its blocks). */
function groupSources(heads: readonly VectorHead[]) {
  const groups = new Map<string, { table: VectorHead['table']; cluster: number; blocks: number[] }>();
  for (const h of heads) {
    const key = `${h.table}:${h.cluster}`;
    const group = groups.get(key) ?? { table: h.table, cluster: h.cluster, blocks: [] };
    group.blocks.push(h.block);
    groups.set(key, group);
  }
  return [...groups.values()];
}

/**
 * About `target` vectors of these rows, as a matrix: whole rows drawn at random (so each vector
 * is as likely to be drawn as any other), then vectors drawn from them if they hold many more.
 */
async function readSample(
  up: VectorUpkeep,
  heads: readonly VectorHead[],
  target: number,
  seed: number,
): Promise<Matrix> {
  const random = seeded(seed);
  const order = heads.map((h) => ({ h, key: random() })).sort((a, b) => a.key - b.key);
  const chosen: VectorHead[] = [];
  let count = 0;
  for (const { h } of order) {
    if (count >= target) break;
    chosen.push(h);
    count += h.count;
  }
  const vectors: Float32Array[] = [];
  for (const row of await searchRepos(up.store).vectors.read(chosen)) {
    for (const e of unpackVectors(decodeVectors(row.data, up.dims))) vectors.push(e.vector);
    await up.pace();
  }
  const keep = target / Math.max(1, vectors.length);
  const drawn = keep >= 1 ? vectors : vectors.filter(() => random() < keep);
  return matrixOf(drawn, up.dims);
}
