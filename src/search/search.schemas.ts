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
import { TagQuery } from '../http/params.ts';

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
});
