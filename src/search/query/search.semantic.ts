import type { EmbeddingProvider } from '../embed/embed.types.ts';
import { IndexState } from '../index/search.state.ts';
import { decodeVectors, type VectorBlock } from '../store/search.codec.ts';
import type { SearchRepos } from '../store/search.repos.ts';
import type { VectorHead } from '../store/search.vectors.repo.ts';
import { nearest } from '../vectors/search.ivf.ts';
import { endOf, type IvfLayout, parseLayout, stampOf } from '../vectors/search.layout.ts';
import { type Pace, pacer } from '../vectors/search.pace.ts';
import { type Quantizers, quantizersOf } from '../vectors/search.quantizers.ts';
import { VectorCache } from '../vectors/search.vcache.ts';
import type { Ranked } from './search.keyword.ts';

/** Reads of a query before it settles for what it has (a layout changing under it each time). */
const ATTEMPTS = 3;
/** Clusters read per select while loading the cache. */
const WARM_CLUSTERS = 64;

/**
 * Nearest documents by cosine similarity: the query's embedding against the vectors of the
 * clusters whose centroids are nearest it (all of them while there is one cluster), in the
 * current generation of clusters and, while vectors are being filed anew, in the previous one
 * too (search.layout.ts). Quantizers are read once per layout.
 *
 * A query lists the rows of its clusters, then reads the vectors of those its cache lacks. Its
 * answer stands for one moment of the index when the layout is the same after the reads as
 * before and every listed row was still there; otherwise (a generation started or ended, a row
 * was packed or refiled between the two reads) it reads again.
 */
export class SemanticRanker {
  private quantizers: { stamp: string; value: Quantizers } | undefined;
  /** The index and layout the cache was last loaded for, and a loading under way. */
  private warmed: string | undefined;
  private warming: Promise<void> | undefined;

  constructor(
    private readonly embedder: EmbeddingProvider,
    /** Clusters of the current generation read per query. */
    private readonly nprobe: number,
    /** Decoded rows kept between queries; none: every query decodes what it reads. */
    private readonly cache?: VectorCache,
  ) {}

  get model(): string {
    return this.embedder.id;
  }

  async embed(q: string): Promise<Float32Array> {
    const [vector] = await this.embedder.embed([q], 'query');
    if (vector === undefined) throw new Error('the embedding provider returned no vector');
    return vector;
  }

  async rank(
    repos: SearchRepos,
    query: Float32Array,
    state: IndexState,
    limit: number,
    accept: (doc: number) => boolean = () => true,
  ): Promise<Ranked[]> {
    this.warmIfNew(repos, state);
    let read = state;
    let blocks: Blocks = { recent: [], packed: [] };
    for (let attempt = 1; ; attempt++) {
      const layout = await read.vectorLayout(repos.vectors);
      const clusters = await this.clustersFor(repos, layout, query);
      const heads = (await repos.vectors.heads(clusters)).filter((h) => h.model === this.embedder.id);
      const found = await this.blocksOf(repos, heads, read.indexId);
      if (found !== undefined) blocks = found;
      // The layout as it is after the reads (a legacy index keeps none until its indexer writes one).
      const after = parseLayout(await repos.index.state('ivf'));
      const steady = after === undefined ? read.layout === undefined : stampOf(after) === stampOf(layout);
      if ((found !== undefined && steady) || attempt === ATTEMPTS) break;
      read = await IndexState.readFrom(repos);
    }
    return nearest(query, blocks.recent, blocks.packed, limit, accept);
  }

  /**
   * Loads the index's rows into the cache, decoded, as far as they fit, in the background: at
   * start, and again when a query meets another index or layout. Why: the embedded engine reads
   * a long text value by copying every value of the 2,048-row stretch of the table it sits in
   * (hundreds of MB for blocks of vectors), so a query that reads rows costs 100-300 ms at a
   * million vectors, one whose rows are here a few ms (BENCHMARKS.md). Rows come and go
   * afterwards as queries use them (least recently used out first).
   */
  async warm(repos: SearchRepos, pace: Pace = pacer()): Promise<void> {
    const cache = this.cache;
    if (cache === undefined) return;
    const state = await IndexState.readFrom(repos);
    const target = warmTarget(state);
    if (state.indexId === undefined || this.warmed === target) return;
    // Another index or layout: most rows cached are gone (refiled, or the index rebuilt).
    if (this.warmed !== undefined) cache.clear();
    const dims = this.embedder.dimensions;
    const layout = await state.vectorLayout(repos.vectors);
    const clusters = [layout.current, ...(layout.previous === undefined ? [] : [layout.previous])].flatMap(
      (g) => Array.from({ length: endOf(g) - g.base }, (_, i) => g.base + i),
    );
    let room = true;
    for (let i = 0; room && i < clusters.length; i += WARM_CLUSTERS) {
      for (const row of await repos.vectors.readClusters(clusters.slice(i, i + WARM_CLUSTERS))) {
        const key = cacheKey(state.indexId, row);
        if (row.model !== this.embedder.id || key === undefined || cache.has(key)) continue;
        const block = decodeVectors(row.data, dims);
        room = cache.fits(VectorCache.bytesOf(block));
        if (!room) break;
        cache.set(key, block);
      }
      await pace();
    }
    this.warmed = target;
  }

  /** Starts `warm` when the index or its layout is not the one last loaded (once at a time). */
  private warmIfNew(repos: SearchRepos, state: IndexState): void {
    if (this.cache === undefined || this.warming !== undefined || this.warmed === warmTarget(state)) return;
    this.warming = this.warm(repos)
      .catch(() => {
        // Queries read what the cache lacks; the next one tries loading again.
      })
      .finally(() => {
        this.warming = undefined;
      });
  }

  /** The clusters to read: `nprobe` of the current generation, as large a share of the previous. */
  private async clustersFor(repos: SearchRepos, layout: IvfLayout, query: Float32Array): Promise<number[]> {
    const stamp = stampOf(layout);
    if (this.quantizers?.stamp !== stamp) {
      this.quantizers = { stamp, value: await quantizersOf(repos.vectors, layout, this.embedder.id) };
    }
    const { current, previous } = this.quantizers.value;
    const clusters = current.probe(query, this.nprobe);
    if (previous !== undefined) {
      const share = Math.ceil((this.nprobe * previous.size) / current.size);
      clusters.push(...previous.probe(query, share));
    }
    return clusters;
  }

  /** The vectors of these rows, from the cache or read; undefined when a row is gone meanwhile. */
  private async blocksOf(
    repos: SearchRepos,
    heads: readonly VectorHead[],
    indexId: string | undefined,
  ): Promise<Blocks | undefined> {
    const dims = this.embedder.dimensions;
    const keyOf = (h: { table: string; block: number; cluster: number }) => cacheKey(indexId, h);
    const blocks: Blocks = { recent: [], packed: [] };
    const missing: VectorHead[] = [];
    for (const h of heads) {
      const key = keyOf(h);
      const cached = key === undefined ? undefined : this.cache?.get(key);
      if (cached === undefined) missing.push(h);
      else (h.table === 'new' ? blocks.recent : blocks.packed).push(cached);
    }
    if (missing.length === 0) return blocks;
    const rows = await repos.vectors.read(missing);
    if (rows.length < missing.length) return undefined;
    for (const row of rows) {
      const block = decodeVectors(row.data, dims);
      (row.table === 'new' ? blocks.recent : blocks.packed).push(block);
      const key = keyOf(row);
      if (key !== undefined) this.cache?.set(key, block);
    }
    return blocks;
  }
}

/** A row's identity in the cache (none without an index id: a legacy state before its first write). */
function cacheKey(
  indexId: string | undefined,
  row: { table: string; block: number; cluster: number },
): string | undefined {
  return indexId === undefined ? undefined : `${indexId}/${row.table}/${row.block}/${row.cluster}`;
}

function warmTarget(state: IndexState): string {
  return `${state.indexId}|${state.layout === undefined ? '' : stampOf(state.layout)}`;
}

/** Decoded rows, by table (see `nearest`). */
interface Blocks {
  recent: VectorBlock[];
  packed: VectorBlock[];
}
