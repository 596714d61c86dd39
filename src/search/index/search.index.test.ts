/**
 * The index on the store's tables (in-memory DuckDB): BM25 over parts written batch by batch and
 * merged, against a brute-force BM25 of the same documents; the inverted-file vector index
 * trained as it grows, against exact nearest neighbours.
 */
import { describe, expect, it } from 'vitest';
import {
  batch,
  ClusteredVectors,
  draft,
  indexer,
  openStore,
  seeded,
} from '../../../test/support/search/search.index.testkit.ts';
import { TimeRange } from '../../time/index.ts';
import { rankKeyword } from '../query/search.keyword.ts';
import { SemanticRanker } from '../query/search.semantic.ts';
import { analyzerText } from '../search.text.ts';
import { searchRepos } from '../store/search.repos.ts';
import { TRAIN_AT } from '../vectors/search.layout.ts';
import { IndexState } from './search.state.ts';

const VOCABULARY = Array.from(
  { length: 60 },
  (_, i) => `word${String.fromCharCode(97 + (i % 26))}${Math.floor(i / 26)}x`,
);

/** BM25 as the textbook writes it, over the live documents. */
function bruteForce(docs: Map<string, string>, terms: string[]): Map<string, number> {
  const analyzed = new Map([...docs].map(([key, text]) => [key, analyzerText.indexTerms(text)]));
  const n = analyzed.size;
  let total = 0;
  for (const a of analyzed.values()) total += a.length;
  const avg = total / n;
  const scores = new Map<string, number>();
  for (const term of new Set(terms)) {
    const df = [...analyzed.values()].filter((a) => a.terms.has(term)).length;
    if (df === 0) continue;
    const idf = Math.log(1 + (n - df + 0.5) / (df + 0.5));
    for (const [key, a] of analyzed) {
      const tf = a.terms.get(term) ?? 0;
      if (tf === 0) continue;
      const s = (idf * tf * 2.2) / (tf + 1.2 * (0.25 + (0.75 * a.length) / avg));
      scores.set(key, (scores.get(key) ?? 0) + s);
    }
  }
  return scores;
}

describe('keyword ranking on the index parts', () => {
  it('equals a brute-force BM25 over batches, deletions and merges', async () => {
    const { store, close } = await openStore();
    try {
      const random = seeded(3);
      const zipf = () => VOCABULARY[Math.floor(VOCABULARY.length * random() ** 2.5)] as string;
      const live = new Map<string, string>();
      const ix = indexer(store);
      let n = 0;
      for (let b = 0; b < 12; b++) {
        const drafts = Array.from({ length: 25 }, () => {
          const text = Array.from({ length: 3 + Math.floor(random() * 12) }, zipf).join(' ');
          const d = draft(n++, text);
          live.set(d.doc_key, text);
          return d;
        });
        await batch(ix, store, drafts);
      }
      expect((await searchRepos(store).index.parts()).length).toBe(12);

      const check = async () => {
        const state = await IndexState.read(store);
        expect(state.docs).toBe(live.size);
        const docs = await searchRepos(store).docs.page(0, 100_000);
        const keyOf = new Map(docs.map((d) => [d.doc_no, d.doc_key]));
        for (let q = 0; q < 25; q++) {
          const terms = [...new Set(Array.from({ length: 1 + Math.floor(random() * 3) }, zipf))].map(
            (w) => analyzerText.indexTerms(w).terms.keys().next().value as string,
          );
          const { ranked } = await rankKeyword(
            searchRepos(store).index,
            { terms, required: [], prefixes: [], excluded: [] },
            { docs: state.docs, tokens: state.tokens },
            1000,
            (doc) => keyOf.has(doc),
          );
          const expected = bruteForce(live, terms);
          expect(ranked.length, terms.join(' ')).toBe(expected.size);
          for (const r of ranked) {
            expect(r.score).toBeCloseTo(expected.get(keyOf.get(r.doc) ?? '') ?? -1, 9);
          }
        }
      };
      await check();

      // Deletions: their postings stay in the parts until a merge, so only a merge makes the
      // document frequencies those of the live documents again.
      const gone = [...live.keys()].filter((_, i) => i % 7 === 0);
      for (const key of gone) live.delete(key);
      await batch(ix, store, [], gone);
      while (await ix.step()) {
        // Merging (and nothing else to do: no events, no embedder).
      }
      expect((await searchRepos(store).index.parts()).length).toBeLessThan(3);
      await check();
    } finally {
      await close();
    }
  });
});

describe('upkeep under a steady stream of work', () => {
  it('trains the quantizer and packs vectors between batches, before the queue runs dry', async () => {
    const { store, close } = await openStore();
    try {
      const random = seeded(3);
      const ix = indexer(store, new ClusteredVectors(random));
      while (await ix.step()) {
        // The build from the (empty) tables.
      }
      const now = new Date();
      await store.flows.save(
        {
          id: '5c5f2c3e-8a4b-4c1e-9d2a-0f6b1e7c9a01',
          source_id: '5c5f2c3e-8a4b-4c1e-9d2a-0f6b1e7c9a02',
          format: 'urn:x-nmos:format:data',
          created: now,
          metadata_updated: now,
          metadata_version: '1',
          extra: {},
          tags: {},
          collected_by: [],
          timerange: TimeRange.fromBounds(0n, 3_600_000_000_000n, true, false),
        },
        true,
      );
      // 120 transcripts of 60 cues: batches of 20 jobs (1,200 documents), six of them.
      const transcripts = 120;
      const cues = 60;
      for (let t = 0; t < transcripts; t++) {
        const id = `t${String(t).padStart(3, '0')}`;
        await searchRepos(store).transcripts.insert(
          { id, flow_id: '5c5f2c3e-8a4b-4c1e-9d2a-0f6b1e7c9a01', status: 'ACTIVE', cues, created: now },
          Array.from({ length: cues }, (_, n) => ({
            n,
            time_start: BigInt(n) * 1_000_000_000n,
            time_end: BigInt(n + 1) * 1_000_000_000n,
            text: `${Math.floor(random() * 12)} cue ${t} ${n}`,
          })),
        );
        await searchRepos(store).transcripts.queue([
          {
            id: `job-${id}`,
            kind: 'index-transcript',
            transcript_id: id,
            flow_id: '5c5f2c3e-8a4b-4c1e-9d2a-0f6b1e7c9a01',
            created: new Date(now.getTime() + t),
          },
        ]);
      }
      let trainedWhileBusy = false;
      let packedWhileBusy = false;
      while (await ix.step()) {
        const pending = await searchRepos(store).transcripts.countJobs();
        if (pending === 0) continue;
        if ((await searchRepos(store).vectors.centroids()).length > 0) trainedWhileBusy = true;
        const recent = (await searchRepos(store).vectors.newHeads()).reduce((n, r) => n + r.count, 0);
        if ((await IndexState.read(store)).vectors > recent) packedWhileBusy = true;
      }
      expect(trainedWhileBusy).toBe(true);
      expect(packedWhileBusy).toBe(true);
      const state = await IndexState.read(store);
      expect(state.docs).toBe(transcripts * cues);
      expect(state.vectors).toBe(transcripts * cues);
      expect(state.layout?.current.trainedAt).toBeGreaterThanOrEqual(TRAIN_AT);
    } finally {
      await close();
    }
  });
});

describe('the vector index', () => {
  it('trains its quantizer once vectors pass the threshold, and probing finds the exact neighbours', async () => {
    const { store, close } = await openStore();
    try {
      const random = seeded(9);
      const embedder = new ClusteredVectors(random);
      const ix = indexer(store, embedder);
      const total = TRAIN_AT + 400;
      for (let start = 0; start < total; start += 500) {
        const drafts = Array.from({ length: Math.min(500, total - start) }, (_, i) =>
          draft(start + i, `${Math.floor(random() * 12)} cue ${start + i}`),
        );
        await batch(ix, store, drafts);
      }
      while (await ix.step()) {
        // Merges, training, compaction.
      }
      const centroids = await searchRepos(store).vectors.centroids();
      expect(centroids.length).toBe(Math.round(Math.sqrt(total)));
      const state = await IndexState.read(store);
      expect(state.layout?.current.trainedAt).toBe(total);
      expect(state.layout?.previous).toBeUndefined();

      // Exact neighbours from every stored vector (all clusters probed) against a few probes.
      const all = new SemanticRanker(embedder, centroids.length);
      // A sixth of the clusters (the vectors gather around 12 topics, each spread over several).
      const few = new SemanticRanker(embedder, Math.ceil(centroids.length / 6));
      let found = 0;
      const queries = 20;
      for (let q = 0; q < queries; q++) {
        const [query] = await embedder.embed([`${q % 12} query`]);
        const exact = await all.rank(searchRepos(store), query as Float32Array, state, 10);
        const probed = await few.rank(searchRepos(store), query as Float32Array, state, 10);
        expect(exact).toHaveLength(10);
        const truth = new Set(exact.map((r) => r.doc));
        found += probed.filter((r) => truth.has(r.doc)).length;
      }
      expect(found / (queries * 10)).toBeGreaterThan(0.9);
    } finally {
      await close();
    }
  });
});
