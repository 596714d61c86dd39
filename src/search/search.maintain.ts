import { decodePostings, decodeVectors, encodeFloats, type Posting } from '../store/search/search.codec.ts';
import type { PartInfo, PostingsRow, VectorRow } from '../store/search/search.index.repo.ts';
import type { TamsStore } from '../store/store.ts';
import { CoarseQuantizer, packVectors, trainCentroids, unpackVectors, vectorRows } from './search.ivf.ts';
import { PartBuilder } from './search.part.ts';
import type { IndexState } from './search.state.ts';

/** Parts merged at once, and the sizes (documents) of the merge tiers. */
export const MERGE_FACTOR = 10;
const TIERS = [1_000, 10_000, 100_000, 1_000_000, 4_000_000];
/** Recent vectors, or recent rows, of a cluster that are packed into a block. */
const PACK_VECTORS = 256;
const PACK_ROWS = 64;
/** Vectors packed into one block at most (about 6 MB of rows read at once). */
const PACK_MAX = 16_384;
/** Vectors before the quantizer is first trained, and the growth that trains it again. */
export const TRAIN_AT = 4096;
const RETRAIN_GROWTH = 8;
const MAX_CLUSTERS = 256;
/**
 * Beyond this many vectors the quantizer is not trained again (a retraining reads every vector
 * and files each anew in one transaction): its clusters stay those of the first 262,144.
 */
const MAX_RETRAIN = 300_000;

/**
 * The parts to merge next: the first run of MERGE_FACTOR or more adjacent parts that are all
 * smaller than a tier's size, the smallest tier first (so small parts written per batch fold into
 * larger ones, and a large part is rewritten only when enough others of its size have gathered).
 * Undefined when nothing needs merging.
 */
export function mergeCandidates(parts: readonly PartInfo[]): PartInfo[] | undefined {
  for (const size of TIERS) {
    let run: PartInfo[] = [];
    for (const part of parts) {
      if (part.docs < size) {
        run.push(part);
        if (run.length === MERGE_FACTOR * 2) return run;
      } else {
        if (run.length >= MERGE_FACTOR) return run;
        run = [];
      }
    }
    if (run.length >= MERGE_FACTOR) return run;
  }
  return undefined;
}

/**
 * Merges adjacent parts into one (in the caller's transaction): the postings of documents still
 * live, with the collection statistics recounted from them. Returns the new part's number.
 */
export async function mergeParts(
  tx: TamsStore,
  parts: readonly PartInfo[],
  state: IndexState,
  now: Date,
): Promise<number> {
  const first = Math.min(...parts.map((p) => p.doc_first));
  const last = Math.max(...parts.map((p) => p.doc_last));
  const live = await tx.search.docs.liveNumbers(first, last);
  const byTerm = new Map<string, Posting[]>();
  const lengths = new Map<number, number>();
  for (const part of parts) {
    const rows: PostingsRow[] = await tx.search.index.partPostings(part.part);
    for (const row of rows) {
      let list = byTerm.get(row.term);
      if (list === undefined) {
        list = [];
        byTerm.set(row.term, list);
      }
      const into = list;
      decodePostings(row.data, (doc, tf, length) => {
        if (!live.has(doc)) return;
        into.push({ doc, tf, length });
        lengths.set(doc, length);
      });
    }
  }
  // Rebuilt by document, as the indexer adds them, so the part's rows come out the same way.
  const byDoc = new Map<number, Map<string, number>>();
  for (const [term, list] of byTerm) {
    for (const p of list) {
      let terms = byDoc.get(p.doc);
      if (terms === undefined) {
        terms = new Map();
        byDoc.set(p.doc, terms);
      }
      terms.set(term, p.tf);
    }
  }
  const builder = new PartBuilder();
  for (const doc of [...byDoc.keys()].sort((a, b) => a - b)) {
    builder.add(doc, byDoc.get(doc) as Map<string, number>, lengths.get(doc) ?? 0);
  }
  const part = state.nextPart++;
  await tx.search.index.deleteParts(parts.map((p) => p.part));
  if (!builder.empty) {
    const { info, rows } = builder.build(part, now);
    await tx.search.index.writePart({ ...info, doc_first: first, doc_last: last }, rows);
  }
  return part;
}

/** A cluster's recent rows to pack into one block (by their block numbers). */
export interface PackTask {
  cluster: number;
  blocks: number[];
}

/**
 * Clusters whose recent rows (a batch's vectors per cluster) are due to be packed into a block:
 * PACK_VECTORS of them, or PACK_ROWS rows however few vectors they hold (ingest a cue at a
 * time writes rows of one vector). Blocks of at least PACK_ROWS vectors keep the block table
 * below a row group's 122,880 rows up to millions of vectors. A task takes the oldest rows up to
 * PACK_MAX vectors, so a backlog (vectors of a long ingest) is packed in steps of bounded memory.
 */
export function packDue(recent: readonly { block: number; cluster: number; count: number }[]): PackTask[] {
  const byCluster = new Map<number, { block: number; count: number }[]>();
  for (const r of recent) {
    const list = byCluster.get(r.cluster) ?? [];
    list.push(r);
    byCluster.set(r.cluster, list);
  }
  const tasks: PackTask[] = [];
  for (const [cluster, rows] of byCluster) {
    const vectors = rows.reduce((n, r) => n + r.count, 0);
    if (rows.length < PACK_ROWS && vectors < PACK_VECTORS) continue;
    rows.sort((a, b) => a.block - b.block);
    const blocks: number[] = [];
    let taken = 0;
    for (const r of rows) {
      if (blocks.length > 0 && taken + r.count > PACK_MAX) break;
      blocks.push(r.block);
      taken += r.count;
    }
    tasks.push({ cluster, blocks });
  }
  return tasks;
}

/** Packs some of a cluster's recent rows into one block, without the vectors of deleted documents. */
export async function packCluster(
  tx: TamsStore,
  task: PackTask,
  state: IndexState,
  dims: number,
): Promise<void> {
  const { cluster, blocks } = task;
  const rows = await tx.search.index.newVectors(cluster, blocks);
  if (rows.length === 0) return;
  const model = rows.at(-1)?.model ?? '';
  const entries = rows.filter((r) => r.model === model).flatMap((r) => unpackQuantized(r, dims));
  const live = new Set(
    (
      await tx.search.docs.byNumbers(
        entries.map((e) => e.doc),
        { text: false },
      )
    ).map((d) => d.doc_no),
  );
  const kept = entries.filter((e) => live.has(e.doc)).sort((a, b) => a.doc - b.doc);
  await tx.search.index.deleteNewVectors(cluster, blocks);
  if (kept.length === 0) return;
  await tx.search.index.writeBlocks([
    { block: state.nextBlock++, cluster, count: kept.length, data: packVectors(kept), model },
  ]);
}

function unpackQuantized(row: VectorRow, dims: number) {
  return unpackVectors(decodeVectors(row.data, dims));
}

/** Whether the quantizer should be trained (again) for `vectors` stored vectors. */
export function dueForTraining(vectors: number, trainedAt: number): boolean {
  if (vectors < TRAIN_AT || vectors > MAX_RETRAIN) return false;
  return trainedAt === 0 || vectors >= trainedAt * RETRAIN_GROWTH;
}

/**
 * Trains the centroids on (a sample of) the stored vectors of `model` and files every vector
 * under its new cluster, in the caller's transaction. About one cluster per 250 vectors, at most
 * MAX_CLUSTERS; k-means on at most 32 vectors per cluster.
 */
export async function retrain(
  tx: TamsStore,
  model: string,
  state: IndexState,
  dims: number,
): Promise<number> {
  const rows = (await tx.search.index.vectors()).filter((r) => r.model === model);
  const entries = rows.flatMap((r) => unpackQuantized(r, dims));
  const live = new Set(
    (
      await tx.search.docs.byNumbers(
        entries.map((e) => e.doc),
        { text: false },
      )
    ).map((d) => d.doc_no),
  );
  const kept = entries.filter((e) => live.has(e.doc));
  const k = Math.min(MAX_CLUSTERS, Math.max(2, Math.round(kept.length / 250)));
  const step = Math.max(1, Math.floor(kept.length / (k * 32)));
  const sample = kept.filter((_, i) => i % step === 0).map((e) => e.vector);
  const centroids = trainCentroids(sample, k, 8, kept.length);
  await tx.search.index.deleteAllVectors();
  await tx.search.index.setCentroids(model, centroids.map(encodeFloats));
  await tx.search.index.writeBlocks(
    vectorRows(state.nextBlock++, model, new CoarseQuantizer(centroids), kept),
  );
  state.centroidsVersion = (typeof state.centroidsVersion === 'number' ? state.centroidsVersion : 0) + 1;
  return kept.length;
}
