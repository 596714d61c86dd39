import { api } from '../api/http.ts';
import type { SearchIndexStatus } from '../api/types.ts';
import { useLoad } from '../components/common.tsx';
import { useFlowLabels } from '../components/flow.labels.ts';
import { href } from '../router.ts';

function plural(n: number, what: string): string {
  return `${n.toLocaleString('en')} ${what}${n === 1 ? '' : 's'}`;
}

/**
 * Beside a search's hits, the caption Flows whose cues the search cannot find (GET /search/status):
 * those whose cues fall outside their segments, and those whose segments could not be read, each
 * linking to its Flow's page, which says why segment by segment. A search answering nothing is
 * then not taken for captions that say nothing. Nothing while every cue is indexed.
 */
export function UnindexedCaptions() {
  const result = useLoad('search status', async (signal) => {
    const { body } = await api<SearchIndexStatus>('/search/status', { signal });
    return body;
  });
  const status = result.state === 'done' ? result.value : undefined;
  const outside = status?.flows_with_cues_outside ?? [];
  const failedIds = [
    ...new Set(
      (status?.recent_failures ?? []).flatMap((f) =>
        f.kind === 'segment' && f.flow_id !== undefined ? [f.flow_id] : [],
      ),
    ),
  ];
  const labels = useFlowLabels(failedIds);
  if (outside.length === 0 && failedIds.length === 0) return null;
  return (
    <div class="warning" role="status" data-testid="unindexed-captions">
      {outside.length > 0 && (
        <>
          <p>
            {plural(outside.length, 'caption Flow')} {outside.length === 1 ? 'has' : 'have'} cues that search
            cannot find:
          </p>
          <ul data-testid="cues-outside-flows">
            {outside.map((f) => (
              <li key={f.flow_id}>
                <a href={href(`/flows/${f.flow_id}`)}>{f.label || <code>{f.flow_id}</code>}</a>:{' '}
                {plural(f.cues_outside, 'cue')} in {plural(f.segments_with_cues_outside, 'segment')}
              </li>
            ))}
          </ul>
          <p class="muted">
            Their cues fall outside their segment's timerange once placed on the Flow (cue times are media
            time, moved by the segment's <code>ts_offset</code>, most often missing or wrong). Each Flow's
            page shows where its cues landed.
          </p>
        </>
      )}
      {failedIds.length > 0 && (
        <p data-testid="failed-caption-flows">
          Segments of {failedIds.length === 1 ? 'this Flow' : 'these Flows'} could not be indexed:{' '}
          {failedIds.map((id, i) => (
            <span key={id}>
              {i > 0 && ', '}
              <a href={href(`/flows/${id}`)}>{labels.get(id) ?? <code>{id}</code>}</a>
            </span>
          ))}
          . Each Flow's page says why.
        </p>
      )}
    </div>
  );
}
