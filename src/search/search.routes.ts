import { BadRequestError } from '../common/errors.ts';
import {
  decodePageKey,
  effectiveLimit,
  PagingHeaders,
  type PagingSettings,
  publicBaseUrl,
  setPagingHeaders,
} from '../http/paging.ts';
import { timerangeParam } from '../http/params.ts';
import { errors, ok } from '../http/responses.ts';
import { type TagFilters, type TagRequest, tagFilters } from '../http/tags.version.ts';
import type { App } from '../http/types.ts';
import {
  type HitKind,
  SearchQuery,
  SearchResult,
  SearchStatus,
  SearchStatusQuery,
} from './search.schemas.ts';
import type { Hit, SearchService } from './search.service.ts';

export interface SearchRoutesDeps {
  search: SearchService;
  paging: PagingSettings;
  publicUrl: string;
}

/** The deepest page offset: only the best-ranked matches are ever looked at. */
const OFFSETS = /^(0|[1-9][0-9]{0,5})$/;

export async function searchRoutes(app: App, deps: SearchRoutesDeps): Promise<void> {
  app.get(
    '/search/status',
    {
      schema: {
        operationId: 'GET_search-status',
        summary: 'Search index status',
        description:
          "How far the search index is behind the store, what it could not index, and (with `flow_id`) a Flow's own search status: its captions' cues indexed and dropped outside their segments. Beyond TAMS 7.0.",
        tags: ['Search'],
        querystring: SearchStatusQuery,
        response: {
          200: ok(SearchStatus),
          ...errors({
            400: 'Bad request. Invalid query options.',
            404: 'The requested Flow does not exist.',
          }),
        },
      },
    },
    async (request) => deps.search.status(request.query.flow_id),
  );

  app.get(
    '/search',
    {
      schema: {
        operationId: 'GET_search',
        summary: 'Search media',
        description:
          'Finds moments of the store by words (BM25 keyword search), by meaning (semantic search with sentence embeddings) or both (hybrid: rank fusion). Searches the timed text of data Flows (WebVTT, SRT, TTML captions), transcripts posted to /search/transcripts, and the metadata of Flows and Sources. Every hit is a TAMS reference that plays: a Flow and the timerange of the moment, followed through the segments endpoint. Beyond TAMS 7.0.',
        tags: ['Search'],
        querystring: SearchQuery,
        response: {
          200: { ...ok(SearchResult), headers: PagingHeaders },
          ...errors({ 400: 'Bad request. Invalid query options.' }),
        },
      },
    },
    async (request, reply) => {
      const q = request.query;
      const limit = effectiveLimit(q.limit, deps.paging);
      const cursor = decodePageKey(q.page, (c) => OFFSETS.test(c));
      const offset = cursor === undefined ? 0 : Number(cursor);
      if (q.fusion === 'weighted' && q.mode !== undefined && q.mode !== 'hybrid') {
        throw new BadRequestError('query.fusion applies to mode=hybrid only');
      }
      const answer = await deps.search.search({
        q: q.q,
        mode: q.mode,
        fusion: q.fusion,
        weight: q.weight,
        kinds: q.kind === undefined ? undefined : (q.kind.split(',') as HitKind[]),
        flowId: q.flow_id,
        sourceId: q.source_id,
        format: q.format,
        codec: q.codec,
        tags: wholeStoreTags(request),
        timerange: timerangeParam(q.timerange),
        offset,
        limit,
      });
      setPagingHeaders(
        request,
        reply,
        deps.publicUrl,
        limit,
        answer.more ? String(offset + limit) : undefined,
      );
      const base = publicBaseUrl(request, deps.publicUrl);
      return {
        mode: answer.mode,
        hits: answer.hits.map((h) => hitDocument(h, base)),
        total: answer.total,
        complete: answer.complete,
        facets: answer.facets,
      };
    },
  );
}

/**
 * Search's tag filters: 7.0's parameters (one whole value each, the root's document), over the
 * whole store: search is not versioned, so a list-valued tag holding the value matches too.
 */
function wholeStoreTags(request: TagRequest): TagFilters {
  return { ...tagFilters(request, '7.0'), stringsOnly: false };
}

function hitDocument(hit: Hit, base: string) {
  const { resolved, snippet } = hit;
  const { doc, flow, timerange } = resolved;
  const range = timerange?.format();
  let reference: string;
  if (flow !== undefined) {
    reference =
      range !== undefined && doc.kind !== 'flow'
        ? `${base}/flows/${flow.id}/segments?timerange=${encodeURIComponent(range)}`
        : `${base}/flows/${flow.id}`;
  } else reference = `${base}/sources/${resolved.source_id ?? ''}`;
  return {
    kind: doc.kind,
    ...(resolved.source_id !== undefined && { source_id: resolved.source_id }),
    ...(flow !== undefined && { flow_id: flow.id }),
    ...(resolved.text_flow_id !== undefined && { text_flow_id: resolved.text_flow_id }),
    ...(range !== undefined && { timerange: range }),
    score: hit.score,
    ...(doc.speaker !== undefined && { speaker: doc.speaker }),
    snippet: {
      text: snippet.text,
      html: snippet.html,
      highlights: snippet.highlights.map(([s, e]) => [s, e]),
    },
    reference,
  };
}
