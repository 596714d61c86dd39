import type { ComponentChildren } from 'preact';
import { api, nextPageKey } from '../api/http.ts';
import type { SearchHit, SearchResult } from '../api/types.ts';
import { ErrorMessage, Loading, PageTitle, ShortId, useLoad } from '../components/common.tsx';
import { Pager } from '../components/pager.tsx';
import { href, type Route, withQuery } from '../router.ts';
import { spanOf, utcText } from '../time.ts';
import { UnindexedCaptions } from './search.unindexed.tsx';

const PAGE_SIZE = 20;

/** The snippet with its matched words marked (from the offsets, never from the server's HTML). */
function Snippet({ hit }: { hit: SearchHit }) {
  const { text, highlights } = hit.snippet;
  const parts: ComponentChildren[] = [];
  let at = 0;
  for (const [start, end] of [...highlights].sort((a, b) => a[0] - b[0])) {
    if (start < at || end > text.length) continue;
    parts.push(text.slice(at, start), <mark key={start}>{text.slice(start, end)}</mark>);
    at = end;
  }
  parts.push(text.slice(at));
  return <p class="snippet">{parts}</p>;
}

/** Where a hit plays: its Flow at its moment, else the Flows of its Source. */
function hitLink(hit: SearchHit): string | undefined {
  if (hit.flow_id) return withQuery(`/flows/${hit.flow_id}`, { timerange: hit.timerange });
  if (hit.source_id) return withQuery('/flows', { source_id: hit.source_id });
  return undefined;
}

/** GET /search: each hit opens its Flow with the player at the hit's moment. */
export function SearchPage({ route }: { route: Route }) {
  const q = route.query.get('q') ?? '';
  const page = route.query.get('page') ?? undefined;
  const result = useLoad(`${q} ${page ?? ''}`, async (signal) => {
    if (q.trim() === '') return undefined;
    const { body, headers } = await api<SearchResult>('/search', {
      query: { q, limit: PAGE_SIZE, page },
      signal,
    });
    return { ...body, next: nextPageKey(headers) };
  });
  return (
    <section>
      <PageTitle>Search{q ? `: ${q}` : ''}</PageTitle>
      {q.trim() === '' && <p class="muted">Type words in the search box above.</p>}
      {result.state === 'loading' && q.trim() !== '' && <Loading what="hits" />}
      {result.state === 'error' && <ErrorMessage error={result.error} />}
      {result.state === 'done' && result.value && (
        <>
          <p class="muted" role="status">
            {result.value.total}
            {result.value.complete ? '' : '+'} hit{result.value.total === 1 ? '' : 's'}
          </p>
          <UnindexedCaptions />
          <ol class="hits" data-testid="hits">
            {result.value.hits.map((hit, i) => {
              const link = hitLink(hit);
              const at = spanOf(hit.timerange);
              return (
                <li key={`${i} ${hit.flow_id ?? hit.source_id ?? ''} ${hit.timerange ?? ''}`}>
                  <div class="hit-head">
                    <span class="badge">{hit.kind}</span>
                    {link ? <a href={href(link)}>{at ? `${utcText(at.start)} UTC` : 'Open'}</a> : null}
                    {hit.flow_id && (
                      <span class="muted">
                        Flow <ShortId id={hit.flow_id} />
                      </span>
                    )}
                    {hit.speaker && <span class="muted">{hit.speaker}</span>}
                  </div>
                  <Snippet hit={hit} />
                </li>
              );
            })}
          </ol>
          <Pager path="/search" query={route.query} next={result.value.next} />
        </>
      )}
    </section>
  );
}
