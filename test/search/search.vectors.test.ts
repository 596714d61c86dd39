/**
 * The vector index as it grows, on the engine of the test project (in-memory DuckDB, or the fake
 * VAST in the `vast` project): trained into √N clusters, its vectors filed anew under each new
 * generation of clusters in bounded steps, with every vector in exactly one row at every commit
 * and queries finding each document once whatever step the index is at; an index written before
 * layouts were kept upgrades itself from its stored vectors; a query whose rows move between its
 * two reads reads again.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import type { DbSession, Engine } from '../../src/db/db.types.ts';
import { openEngine } from '../../src/db/engine.factory.ts';
import type { TableManager } from '../../src/db/manager.ts';
import { and, col } from '../../src/db/predicate.ts';
import type { SearchIndexer } from '../../src/search/index/search.indexer.ts';
import { IndexState } from '../../src/search/index/search.state.ts';
import { SemanticRanker } from '../../src/search/query/search.semantic.ts';
import { decodeVectors, encodeFloats } from '../../src/search/store/search.codec.ts';
import { SearchRepos, searchRepos } from '../../src/search/store/search.repos.ts';
import { ST } from '../../src/search/store/search.tables.ts';
import { CoarseQuantizer, rowsOf, unpackVectors, vectorRows } from '../../src/search/vectors/search.ivf.ts';
import { trainCentroids } from '../../src/search/vectors/search.kmeans.ts';
import { TRAIN_AT } from '../../src/search/vectors/search.layout.ts';
import { unpaced } from '../../src/search/vectors/search.pace.ts';
import { VectorCache } from '../../src/search/vectors/search.vcache.ts';
import type { TamsStore } from '../../src/store/store.ts';
import { onPostgres, postgresTestEngine } from '../helpers/postgres.mode.ts';
import { onVast, sharedFakeVast } from '../helpers/vast.mode.ts';
import { testEngine } from '../support/db/engines/vast/vast.testkit.ts';
import {
  batch,
  ClusteredVectors,
  draft,
  indexer,
  openStore,
  seeded,
} from '../support/search/search.index.testkit.ts';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

async function open(): Promise<{ store: TamsStore; db: TableManager }> {
  let engine: Engine;
  if (onVast) engine = testEngine(await sharedFakeVast(), `tams_vec_${randomUUID().slice(0, 8)}`);
  else if (onPostgres) engine = await postgresTestEngine(`tams_vec_${randomUUID().slice(0, 8)}`);
  else engine = await openEngine(loadConfig({}), { memory: true });
  const { store, db, close } = await openStore(engine);
  closers.push(close);
  return { store, db };
}

/** `count` documents from number `from` on, as batches of 500 of topic-clustered texts. */
async function add(ix: SearchIndexer, store: TamsStore, from: number, count: number, random: () => number) {
  for (let start = from; start < from + count; start += 500) {
    const n = Math.min(500, from + count - start);
    await batch(
      ix,
      store,
      Array.from({ length: n }, (_, i) => draft(start + i, `${Math.floor(random() * 12)} cue ${start + i}`)),
    );
  }
}

/** How many times each document's vector is stored, over every row of both tables. */
async function stored(store: TamsStore, dims: number): Promise<Map<number, number>> {
  const rows = await searchRepos(store).vectors.read(await searchRepos(store).vectors.heads());
  const times = new Map<number, number>();
  for (const row of rows) {
    for (const doc of decodeVectors(row.data, dims).docs) times.set(doc, (times.get(doc) ?? 0) + 1);
  }
  return times;
}

/** Every live document's vector stored once, and an exhaustive query finding each once. */
async function checkWhole(store: TamsStore, embedder: ClusteredVectors, live: number): Promise<void> {
  const times = await stored(store, embedder.dimensions);
  expect(times.size).toBe(live);
  expect([...times.values()].every((t) => t === 1)).toBe(true);
  const state = await IndexState.read(store);
  const [query] = await embedder.embed(['3 query']);
  const ranked = await new SemanticRanker(embedder, 100_000).rank(
    searchRepos(store),
    query as Float32Array,
    state,
    100_000,
  );
  expect(ranked).toHaveLength(live);
  expect(new Set(ranked.map((r) => r.doc)).size).toBe(live);
}

describe('the vector index as it grows', () => {
  it('files the vectors anew under each new generation in bounded steps, each in one row at every step', async () => {
    const { store } = await open();
    const random = seeded(5);
    const embedder = new ClusteredVectors(random);
    const ix = indexer(store, embedder, { refileVectors: 700 });
    const total = TRAIN_AT + 300;
    await add(ix, store, 0, total, random);
    // Deleted documents' vectors stay in their rows until those are refiled.
    const gone = Array.from({ length: 50 }, (_, i) => draft(i * 7, '').doc_key);
    await batch(ix, store, [], gone);
    const live = total - gone.length;
    expect((await IndexState.read(store)).vectors).toBe(total);

    let steps = 0;
    let refiling = 0;
    while (await ix.step()) {
      steps++;
      const state = await IndexState.read(store);
      const layout = await state.vectorLayout(searchRepos(store).vectors);
      if (layout.previous !== undefined) refiling++;
      // Each stored once (a deleted document's may still be there mid-refile).
      const times = await stored(store, embedder.dimensions);
      expect([...times.values()].every((t) => t === 1)).toBe(true);
      const [query] = await embedder.embed(['5 query']);
      const ranked = await new SemanticRanker(embedder, 100_000).rank(
        searchRepos(store),
        query as Float32Array,
        state,
        100_000,
      );
      expect(new Set(ranked.map((r) => r.doc)).size).toBe(ranked.length);
      expect(ranked.length).toBe(times.size);
    }
    // At most 700 vectors a step: the 4,396 vectors of the single untrained cluster took 7 or more.
    expect(refiling).toBeGreaterThanOrEqual(7);
    expect(steps).toBeGreaterThan(refiling);
    const state = await IndexState.read(store);
    expect(state.layout).toMatchObject({
      current: { base: 1, clusters: Math.round(Math.sqrt(total)), trainedAt: total },
    });
    expect(state.layout?.previous).toBeUndefined();
    expect(state.vectors).toBe(live);
    expect(await searchRepos(store).vectors.centroids()).toHaveLength(Math.round(Math.sqrt(total)));
    // Packed: no cluster is left spread over more than eight blocks by the refiling steps.
    const perCluster = new Map<number, number>();
    for (const h of await searchRepos(store).vectors.heads())
      perCluster.set(h.cluster, (perCluster.get(h.cluster) ?? 0) + 1);
    expect(Math.max(...perCluster.values())).toBeLessThanOrEqual(8);
    await checkWhole(store, embedder, live);

    // A sixth of the clusters finds nearly all of the exact ten nearest.
    const few = new SemanticRanker(embedder, Math.ceil(Math.sqrt(total) / 6));
    const all = new SemanticRanker(embedder, 100_000);
    let found = 0;
    for (let q = 0; q < 12; q++) {
      const [query] = await embedder.embed([`${q} query`]);
      const exact = new Set(
        (await all.rank(searchRepos(store), query as Float32Array, state, 10)).map((r) => r.doc),
      );
      found += (await few.rank(searchRepos(store), query as Float32Array, state, 10)).filter((r) =>
        exact.has(r.doc),
      ).length;
    }
    expect(found / 120).toBeGreaterThan(0.9);
  });

  it('upgrades an index written before layouts were kept, from its stored vectors', async () => {
    const { store, db } = await open();
    const random = seeded(8);
    const embedder = new ClusteredVectors(random);
    const ix = indexer(store, embedder, { refileVectors: 1500 });
    // As the code before kept it: centroids 0-7 trained at 1,000 vectors, rows filed under them,
    // the state with `trained_vectors` and `centroids_version` and no layout.
    await add(ix, store, 0, 1000, random);
    await legacyTraining(store, db, embedder, 8);
    await add(ix, store, 1000, TRAIN_AT, random);
    expect((await IndexState.read(store)).layout).toBeUndefined();
    expect((await searchRepos(store).vectors.heads()).every((h) => h.cluster < 8)).toBe(true);
    await checkWhole(store, embedder, 1000 + TRAIN_AT);

    let trained = false;
    while (await ix.step()) {
      const layout = (await IndexState.read(store)).layout;
      if (layout?.previous !== undefined) {
        trained = true;
        expect(layout.previous).toEqual({ base: 0, clusters: 8, trainedAt: 1000 });
        expect(layout.version).toBe(3);
      }
      await checkWhole(store, embedder, 1000 + TRAIN_AT);
    }
    expect(trained).toBe(true);
    const layout = (await IndexState.read(store)).layout;
    const k = Math.round(Math.sqrt(1000 + TRAIN_AT));
    expect(layout).toEqual({ version: 4, current: { base: 8, clusters: k, trainedAt: 1000 + TRAIN_AT } });
    const centroids = await searchRepos(store).vectors.centroids();
    expect(centroids.map((c) => c.cluster)).toEqual(Array.from({ length: k }, (_, i) => 8 + i));
    expect((await searchRepos(store).vectors.heads()).every((h) => h.cluster >= 8 && h.cluster < 8 + k)).toBe(
      true,
    );
  });

  it('reads again when the rows a query listed are refiled before it reads them', async () => {
    const { store, db } = await open();
    const random = seeded(11);
    const embedder = new ClusteredVectors(random);
    const ix = indexer(store, embedder, { refileVectors: 1000 });
    await add(ix, store, 0, TRAIN_AT + 100, random);
    // Steps until the first generation is trained and its refiling has begun.
    while ((await IndexState.read(store)).layout?.previous === undefined) expect(await ix.step()).toBe(true);

    let lists = 0;
    let moved = false;
    const session: DbSession = {
      select: async (table, options) => {
        const vectorTable = table === ST.vectors || table === ST.vectorsNew;
        if (vectorTable && options?.columns !== undefined) lists++;
        if (vectorTable && options?.columns === undefined && !moved) {
          // Between the query's listing of its rows and its reading of them: a refiling step.
          moved = true;
          expect(await ix.step()).toBe(true);
        }
        return db.select(table, options);
      },
      count: (table, where) => db.count(table, where),
      insert: (table, rows) => db.insert(table, rows),
      update: (table, where, changes) => db.update(table, where, changes),
      delete: (table, where) => db.delete(table, where),
      updateEach: (table, key, rows) => db.updateEach(table, key, rows),
      scan: (table, options, onBatch) => db.scan(table, options, onBatch),
    };
    const ranker = new SemanticRanker(embedder, 100_000);
    const [query] = await embedder.embed(['2 query']);
    const state = await IndexState.read(store);
    const ranked = await ranker.rank(new SearchRepos(session), query as Float32Array, state, 100_000);
    expect(moved).toBe(true);
    // Listed twice per read of the two tables: the first reading found rows gone and read again.
    expect(lists).toBeGreaterThanOrEqual(4);
    expect(ranked).toHaveLength(TRAIN_AT + 100);
    expect(new Set(ranked.map((r) => r.doc)).size).toBe(TRAIN_AT + 100);

    // A ranker whose cache was loaded first finds what one without a cache finds.
    const cached = new SemanticRanker(embedder, 100_000, new VectorCache(2 ** 24));
    await cached.warm(searchRepos(store));
    const now = await IndexState.read(store);
    const again = await cached.rank(searchRepos(store), query as Float32Array, now, 10);
    const fresh = await ranker.rank(searchRepos(store), query as Float32Array, now, 10);
    expect(again).toEqual(fresh);
  });
});

/**
 * Trains `k` centroids numbered from 0 on every stored vector and files them all under them, as
 * the code before layouts did; records the state keys it kept.
 */
async function legacyTraining(store: TamsStore, db: TableManager, embedder: ClusteredVectors, k: number) {
  const heads = await searchRepos(store).vectors.heads();
  const rows = await searchRepos(store).vectors.read(heads);
  const entries = rows.flatMap((r) => unpackVectors(decodeVectors(r.data, embedder.dimensions)));
  const centroids = await trainCentroids(
    {
      data: Float32Array.from(entries.flatMap((e) => [...e.vector])),
      count: entries.length,
      dims: embedder.dimensions,
    },
    k,
    { pace: unpaced },
  );
  await store.transaction(async (tx) => {
    for (const h of heads) await searchRepos(tx).vectors.delete(h.table, h.cluster, [h.block]);
    await searchRepos(tx).vectors.addCentroids(embedder.id, 0, rowsOf(centroids).map(encodeFloats));
    const quantizer = new CoarseQuantizer(centroids, 0);
    const filed = new Map<number, typeof entries>();
    for (const e of entries.sort((a, b) => a.doc - b.doc)) {
      const c = quantizer.assign(e.vector);
      filed.set(c, [...(filed.get(c) ?? []), e]);
    }
    const state = await IndexState.read(tx);
    await searchRepos(tx).vectors.writeBlocks(vectorRows(state.nextBlock, embedder.id, filed));
    await searchRepos(tx).index.setState({
      next_block: state.nextBlock + 1,
      trained_vectors: entries.length,
      centroids_version: 2,
    });
  });
  await db.delete(ST.state, and(col('key').eq('ivf')));
}
