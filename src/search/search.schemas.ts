import { Type } from 'typebox';
import {
  annotate,
  ContentFormat,
  describe,
  MimeTypeQuery,
  TimeRange as TimeRangeSchema,
  Uuid,
} from '../http/common.schemas.ts';
import { PagingQuery } from '../http/paging.ts';
import { TagQuery } from '../http/tags.version.ts';

export const SEARCH_MODES = ['keyword', 'semantic', 'hybrid'] as const;
export type SearchMode = (typeof SEARCH_MODES)[number];
export const HIT_KINDS = ['source', 'flow', 'caption', 'transcript'] as const;
export type HitKind = (typeof HIT_KINDS)[number];

export const SearchQuery = Type.Object(
  {
    q: Type.String({
      minLength: 1,
      maxLength: 1000,
      description:
        'What to find. Keyword search: words (stemmed, stop words ignored), "quoted phrases" that hits must contain as written, prefixes ending in `*` (`econom*`), `-word` to exclude. Semantic search: any sentence; it finds passages of similar meaning.',
    }),
    mode: Type.Optional(
      Type.Enum(SEARCH_MODES, {
        description:
          'keyword (BM25), semantic (sentence embeddings, nearest by cosine similarity) or hybrid (both, fused). Default: hybrid when the server has an embedding model, keyword otherwise.',
      }),
    ),
    fusion: Type.Optional(
      Type.Enum(['rrf', 'weighted'], {
        description:
          'How hybrid search fuses its two rankings: reciprocal rank fusion (default), or a weighted sum of the keyword score (scaled to the best one) and the cosine similarity.',
      }),
    ),
    weight: Type.Optional(
      Type.Number({
        minimum: 0,
        maximum: 1,
        description:
          'Weighted fusion: the weight of the semantic score (the keyword score gets the rest). Default 0.5.',
      }),
    ),
    kind: Type.Optional(
      Type.String({
        pattern: `^(${HIT_KINDS.join('|')})(,(${HIT_KINDS.join('|')}))*$`,
        description:
          'Only hits of these kinds (comma separated): source and flow (their metadata), caption (timed text of a data Flow), transcript (posted through /search/transcripts).',
      }),
    ),
    flow_id: Type.Optional(
      describe(Uuid, 'Only hits that play from this Flow, or whose words come from it.'),
    ),
    source_id: Type.Optional(describe(Uuid, 'Only hits of this Source.')),
    format: Type.Optional(describe(ContentFormat, 'Only hits whose Flow (or Source) has this format.')),
    codec: Type.Optional(describe(MimeTypeQuery, 'Only hits whose Flow has this codec.')),
    ...TagQuery.properties,
    timerange: Type.Optional(
      annotate(TimeRangeSchema, { description: 'Only hits whose moment (or Flow) overlaps this timerange.' }),
    ),
    ...PagingQuery,
  },
  { patternProperties: TagQuery.patternProperties },
);

const Snippet = Type.Object({
  text: Type.String({ description: 'The passage around the best match ("…" where cut).' }),
  html: Type.String({ description: 'The same, HTML-escaped, with matched words in <mark> elements.' }),
  highlights: Type.Array(Type.Array(Type.Integer(), { minItems: 2, maxItems: 2 }), {
    description: 'The matched words as [start, end) offsets into `text`.',
  }),
});

export const SearchHit = Type.Object({
  kind: Type.Enum(HIT_KINDS),
  source_id: Type.Optional(Uuid),
  flow_id: Type.Optional(describe(Uuid, 'The Flow the moment plays from.')),
  text_flow_id: Type.Optional(
    describe(Uuid, 'For captions that play from another Flow: the data Flow the words come from.'),
  ),
  timerange: Type.Optional(describe(TimeRangeSchema, "The moment on the Flow's timeline.")),
  score: Type.Number({ description: 'The rank score: BM25, cosine similarity, or the fused score.' }),
  speaker: Type.Optional(Type.String()),
  snippet: Snippet,
  reference: Type.String({
    description:
      "The TAMS reference of the moment (application note 0014): the Flow's segments over the timerange, the Flow, or the Source.",
  }),
});

const Counts = Type.Record(Type.String(), Type.Integer());

export const SearchResult = Type.Object({
  mode: Type.Enum(SEARCH_MODES),
  hits: Type.Array(SearchHit),
  total: Type.Integer({
    description: 'Hits found among the best-ranked matches looked at (see `complete`).',
  }),
  complete: Type.Boolean({
    description:
      'Whether `total` and `facets` count every match. Only the best-ranked matches (1,000 by default) are looked at; when there were more, this is false.',
  }),
  facets: Type.Object({ kind: Counts, format: Counts }),
});

export const SearchStatusQuery = Type.Object({
  flow_id: Type.Optional(
    describe(
      Uuid,
      "Add the Flow's own search status (`flow`): its captions' cues and the items that failed.",
    ),
  ),
});

const ItemFailure = Type.Object({
  kind: Type.Enum(['segment', 'transcript', 'other'], {
    description: 'A timed-text segment, a transcript version, or another item (`ref` names it).',
  }),
  flow_id: Type.Optional(Uuid),
  timerange: Type.Optional(describe(TimeRangeSchema, "The segment's timerange.")),
  object_id: Type.Optional(Type.String()),
  transcript_id: Type.Optional(Type.String()),
  ref: Type.Optional(Type.String({ description: 'What the item was (an outbox event: its type and seq).' })),
  reason: Type.String({ description: 'Why it could not be indexed.' }),
  at: Type.String({ format: 'date-time', description: 'When the index passed over it.' }),
});

const FlowSearchStatus = Type.Object({
  flow_id: Uuid,
  timed_text: Type.Boolean({
    description: 'Whether the index reads the timed text of this Flow (a data Flow of WebVTT, SRT or TTML).',
  }),
  segments: Type.Integer({ description: 'Timed-text segments indexed.' }),
  cues: Type.Integer({ description: 'Cues in them.' }),
  cues_indexed: Type.Integer({ description: 'Cues indexed (found by search).' }),
  cues_outside: Type.Integer({
    description:
      'Cues not indexed: wholly outside their segment\'s timerange once placed on the Flow\'s timeline (media time + ts_offset; docs/search.md, "Where caption times land").',
  }),
  segments_with_cues_outside: Type.Integer(),
  most_outside: Type.Optional(
    Type.Object(
      {
        timerange: TimeRangeSchema,
        object_id: Type.String(),
        ts_offset: Type.Optional(Type.String()),
        cues: Type.Integer(),
        cues_outside: Type.Integer(),
        cue_times: Type.Optional(
          describe(
            TimeRangeSchema,
            "Where the segment's cues were on the Flow's timeline: against `timerange`, what ts_offset would have to move.",
          ),
        ),
      },
      { description: 'The segment that dropped the most cues.' },
    ),
  ),
  transcripts: Type.Integer({ description: 'ACTIVE transcript versions indexed.' }),
  unembedded: Type.Integer({
    description:
      'Cues indexed without a vector (the embedding service refused their text): keyword search finds them.',
  }),
  failed: Type.Integer({ description: "The Flow's items that could not be indexed." }),
  failures: Type.Array(ItemFailure, { description: 'Those items, newest first (20 at most).' }),
});

export const SearchStatus = Type.Object({
  enabled: Type.Boolean(),
  building: Type.Boolean({
    description: 'Whether the index is being built from the tables (a new store, or a reindex).',
  }),
  up_to_date: Type.Boolean({
    description:
      'Whether the index has applied every event of the outbox and every transcript change so far.',
  }),
  settled: Type.Boolean({
    description:
      'Up to date, and no upkeep due either (merging index parts, training or packing the vector index).',
  }),
  pending_events: Type.Integer({ description: 'Outbox events the index has still to apply.' }),
  pending_jobs: Type.Integer({ description: 'Transcript publications and deletions still to apply.' }),
  documents: Type.Integer(),
  parts: Type.Integer({ description: 'Parts of the inverted index (merged in the background).' }),
  vector_rows: Type.Integer({
    description: 'Rows of the vector index (packed per cluster in the background).',
  }),
  embeddings: Type.Optional(Type.String({ description: 'The embedding model, when the server has one.' })),
  default_mode: Type.Enum(SEARCH_MODES),
  cues_outside: Type.Integer({
    description:
      "Caption cues not indexed because they fall wholly outside their segment's timerange (see each Flow's `flow.most_outside`).",
  }),
  flows_with_cues_outside: Type.Array(
    Type.Object({
      flow_id: Uuid,
      label: Type.Optional(Type.String()),
      cues_outside: Type.Integer({ description: "The Flow's cues not indexed: outside their segment." }),
      segments_with_cues_outside: Type.Integer(),
    }),
    {
      description:
        "The Flows whose caption cues are not searchable because they fall outside their segment's timerange, those with the most first (20 at most): `GET /search/status?flow_id=` says why for each.",
    },
  ),
  failed_items: Type.Integer({
    description:
      'Items the index could not index and passed over (a timed-text object that cannot be read or parsed, ...), each logged once.',
  }),
  unembedded: Type.Integer({
    description: 'Documents indexed without a vector: the embedding service refused their text.',
  }),
  recent_failures: Type.Array(ItemFailure, { description: 'The newest of those items (10 at most).' }),
  retrying: Type.Optional(
    Type.Object(
      {
        reason: Type.String(),
        since: Type.String({ format: 'date-time' }),
        attempts: Type.Integer(),
      },
      {
        description:
          'The index waits for something unavailable (storage, the database, the embedding service) and tries again, with a growing pause; nothing is passed over meanwhile.',
      },
    ),
  ),
  flow: Type.Optional(FlowSearchStatus),
});
