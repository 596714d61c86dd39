import type { RefObject } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { isAbort, nextPageKey, tams } from '../api/http.ts';
import type { Flow, Source } from '../api/types.ts';
import { href, withQuery } from '../router.ts';

/** Flows counted per Source row at most (beyond: "100+"), in one request. */
const COUNT_LIMIT = 100;

export interface SourceFlows {
  count: number;
  /** More Flows than counted. */
  more: boolean;
  /** A label its Flows give it: the first labelled Flow's. */
  flowLabel?: string;
}

/** A Source's Flows, counted (up to COUNT_LIMIT) with the label of the first labelled one. */
export async function sourceFlows(sourceId: string, signal: AbortSignal): Promise<SourceFlows> {
  const { body, headers } = await tams<Flow[]>('/flows', {
    query: { source_id: sourceId, limit: COUNT_LIMIT },
    signal,
  });
  return {
    count: body.length,
    more: nextPageKey(headers) !== undefined,
    flowLabel: body.find((flow) => flow.label)?.label,
  };
}

type Summary = { state: 'waiting' } | { state: 'done'; value: SourceFlows } | { state: 'error' };

/**
 * A Source's Flows, asked for once its row comes near the screen: a page of 50 Sources costs a
 * request per row, and rows never scrolled to cost none.
 */
function useSourceFlows(sourceId: string): [Summary, RefObject<HTMLTableCellElement | null>] {
  const [near, setNear] = useState(false);
  const [summary, setSummary] = useState<Summary>({ state: 'waiting' });
  const cell = useRef<HTMLTableCellElement>(null);
  useEffect(() => {
    if (near || cell.current === null) return;
    const observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((entry) => entry.isIntersecting)) setNear(true);
      },
      { rootMargin: '100px 0px' },
    );
    observer.observe(cell.current);
    return () => observer.disconnect();
  }, [near]);
  useEffect(() => {
    if (!near) return;
    const controller = new AbortController();
    sourceFlows(sourceId, controller.signal).then(
      (value) => setSummary({ state: 'done', value }),
      (error) => !isAbort(error) && setSummary({ state: 'error' }),
    );
    return () => controller.abort();
  }, [near, sourceId]);
  return [summary, cell];
}

/**
 * The label and Flow count cells of a Source's row. A Source a client never labelled (one made
 * implicitly by a Flow's `source_id`) shows the label of its Flow, marked as such.
 */
export function SourceSummaryCells({ source }: { source: Source }) {
  const [flows, cell] = useSourceFlows(source.id);
  const summary = flows.state === 'done' ? flows.value : undefined;
  const flowsLink = href(withQuery('/flows', { source_id: source.id }));
  return (
    <>
      <td>
        <a href={href(`/sources/${source.id}`)}>
          {source.label ||
            (summary?.flowLabel ? (
              <>
                {summary.flowLabel} <span class="muted">(its Flow's label)</span>
              </>
            ) : (
              <span class="muted">(no label)</span>
            ))}
        </a>
      </td>
      <td data-testid="source-flow-count" ref={cell}>
        {summary ? (
          <a href={flowsLink}>
            {summary.count}
            {summary.more ? '+' : ''} Flow{summary.count === 1 && !summary.more ? '' : 's'}
          </a>
        ) : flows.state === 'error' ? (
          <a href={flowsLink}>Flows</a>
        ) : (
          <span class="muted">…</span>
        )}
      </td>
    </>
  );
}
