import { BadRequestError, NotFoundError } from '../common/errors.ts';
import type { TamsStore } from '../store/store.ts';
import type { TagFilters } from '../store/store.types.ts';
import { tagsMatch } from '../store/tags.values.ts';
import type { TimeRange } from '../time/index.ts';
import { matchesPhrase } from './analyze/analyze.phrase.ts';
import { isEmptyQuery, type ParsedQuery, parseQuery } from './analyze/analyze.query.ts';
import { matcherOf, type Snippet, snippet } from './analyze/analyze.snippet.ts';
import { analyze } from './analyze/analyze.tokens.ts';
import { failureDoc, flowSearchStatus } from './index/search.flowstatus.ts';
import { mergeCandidates, packDue } from './index/search.maintain.ts';
import { flowsWithCuesOutside } from './index/search.outside.ts';
import { IndexState } from './index/search.state.ts';
import { fuseRrf, fuseWeighted, fusionWeights } from './query/search.fuse.ts';
import { type Ranked, rankKeyword } from './query/search.keyword.ts';
import { type Resolved, resolveDocs } from './query/search.resolve.ts';
import type { SemanticRanker } from './query/search.semantic.ts';
import type { HitKind, SearchMode } from './search.schemas.ts';
import type { HitDoc } from './store/search.docs.repo.ts';
import { searchRepos } from './store/search.repos.ts';
import { endOf, trainingDue } from './vectors/search.layout.ts';

/** Matches looked at per query (and counted in `total` and the facets). */
export const CANDIDATES = 1000;
/** Failures the index's status lists (each Flow's lists its own). */
const RECENT_FAILURES = 10;
/** Documents read per round while turning matches into hits (one lookup of SearchDocsRepo). */
const CHUNK = 64;
/** Best-ranked matches always read: `total` and the facets count the hits among them. */
export const FACET_WINDOW = 192;

export interface SearchRequest {
  q: string;
  mode?: SearchMode;
  fusion?: 'rrf' | 'weighted';
  weight?: number;
  kinds?: readonly HitKind[];
  flowId?: string;
  sourceId?: string;
  format?: string;
  codec?: string;
  tags: TagFilters;
  timerange?: TimeRange;
  offset: number;
  limit: number;
}

export interface Hit {
  resolved: Resolved;
  score: number;
  snippet: Snippet;
}

export interface SearchAnswer {
  mode: SearchMode;
  hits: Hit[];
  total: number;
  complete: boolean;
  facets: { kind: Record<string, number>; format: Record<string, number> };
  /** Whether hits follow this page. */
  more: boolean;
}

/**
 * Runs searches: ranks documents by keyword, by meaning or both, then reads the best
 * `CANDIDATES` in rank order, drops those that no longer point at media or fail the filters,
 * counts facets over what is left and cuts the page.
 */
export class SearchService {
  constructor(
    private readonly store: TamsStore,
    private readonly semantic: SemanticRanker | undefined,
  ) {}

  get defaultMode(): SearchMode {
    return this.semantic ? 'hybrid' : 'keyword';
  }

  /** Loads the vector index's rows into the semantic ranker's cache (a server calls it at start). */
  async warm(): Promise<void> {
    await this.semantic?.warm(searchRepos(this.store));
  }

  /** How far the index is behind the store, what it passed over; with `flowId`, that Flow's own. */
  async status(flowId?: string) {
    const flow = flowId === undefined ? undefined : await this.store.flows.get(flowId);
    if (flow === null) throw new NotFoundError(`Flow ${flowId} does not exist`);
    const state = await IndexState.read(this.store);
    const [pendingEvents, pendingJobs, parts, layout, failures] = await Promise.all([
      state.cursor === undefined
        ? this.store.events.countAfter(0n)
        : this.store.events.countAfter(state.cursor),
      searchRepos(this.store).transcripts.countJobs(),
      searchRepos(this.store).index.parts(),
      state.vectorLayout(searchRepos(this.store).vectors),
      searchRepos(this.store).items.failures(RECENT_FAILURES),
    ]);
    // The current generation's rows (those of a previous one are being refiled, not packed).
    const rows = await searchRepos(this.store).vectors.headsInRange(
      layout.current.base,
      endOf(layout.current),
    );
    const upToDate = state.cursor !== undefined && pendingEvents === 0 && pendingJobs === 0;
    const vectorUpkeep =
      this.semantic !== undefined &&
      (state.layout === undefined ||
        layout.previous !== undefined ||
        trainingDue(layout, state.vectors) ||
        packDue(rows).length > 0);
    const upkeep = mergeCandidates(parts) !== undefined || vectorUpkeep;
    return {
      enabled: true,
      building: state.cursor === undefined,
      up_to_date: upToDate,
      settled: upToDate && !upkeep,
      pending_events: pendingEvents,
      pending_jobs: pendingJobs,
      documents: state.docs,
      parts: parts.length,
      vector_rows: await searchRepos(this.store).vectors.rowCount(),
      ...(this.semantic !== undefined && { embeddings: this.semantic.model }),
      default_mode: this.defaultMode,
      cues_outside: state.outside,
      flows_with_cues_outside: state.outside > 0 ? await flowsWithCuesOutside(this.store) : [],
      failed_items: state.failed,
      unembedded: state.unembedded,
      recent_failures: failures.map(failureDoc),
      ...(state.retrying !== null && { retrying: state.retrying }),
      ...(flow !== undefined && { flow: await flowSearchStatus(this.store, flow) }),
    };
  }

  async search(request: SearchRequest): Promise<SearchAnswer> {
    const mode = request.mode ?? this.defaultMode;
    const query = parseQuery(request.q);
    if (mode !== 'semantic' && isEmptyQuery(query)) {
      throw new BadRequestError('query.q has no words to search for (only stop words or exclusions)');
    }
    if (mode !== 'keyword' && this.semantic === undefined) {
      throw new BadRequestError(
        `mode=${mode} needs an embedding model, and this server has none (TAMS_SEARCH_EMBEDDINGS; docs/search.md)`,
      );
    }
    const state = await IndexState.read(this.store);
    const ranked = await this.rank(mode, request, query, state);
    const { hits, examined } = await this.hitsOf(ranked, request, mode === 'keyword' ? query : undefined);
    const facets = { kind: {} as Record<string, number>, format: {} as Record<string, number> };
    for (const h of hits) {
      facets.kind[h.resolved.doc.kind] = (facets.kind[h.resolved.doc.kind] ?? 0) + 1;
      const format = h.resolved.flow?.format ?? h.resolved.source?.format;
      if (format !== undefined) facets.format[format] = (facets.format[format] ?? 0) + 1;
    }
    const page = hits.slice(request.offset, request.offset + request.limit);
    const matcher = matcherOf(query);
    // Texts only for the hits shown (those read for a phrase check are there already).
    const missing = page.filter((h) => h.resolved.doc.text === '').map((h) => h.resolved.doc.doc_no);
    const texts = missing.length > 0 ? await searchRepos(this.store).docs.texts(missing) : new Map();
    for (const h of page) {
      const found = texts.get(h.resolved.doc.doc_no);
      if (found !== undefined) Object.assign(h.resolved.doc, found);
    }
    return {
      mode,
      hits: page.map((h) => ({ ...h, snippet: snippet(h.resolved.doc.text, matcher) })),
      total: hits.length,
      complete: examined === ranked.length && ranked.length < CANDIDATES,
      facets,
      more: hits.length > request.offset + request.limit,
    };
  }

  private async rank(
    mode: SearchMode,
    request: SearchRequest,
    query: ParsedQuery,
    state: IndexState,
  ): Promise<Ranked[]> {
    const stats = { docs: state.docs, tokens: state.tokens };
    const keyword = () =>
      rankKeyword(
        searchRepos(this.store).index,
        {
          terms: query.terms,
          required: query.phrases.flatMap((p) => p.terms.filter((t): t is string => t !== null)),
          prefixes: query.prefixes,
          excluded: query.excluded,
        },
        stats,
        CANDIDATES,
      ).then((r) => r.ranked);
    const semantic = async () => {
      const ranker = this.semantic as SemanticRanker;
      const vector = await ranker.embed(request.q);
      return ranker.rank(searchRepos(this.store), vector, state, CANDIDATES);
    };
    if (mode === 'keyword') return keyword();
    if (mode === 'semantic') return semantic();
    const [k, s] = await Promise.all([isEmptyQuery(query) ? [] : keyword(), semantic()]);
    const lexical = query.phrases.length > 0 || query.prefixes.length > 0 || query.excluded.length > 0;
    const weights = fusionWeights(lexical);
    const fused =
      request.fusion === 'weighted'
        ? fuseWeighted(k, s, request.weight ?? 0.5)
        : fuseRrf([
            { ranked: k, weight: weights.keyword },
            { ranked: s, weight: weights.semantic },
          ]);
    return fused.slice(0, CANDIDATES);
  }

  /** The ranked documents that still point at media and pass the filters, as hits, in rank order. */
  private async hitsOf(
    ranked: readonly Ranked[],
    request: SearchRequest,
    phrases?: ParsedQuery,
  ): Promise<{ hits: Hit[]; examined: number }> {
    const hits: Hit[] = [];
    const wanted = request.offset + request.limit + 1;
    let i = 0;
    // Matches are read in rank order until the page (and the next page's first hit) is found and
    // the facets' window is read; a filter that drops most matches reads on, up to CANDIDATES.
    // The facets' window is always read, so it is read in one round (its lookups side by side,
    // one resolution of its documents), then CHUNK at a time.
    for (; i < ranked.length && (hits.length < wanted || i < FACET_WINDOW); ) {
      const size = i === 0 ? Math.ceil(FACET_WINDOW / CHUNK) * CHUNK : CHUNK;
      const chunk = ranked.slice(i, i + size);
      i += size;
      // A phrase is checked against the text: only then is it read for every match.
      const withText = (phrases?.phrases.length ?? 0) > 0;
      const found = new Map(
        (
          await searchRepos(this.store).docs.hits(
            chunk.map((r) => r.doc),
            { text: withText },
          )
        ).map((d) => [d.doc_no, d]),
      );
      const docs: HitDoc[] = [];
      const scores = new Map<number, number>();
      for (const r of chunk) {
        const doc = found.get(r.doc);
        if (doc === undefined || !this.docPasses(doc, request, phrases)) continue;
        docs.push(doc);
        scores.set(doc.doc_no, r.score);
      }
      for (const resolved of await resolveDocs(this.store, docs)) {
        if (!hitPasses(resolved, request)) continue;
        hits.push({ resolved, score: scores.get(resolved.doc.doc_no) ?? 0, snippet: EMPTY_SNIPPET });
      }
    }
    return { hits, examined: Math.min(i, ranked.length) };
  }

  /** The filters a document answers by itself (before its hit is resolved). */
  private docPasses(doc: HitDoc, request: SearchRequest, query?: ParsedQuery): boolean {
    if (request.kinds !== undefined && !request.kinds.includes(doc.kind)) return false;
    if (query !== undefined && query.phrases.length > 0) {
      const tokens = analyze(doc.text);
      if (!query.phrases.every((p) => matchesPhrase(tokens, p))) return false;
    }
    return true;
  }
}

const EMPTY_SNIPPET: Snippet = { text: '', highlights: [], html: '' };

function hitPasses(hit: Resolved, request: SearchRequest): boolean {
  const flow = hit.flow;
  if (request.flowId !== undefined && flow?.id !== request.flowId && hit.doc.flow_id !== request.flowId)
    return false;
  if (
    request.sourceId !== undefined &&
    hit.source_id !== request.sourceId &&
    hit.doc.source_id !== request.sourceId
  ) {
    return false;
  }
  const format = flow?.format ?? hit.source?.format;
  if (request.format !== undefined && format !== request.format) return false;
  if (request.codec !== undefined && flow?.codec !== request.codec) return false;
  if (!tagsMatch(flow?.tags ?? hit.source?.tags ?? {}, request.tags)) return false;
  if (request.timerange !== undefined && !(hit.timerange?.overlaps(request.timerange) ?? false)) return false;
  return true;
}
