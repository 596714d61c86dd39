import type { ColumnDef, TableDef } from '../../db/db.types.ts';

/**
 * The media search index (src/search/): documents, and the inverted index and vectors over them
 * in packed blocks (search.codec.ts), so that a query reads a handful of rows on either engine
 * and no index has to live in memory.
 *
 * Documents are numbered in the order the indexer adds them (one indexer at a time holds the
 * `search-index` lease), and each indexer batch writes its postings as one "part" covering a
 * contiguous range of document numbers; parts are merged in the background. A deleted document is
 * a missing row of `search_docs`: its postings stay in their part until a merge drops them, and
 * queries skip them when they read the documents of their hits.
 */
export const ST = {
  docs: 'search_docs',
  postings: 'search_postings',
  parts: 'search_parts',
  vectors: 'search_vectors',
  vectorsNew: 'search_vectors_new',
  centroids: 'search_centroids',
  state: 'search_state',
  transcripts: 'search_transcripts',
  cues: 'search_transcript_cues',
  jobs: 'search_jobs',
  items: 'search_items',
} as const;

/** The columns of a block of vectors, in `search_vectors` and `search_vectors_new` alike. */
const VECTOR_BLOCK_COLUMNS: readonly ColumnDef[] = [
  { name: 'block', type: 'int64', nullable: false },
  { name: 'cluster', type: 'int32', nullable: false },
  // Vectors in the block, and this row's piece of them: a block's packed text is split over
  // rows of at most 3,000 characters (search.vectors.repo.ts says why).
  { name: 'count', type: 'int32', nullable: false },
  { name: 'data', type: 'string', nullable: false },
  // The embedding model (a change of model re-embeds everything).
  { name: 'model', type: 'string', nullable: false },
  // The piece's place in its block, from 0; null: a block of one row, written before pieces.
  { name: 'chunk', type: 'int32' },
];

export const searchTables: TableDef[] = [
  {
    name: ST.docs,
    // Queries read the documents of their best matches by number; the index's follower finds a
    // Flow's or Source's documents by key (a Flow's creation or change), a Flow's own and its
    // captions by Flow (PostgreSQL scanned the table for each before these).
    lookups: ['doc_no'],
    indexes: [['doc_key'], ['flow_id', 'kind', 'seg_start']],
    columns: [
      { name: 'doc_no', type: 'int64', nullable: false },
      // What the document is of, unique among live documents: `flow:<id>`, `source:<id>`,
      // `caption:<flow>:<seg_start>:<object>:<n>`, `transcript:<version>:<n>`.
      { name: 'doc_key', type: 'string', nullable: false },
      // source | flow | caption | transcript
      { name: 'kind', type: 'string', nullable: false },
      // The Flow the words come from (a caption's data Flow, a transcript's Flow), the Flow itself
      // for `flow`; null for `source`.
      { name: 'flow_id', type: 'string' },
      { name: 'source_id', type: 'string' },
      { name: 'format', type: 'string' },
      { name: 'codec', type: 'string' },
      // The moment, in nanoseconds on the Flow's timeline: [start, end). Null for sources and flows.
      { name: 'time_start', type: 'int64' },
      { name: 'time_end', type: 'int64' },
      // A caption's segment (its start identifies it in its Flow) and object.
      { name: 'seg_start', type: 'int64' },
      { name: 'object_id', type: 'string' },
      { name: 'transcript_id', type: 'string' },
      { name: 'speaker', type: 'string' },
      { name: 'text', type: 'string', nullable: false },
      // Tokens indexed (BM25's document length).
      { name: 'length', type: 'int32', nullable: false },
      { name: 'indexed', type: 'timestamp', nullable: false },
    ],
  },
  {
    // One row per term of a part (several when a term has more postings than one row carries).
    name: ST.postings,
    lookups: ['term_hash'],
    columns: [
      { name: 'part', type: 'int64', nullable: false },
      // A 63-bit hash of the term: the column queries filter on (an integer compares faster than
      // a string, and parts are written sorted by it, so DuckDB's zone maps skip most row groups).
      { name: 'term_hash', type: 'int64', nullable: false },
      { name: 'term', type: 'string', nullable: false },
      { name: 'chunk', type: 'int32', nullable: false },
      // Postings in this row, and the packed postings (search.codec.ts).
      { name: 'count', type: 'int32', nullable: false },
      { name: 'data', type: 'string', nullable: false },
    ],
  },
  {
    name: ST.parts,
    columns: [
      { name: 'part', type: 'int64', nullable: false },
      { name: 'doc_first', type: 'int64', nullable: false },
      { name: 'doc_last', type: 'int64', nullable: false },
      // Documents and tokens indexed when the part was written (BM25's collection statistics).
      { name: 'docs', type: 'int64', nullable: false },
      { name: 'tokens', type: 'int64', nullable: false },
      { name: 'created', type: 'timestamp', nullable: false },
    ],
  },
  {
    // Embeddings in blocks of one cluster each: int8 vectors with a scale each (search.codec.ts),
    // a block's text split over rows of at most 3,000 characters (search.vectors.repo.ts says
    // why). A block is never updated: packing and refiling (src/search/index/search.maintain.ts,
    // search.refile.ts) write new blocks and delete the ones they came from in one transaction,
    // a few thousand vectors at a time. Deletes are cheap here: DuckDB 1.5 checkpoints them as
    // deletion markers (a quarter of the 3,710 rows of a 510 MB table of a million vectors
    // deleted, then CHECKPOINT: 15 ms). Deleted documents' vectors stay until their block is
    // packed or refiled, and queries skip them.
    name: ST.vectors,
    columns: VECTOR_BLOCK_COLUMNS,
  },
  {
    // The vectors of recent batches, a row per (batch, cluster): small rows that the indexer
    // packs into a block of `search_vectors` once a cluster has enough of them, and deletes.
    name: ST.vectorsNew,
    columns: VECTOR_BLOCK_COLUMNS,
  },
  {
    // The coarse quantizers of the vector index (inverted file): cluster centroids, numbered on
    // from one training to the next (src/search/vectors/search.layout.ts says which are in use).
    name: ST.centroids,
    columns: [
      { name: 'cluster', type: 'int32', nullable: false },
      { name: 'vector', type: 'string', nullable: false },
      { name: 'model', type: 'string', nullable: false },
    ],
  },
  {
    // The indexer's progress and counters, a row per key, updated in place.
    name: ST.state,
    columns: [
      { name: 'key', type: 'string', nullable: false },
      { name: 'value', type: 'json' },
    ],
  },
  {
    // Transcript versions posted through the API (ASR made elsewhere).
    name: ST.transcripts,
    columns: [
      { name: 'id', type: 'string', nullable: false },
      { name: 'flow_id', type: 'string', nullable: false },
      // STAGING -> ACTIVE -> ARCHIVED; only the ACTIVE version of a Flow is searched.
      { name: 'status', type: 'string', nullable: false },
      { name: 'label', type: 'string' },
      { name: 'language', type: 'string' },
      { name: 'generator', type: 'string' },
      { name: 'cues', type: 'int32', nullable: false },
      { name: 'created', type: 'timestamp', nullable: false },
      { name: 'created_by', type: 'string' },
      { name: 'published', type: 'timestamp' },
      { name: 'archived', type: 'timestamp' },
    ],
  },
  {
    name: ST.cues,
    columns: [
      { name: 'transcript_id', type: 'string', nullable: false },
      { name: 'n', type: 'int32', nullable: false },
      { name: 'time_start', type: 'int64', nullable: false },
      { name: 'time_end', type: 'int64', nullable: false },
      { name: 'text', type: 'string', nullable: false },
      { name: 'speaker', type: 'string' },
      { name: 'confidence', type: 'float64' },
    ],
  },
  {
    // Work for the indexer that the event outbox does not carry (transcripts published or
    // deleted through the search API), written in the transaction that made it due.
    name: ST.jobs,
    columns: [
      { name: 'id', type: 'string', nullable: false },
      { name: 'kind', type: 'string', nullable: false },
      { name: 'transcript_id', type: 'string' },
      { name: 'flow_id', type: 'string' },
      { name: 'created', type: 'timestamp', nullable: false },
    ],
  },
  {
    // What the indexer made of each timed item it read (a timed-text segment, a transcript
    // version), and the items it could not index and passed over (src/search/index/search.items.ts):
    // the Flow's search status is read from here. Replaced with its item's documents, and gone
    // with them (a segment or transcript removed, the Flow deleted, the index emptied).
    name: ST.items,
    lookups: ['flow_id'],
    columns: [
      // segment | transcript | other (an outbox event, a step of a build, that was passed over)
      { name: 'kind', type: 'string', nullable: false },
      { name: 'flow_id', type: 'string' },
      // A segment's start (its identity in its Flow, as in search_docs), object, timerange and
      // ts_offset as registered.
      { name: 'seg_start', type: 'int64' },
      { name: 'object_id', type: 'string' },
      { name: 'timerange', type: 'string' },
      { name: 'ts_offset', type: 'string' },
      { name: 'transcript_id', type: 'string' },
      // What an item of kind other was (an event's type and seq).
      { name: 'ref', type: 'string' },
      // Cues the item had, cues indexed, cues wholly outside the segment's timerange, and
      // documents indexed without a vector (the embedding service refused their text).
      { name: 'cues', type: 'int32', nullable: false },
      { name: 'indexed', type: 'int32', nullable: false },
      { name: 'outside', type: 'int32', nullable: false },
      { name: 'unembedded', type: 'int32', nullable: false },
      // The span of the item's cues on the Flow's timeline, [start, end) in nanoseconds.
      { name: 'cues_start', type: 'int64' },
      { name: 'cues_end', type: 'int64' },
      // Why the item could not be indexed; null when it was.
      { name: 'error', type: 'string' },
      { name: 'at', type: 'timestamp', nullable: false },
    ],
  },
];
