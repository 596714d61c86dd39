import type { StoreTx } from '../../store/store.ts';
import { decodePostings, decodeVectors, type Posting } from '../store/search.codec.ts';
import type { PartInfo, PostingsRow } from '../store/search.index.repo.ts';
import { searchRepos } from '../store/search.repos.ts';
import type { VectorHead, VectorTable } from '../store/search.vectors.repo.ts';
import { packVectors, unpackVectors } from '../vectors/search.ivf.ts';
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
/** Blocks a cluster may have before its smaller ones are packed together. */
const MAX_BLOCKS = 8;

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
  tx: StoreTx,
  parts: readonly PartInfo[],
  state: IndexState,
  now: Date,
): Promise<number> {
  const first = Math.min(...parts.map((p) => p.doc_first));
  const last = Math.max(...parts.map((p) => p.doc_last));
  const live = await searchRepos(tx).docs.liveNumbers(first, last);
  const byTerm = new Map<string, Posting[]>();
  const lengths = new Map<number, number>();
  for (const part of parts) {
    const rows: PostingsRow[] = await searchRepos(tx).index.partPostings(part.part);
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
  await searchRepos(tx).index.deleteParts(parts.map((p) => p.part));
  if (!builder.empty) {
    const { info, rows } = builder.build(part, now);
    await searchRepos(tx).index.writePart({ ...info, doc_first: first, doc_last: last }, rows);
  }
  return part;
}

/** Rows of one cluster to pack into one block. */
export interface PackTask {
  cluster: number;
  rows: { table: VectorTable; block: number }[];
}

/**
 * Clusters whose rows are due to be packed into one block: recent rows (a batch's vectors per
 * cluster) once there are PACK_VECTORS vectors or PACK_ROWS rows of them (ingest a cue at a time
 * writes rows of one vector), and blocks once a cluster has more than MAX_BLOCKS of them (refiling
 * leaves a cluster a small block from each step that filed vectors into it: tens of them). A
 * task takes the oldest recent rows, then the smallest blocks but the largest MAX_BLOCKS / 2 (so
 * large blocks are seldom rewritten), up to PACK_MAX vectors: a backlog is packed in steps of
 * bounded memory. A query then lists a few blocks per cluster.
 */
export function packDue(heads: readonly Omit<VectorHead, 'model'>[]): PackTask[] {
  const byCluster = new Map<number, Omit<VectorHead, 'model'>[]>();
  for (const h of heads) {
    const list = byCluster.get(h.cluster) ?? [];
    list.push(h);
    byCluster.set(h.cluster, list);
  }
  const tasks: PackTask[] = [];
  for (const [cluster, rows] of byCluster) {
    const recent = rows.filter((r) => r.table === 'new').sort((a, b) => a.block - b.block);
    const blocks = rows
      .filter((r) => r.table === 'blocks')
      .sort((a, b) => a.count - b.count || a.block - b.block);
    const recentVectors = recent.reduce((n, r) => n + r.count, 0);
    const packRecent = recent.length >= PACK_ROWS || recentVectors >= PACK_VECTORS;
    const packBlocks = blocks.length > MAX_BLOCKS;
    if (!packRecent && !packBlocks) continue;
    const candidates = [...recent, ...(packBlocks ? blocks.slice(0, blocks.length - MAX_BLOCKS / 2) : [])];
    const taken: PackTask['rows'] = [];
    let vectors = 0;
    for (const r of candidates) {
      if (taken.length > 0 && vectors + r.count > PACK_MAX) break;
      taken.push({ table: r.table, block: r.block });
      vectors += r.count;
    }
    // One block packed alone would change nothing.
    if (taken.length > 1 || taken[0]?.table === 'new') tasks.push({ cluster, rows: taken });
  }
  return tasks;
}

/** Packs some of a cluster's rows into one block, without the vectors of deleted documents. */
export async function packCluster(
  tx: StoreTx,
  task: PackTask,
  state: IndexState,
  dims: number,
): Promise<void> {
  const { cluster } = task;
  const rows = await searchRepos(tx).vectors.read(
    task.rows.map((r) => ({ ...r, cluster, count: 0, model: '' })),
  );
  if (rows.length === 0) return;
  rows.sort((a, b) => a.block - b.block);
  const model = rows.at(-1)?.model ?? '';
  const entries = rows
    .filter((r) => r.model === model)
    .flatMap((r) => unpackVectors(decodeVectors(r.data, dims)));
  const live = await searchRepos(tx).docs.liveAmong(entries.map((e) => e.doc));
  const kept = entries.filter((e) => live.has(e.doc)).sort((a, b) => a.doc - b.doc);
  for (const table of ['new', 'blocks'] as const) {
    const blocks = rows.filter((r) => r.table === table).map((r) => r.block);
    if (blocks.length > 0) await searchRepos(tx).vectors.delete(table, cluster, blocks);
  }
  state.vectors -= rows.reduce((n, r) => n + r.count, 0) - kept.length;
  if (kept.length === 0) return;
  await searchRepos(tx).vectors.writeBlocks([
    { block: state.nextBlock++, cluster, count: kept.length, data: packVectors(kept), model },
  ]);
}
