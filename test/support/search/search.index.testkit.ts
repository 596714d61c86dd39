/**
 * What the index tests share: a store on an in-memory DuckDB (or the caller's engine), an
 * indexer over it, batches committed straight from drafts, and embeddings in tight topics.
 */
import { expect } from 'vitest';
import type { Engine } from '../../../src/db/db.types.ts';
import type { TableManager } from '../../../src/db/manager.ts';
import { OWNED_TOPOLOGY } from '../../../src/db/topology.ts';
import { MediaRegistry } from '../../../src/media/media.registry.ts';
import type { EmbeddingProvider } from '../../../src/search/embed/embed.types.ts';
import type { DocDraft } from '../../../src/search/index/search.extract.ts';
import { SearchIndexer } from '../../../src/search/index/search.indexer.ts';
import { IndexPlan } from '../../../src/search/index/search.indexplan.ts';
import { IndexState } from '../../../src/search/index/search.state.ts';
import { analyzerText } from '../../../src/search/search.text.ts';
import { searchTables } from '../../../src/search/store/search.tables.ts';
import { dot } from '../../../src/search/vectors/search.ivf.ts';
import { openStoreDb } from '../../../src/store/store.open.ts';
import { TamsStore } from '../../../src/store/store.ts';
import { memoryEngine } from '../db/engine.testkit.ts';

export function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

export async function openStore(
  engine?: Engine,
): Promise<{ store: TamsStore; db: TableManager; close: () => Promise<void> }> {
  const opened = engine ?? (await memoryEngine());
  const { db } = await openStoreDb(opened, { owner: 'test', tables: searchTables });
  const store = await TamsStore.open(db);
  return { store, db, close: () => db.close() };
}

const silent = { info: () => {}, warn: () => {}, error: () => {} };

export function indexer(
  store: TamsStore,
  embedder?: EmbeddingProvider,
  options: { refileVectors?: number } = {},
): SearchIndexer {
  return new SearchIndexer({
    ...options,
    store,
    media: new MediaRegistry([]),
    embedder,
    text: analyzerText,
    clock: { now: () => new Date() },
    log: silent,
    owner: 'test',
    topology: OWNED_TOPOLOGY,
  });
}

export function draft(n: number, text: string): DocDraft {
  return { doc_key: `transcript:t:${n}`, kind: 'transcript', transcript_id: 't', text };
}

/** Adds `drafts` as one batch (one part); removes the documents of `remove` keys first. */
export async function batch(
  ix: SearchIndexer,
  store: TamsStore,
  drafts: DocDraft[],
  remove: string[] = [],
): Promise<void> {
  const plan = new IndexPlan();
  if (remove.length > 0) plan.remove({ kind: 'keys', keys: remove });
  for (const d of drafts) plan.add(d);
  const state = await IndexState.read(store);
  expect(await ix.commit(plan, state, { cursor: 0n })).toBeDefined();
}

/** Vectors in a few tight clusters, as sentence embeddings of a few topics are. */
export class ClusteredVectors implements EmbeddingProvider {
  readonly id = 'test:clustered';
  readonly dimensions = 32;
  private readonly centres: Float32Array[];
  constructor(
    private readonly random: () => number,
    topics = 12,
  ) {
    this.centres = Array.from({ length: topics }, () => this.unit(() => random() - 0.5));
  }
  private unit(component: (i: number) => number): Float32Array {
    const v = Float32Array.from({ length: this.dimensions }, (_, i) => component(i));
    const norm = Math.sqrt(dot(v, v));
    return v.map((x) => x / norm);
  }
  /** `text` is "<centre> <anything>": a point near that centre. */
  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    return texts.map((t) => {
      const centre = this.centres[Number(t.split(' ')[0]) % this.centres.length] as Float32Array;
      return this.unit((i) => (centre[i] as number) + (this.random() - 0.5) * 0.35);
    });
  }
  async close(): Promise<void> {}
}
