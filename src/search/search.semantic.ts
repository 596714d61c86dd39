import { decodeFloats } from '../store/search/search.codec.ts';
import type { SearchIndexRepo } from '../store/search/search.index.repo.ts';
import type { EmbeddingProvider } from './embed/embed.types.ts';
import { CoarseQuantizer, nearest } from './search.ivf.ts';
import type { Ranked } from './search.keyword.ts';

/**
 * Nearest documents by cosine similarity: the query's embedding against the vectors of the
 * clusters whose centroids are nearest it (all of them while there is one cluster). The
 * quantizer is read once per version of the centroids.
 */
export class SemanticRanker {
  private quantizer: { version: string; value: CoarseQuantizer } | undefined;

  constructor(
    private readonly embedder: EmbeddingProvider,
    /** Clusters read per query. */
    private readonly nprobe: number,
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
    index: SearchIndexRepo,
    query: Float32Array,
    centroidsVersion: string,
    limit: number,
    accept: (doc: number) => boolean = () => true,
  ): Promise<Ranked[]> {
    const quantizer = await this.quantizerOf(index, centroidsVersion);
    const clusters = quantizer.centroids.length === 0 ? undefined : quantizer.probe(query, this.nprobe);
    const rows = (await index.vectors(clusters)).filter((r) => r.model === this.embedder.id);
    return nearest(query, rows, limit, accept);
  }

  private async quantizerOf(index: SearchIndexRepo, version: string): Promise<CoarseQuantizer> {
    if (this.quantizer?.version === version) return this.quantizer.value;
    const rows = await index.centroids();
    const value = new CoarseQuantizer(
      rows.filter((r) => r.model === this.embedder.id).map((r) => decodeFloats(r.vector)),
    );
    this.quantizer = { version, value };
    return value;
  }
}
