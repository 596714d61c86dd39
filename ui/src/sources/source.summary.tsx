import { useEffect, useState } from 'preact/hooks';
import { api, isAbort } from '../api/http.ts';
import type { Source } from '../api/types.ts';
import { href, withQuery } from '../router.ts';

/** A Source's Flows as the server sums them up (GET /sources/flow-summaries, src/ui). */
export interface SourceFlows {
  source_id: string;
  /** Counted up to 100. */
  flow_count: number;
  /** More Flows than counted. */
  more_flows: boolean;
  /** A label its Flows give it: the first labelled Flow's. */
  flow_label?: string;
}

/** Sources the server sums up per request (its limit). */
const PER_REQUEST = 100;

export type Summaries =
  | { state: 'waiting' }
  | { state: 'done'; value: Map<string, SourceFlows> }
  | { state: 'error' };

/**
 * The Flow counts and Flow labels of a page of Sources, in one request (per 100 Sources): asking
 * GET /flows per row cost the list a request per Source.
 */
export function useSourceSummaries(ids: readonly string[]): Summaries {
  const [summaries, setSummaries] = useState<Summaries>({ state: 'waiting' });
  const key = ids.join(',');
  useEffect(() => {
    if (key === '') return;
    const controller = new AbortController();
    const all = key.split(',');
    const requests = [];
    for (let at = 0; at < all.length; at += PER_REQUEST) {
      const source_id = all.slice(at, at + PER_REQUEST).join(',');
      requests.push(
        api<SourceFlows[]>('/sources/flow-summaries', { query: { source_id }, signal: controller.signal }),
      );
    }
    setSummaries({ state: 'waiting' });
    Promise.all(requests).then(
      (answers) =>
        setSummaries({
          state: 'done',
          value: new Map(answers.flatMap((a) => a.body).map((s) => [s.source_id, s])),
        }),
      (error) => !isAbort(error) && setSummaries({ state: 'error' }),
    );
    return () => controller.abort();
  }, [key]);
  return summaries;
}

/**
 * The label and Flow count cells of a Source's row. A Source a client never labelled (one made
 * implicitly by a Flow's `source_id`) shows the label of its Flow, marked as such.
 */
export function SourceSummaryCells({ source, summaries }: { source: Source; summaries: Summaries }) {
  const summary = summaries.state === 'done' ? summaries.value.get(source.id) : undefined;
  const flowsLink = href(withQuery('/flows', { source_id: source.id }));
  return (
    <>
      <td>
        <a href={href(`/sources/${source.id}`)}>
          {source.label ||
            (summary?.flow_label ? (
              <>
                {summary.flow_label} <span class="muted">(its Flow's label)</span>
              </>
            ) : (
              <span class="muted">(no label)</span>
            ))}
        </a>
      </td>
      <td data-testid="source-flow-count">
        {summary ? (
          <a href={flowsLink}>
            {summary.flow_count}
            {summary.more_flows ? '+' : ''} Flow{summary.flow_count === 1 && !summary.more_flows ? '' : 's'}
          </a>
        ) : summaries.state === 'waiting' ? (
          <span class="muted">…</span>
        ) : (
          <a href={flowsLink}>Flows</a>
        )}
      </td>
    </>
  );
}
