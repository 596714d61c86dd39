import { randomUUID } from 'node:crypto';
import type { JsonValue } from '../../db/db.types.ts';
import type { StoreSession, StoreTx } from '../../store/store.ts';
import { type SearchRepos, searchRepos } from '../store/search.repos.ts';
import type { SearchVectorsRepo } from '../store/search.vectors.repo.ts';
import { type IvfLayout, layoutJson, parseLayout, resolveLayout } from '../vectors/search.layout.ts';

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
  /**
   * Identifies this index among the indexes the store has had (a reindex starts a new one): made
   * at the first write. Rows of the vector tables are immutable within one index, so readers may
   * keep decoded rows by (index, block, cluster) (search.vcache.ts).
   */
  indexId: string | undefined;
  /** Which quantizers the vectors are filed under (search.layout.ts); undefined: not kept yet. */
  layout: IvfLayout | undefined;
  /** Vectors stored (deleted documents' included until their rows are packed or refiled). */
  vectors = 0;
  /**
   * Over the items the index holds (search_items, search.items.ts): cues dropped outside their
   * segment, items that could not be indexed, documents without a vector.
   */
  outside = 0;
  failed = 0;
  unembedded = 0;
  /** A transient failure the indexer is waiting out (search.retry.ts); null when there is none. */
  retrying: Retrying | null = null;
  /** Before layouts were kept: the centroids' version and the vectors at the last training. */
  private readonly legacy: { trainedVectors: number; centroidsVersion: JsonValue };

  private constructor(private readonly values: Map<string, JsonValue>) {
    const cursor = values.get('cursor');
    this.cursor = typeof cursor === 'string' ? BigInt(cursor) : undefined;
    this.nextDoc = numberOf(values.get('next_doc'), 1);
    this.nextPart = numberOf(values.get('next_part'), 1);
    this.nextBlock = numberOf(values.get('next_block'), 1);
    this.docs = numberOf(values.get('docs'), 0);
    this.tokens = numberOf(values.get('tokens'), 0);
    this.rebuild = values.get('rebuild') ?? null;
    const id = values.get('index_id');
    this.indexId = typeof id === 'string' ? id : undefined;
    this.layout = parseLayout(values.get('ivf'));
    this.vectors = numberOf(values.get('vectors'), 0);
    this.outside = numberOf(values.get('cues_outside'), 0);
    this.failed = numberOf(values.get('failed_items'), 0);
    this.unembedded = numberOf(values.get('unembedded'), 0);
    this.retrying = retryingOf(values.get('retrying'));
    this.legacy = {
      trainedVectors: numberOf(values.get('trained_vectors'), 0),
      centroidsVersion: values.get('centroids_version') ?? 0,
    };
  }

  /** The layout of the vector index (that of its tables when the state has none yet). */
  async vectorLayout(vectors: SearchVectorsRepo): Promise<IvfLayout> {
    return resolveLayout(this.layout, this.legacy, vectors);
  }

  static read(store: StoreSession): Promise<IndexState> {
    return IndexState.readFrom(searchRepos(store));
  }

  /** As `read`, on the search tables' repositories. */
  static async readFrom(repos: SearchRepos): Promise<IndexState> {
    return new IndexState(await repos.index.allState());
  }

  /** The point of the indexer's progress this state was read at (cursor, next document, build). */
  progressKey(): string {
    return `${this.cursor}:${this.nextDoc}:${JSON.stringify(this.rebuild)}`;
  }

  /** Whether `other` was read at the same point of the indexer's progress. */
  sameProgress(other: IndexState): boolean {
    return this.progressKey() === other.progressKey();
  }

  async write(tx: StoreTx): Promise<void> {
    this.indexId ??= randomUUID();
    const values: Record<string, JsonValue> = {
      next_doc: this.nextDoc,
      next_part: this.nextPart,
      next_block: this.nextBlock,
      docs: this.docs,
      tokens: this.tokens,
      rebuild: this.rebuild,
      vectors: this.vectors,
      index_id: this.indexId,
      cues_outside: this.outside,
      failed_items: this.failed,
      unembedded: this.unembedded,
      retrying: this.retrying === null ? null : { ...this.retrying },
    };
    if (this.layout !== undefined) values.ivf = layoutJson(this.layout);
    if (this.cursor !== undefined) values.cursor = this.cursor.toString();
    // Only what changed is written: each key is a row updated in place.
    const changed: Record<string, JsonValue> = {};
    for (const [key, value] of Object.entries(values)) {
      if (JSON.stringify(this.values.get(key) ?? null) !== JSON.stringify(value)) changed[key] = value;
    }
    await searchRepos(tx).index.setState(changed);
  }
}

/** A transient failure being retried: why, since when (ISO 8601) and how many attempts so far. */
export interface Retrying {
  reason: string;
  since: string;
  attempts: number;
}

function retryingOf(value: JsonValue | undefined): Retrying | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const { reason, since, attempts } = value;
  if (typeof reason !== 'string' || typeof since !== 'string' || typeof attempts !== 'number') return null;
  return { reason, since, attempts };
}

function numberOf(value: JsonValue | undefined, fallback: number): number {
  return typeof value === 'number' && Number.isSafeInteger(value) ? value : fallback;
}
