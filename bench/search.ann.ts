/**
 * How much the vector index's probing loses against exact search, on the latency index once its
 * server has stopped: for the evaluation set's queries, the share of the exact ten nearest
 * vectors (every stored vector scored) that a query probing `nprobe` clusters finds, at a few
 * settings of `nprobe` around the default. The quality figures of bench/search-eval are taken on
 * an index too small to be split into clusters; this is what the clusters cost at scale.
 */
import { loadConfig } from '../src/config.ts';
import { openEngine } from '../src/db/engine.factory.ts';
import { searchModelDir } from '../src/search/embed/embed.model.ts';
import { createOnnxProvider } from '../src/search/embed/embed.onnx.ts';
import { IndexState } from '../src/search/index/search.state.ts';
import { SemanticRanker } from '../src/search/query/search.semantic.ts';
import { decodeVectors, dotQuantized, type VectorBlock } from '../src/search/store/search.codec.ts';
import { searchRepos } from '../src/search/store/search.repos.ts';
import { searchTables } from '../src/search/store/search.tables.ts';
import { TopK } from '../src/search/vectors/search.ivf.ts';
import { openStoreDb } from '../src/store/store.open.ts';
import { TamsStore } from '../src/store/store.ts';
import type { Figure } from './bench.report.ts';
import { readEval } from './search.client.ts';

/** Queries of the evaluation set used (every third: exact search scores every vector for each). */
const STRIDE = 3;

export async function annRecall(dir: string, cues: number, log: (line: string) => void): Promise<Figure[]> {
  const config = loadConfig({ TAMS_DATA_DIR: dir });
  const { db } = await openStoreDb(await openEngine(config), { owner: 'bench-ann', tables: searchTables });
  const embedder = await createOnnxProvider({ modelDir: searchModelDir() });
  try {
    const store = await TamsStore.open(db);
    const state = await IndexState.read(store);
    const queries = readEval<{ q: string }[]>('queries.json')
      .filter((_, i) => i % STRIDE === 0)
      .map((q) => q.q);
    const vectors = await Promise.all(queries.map(async (q) => (await embedder.embed([q], 'query'))[0]));
    log(`  exact search: reading every vector of ${state.vectors.toLocaleString('en')}`);
    const exact = queries.map(() => new TopK(10));
    const heads = (await searchRepos(store).vectors.heads()).filter((h) => h.model === embedder.id);
    for (let i = 0; i < heads.length; i += 256) {
      const blocks: VectorBlock[] = (await searchRepos(store).vectors.read(heads.slice(i, i + 256))).map(
        (r) => decodeVectors(r.data, embedder.dimensions),
      );
      for (const block of blocks) {
        vectors.forEach((v, qi) => {
          const top = exact[qi] as TopK;
          for (let j = 0; j < block.docs.length; j++) {
            top.offer(block.docs[j] as number, dotQuantized(v as Float32Array, block, j));
          }
        });
      }
    }
    const truth = exact.map((t) => new Set(t.sorted().map((r) => r.doc)));
    const figures: Figure[] = [];
    const nprobe = config.TAMS_SEARCH_NPROBE;
    for (const probes of [nprobe / 2, nprobe, nprobe * 2]) {
      const ranker = new SemanticRanker(embedder, probes);
      let found = 0;
      for (const [qi, v] of vectors.entries()) {
        const ranked = await ranker.rank(searchRepos(store), v as Float32Array, state, 10);
        found += ranked.filter((r) => truth[qi]?.has(r.doc)).length;
      }
      const recall = found / (10 * queries.length);
      log(`  nprobe ${probes}: recall@10 of the exact ten ${recall.toFixed(3)} (${queries.length} queries)`);
      figures.push({
        name: `search semantic over ${cues.toLocaleString('en')} cues: recall@10 against exact search, nprobe ${probes}`,
        value: recall,
        unit: '',
        digits: 3,
      });
    }
    return figures;
  } finally {
    await embedder.close();
    await db.close();
  }
}
