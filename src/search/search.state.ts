import type { JsonValue } from '../db/db.types.ts';
import type { TamsStore } from '../store/store.ts';

/**
 * The indexer's progress and the collection's statistics, kept in `search_state` and written in
 * the transaction of each batch. Numbers are JSON numbers (documents and parts stay far below
 * 2^53); the cursor is an event seq, kept as text.
 */
export class IndexState {
  /** The last event applied; undefined until the index has been built from the tables. */
  cursor: bigint | undefined;
  nextDoc = 1;
  nextPart = 1;
  nextBlock = 1;
  /** Live documents and their tokens (BM25's N and average length). */
  docs = 0;
  tokens = 0;
  /** Where a build from the tables is (search.rebuild.ts); null when none is under way. */
  rebuild: JsonValue | null = null;
  /** Changes when the vector quantizer is trained again (indexers reload their centroids). */
  centroidsVersion: JsonValue = 0;
  /** Vectors stored (deleted documents' included until their cluster is compacted). */
  vectors = 0;
  /** Vectors there were when the quantizer was last trained (0: never). */
  trainedVectors = 0;

  private constructor(private readonly values: Map<string, JsonValue>) {
    const cursor = values.get('cursor');
    this.cursor = typeof cursor === 'string' ? BigInt(cursor) : undefined;
    this.nextDoc = numberOf(values.get('next_doc'), 1);
    this.nextPart = numberOf(values.get('next_part'), 1);
    this.nextBlock = numberOf(values.get('next_block'), 1);
    this.docs = numberOf(values.get('docs'), 0);
    this.tokens = numberOf(values.get('tokens'), 0);
    this.rebuild = values.get('rebuild') ?? null;
    this.centroidsVersion = values.get('centroids_version') ?? 0;
    this.vectors = numberOf(values.get('vectors'), 0);
    this.trainedVectors = numberOf(values.get('trained_vectors'), 0);
  }

  static async read(store: TamsStore): Promise<IndexState> {
    return new IndexState(await store.search.index.allState());
  }

  /** Whether `other` was read at the same point of the indexer's progress. */
  sameProgress(other: IndexState): boolean {
    return (
      this.cursor === other.cursor &&
      this.nextDoc === other.nextDoc &&
      JSON.stringify(this.rebuild) === JSON.stringify(other.rebuild)
    );
  }

  async write(tx: TamsStore): Promise<void> {
    const values: Record<string, JsonValue> = {
      next_doc: this.nextDoc,
      next_part: this.nextPart,
      next_block: this.nextBlock,
      docs: this.docs,
      tokens: this.tokens,
      rebuild: this.rebuild,
      centroids_version: this.centroidsVersion,
      vectors: this.vectors,
      trained_vectors: this.trainedVectors,
    };
    if (this.cursor !== undefined) values.cursor = this.cursor.toString();
    // Only what changed is written: each key is a row updated in place.
    const changed: Record<string, JsonValue> = {};
    for (const [key, value] of Object.entries(values)) {
      if (JSON.stringify(this.values.get(key) ?? null) !== JSON.stringify(value)) changed[key] = value;
    }
    await tx.search.index.setState(changed);
  }
}

function numberOf(value: JsonValue | undefined, fallback: number): number {
  return typeof value === 'number' && Number.isSafeInteger(value) ? value : fallback;
}
