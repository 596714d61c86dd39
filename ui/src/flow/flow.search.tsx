import { api } from '../api/http.ts';
import type { FlowSearchStatus } from '../api/types.ts';
import { ErrorMessage, Loading, useLoad } from '../components/common.tsx';

/**
 * What media search made of a Flow (GET /search/status?flow_id=): its captions' cues indexed,
 * those dropped because they fall outside their segment (with the segment that dropped most and
 * where its cues were), and the items that could not be indexed. Shown for Flows the index reads
 * timed text of, or that have something to report.
 */
export function FlowSearch({ flowId }: { flowId: string }) {
  const result = useLoad(flowId, async (signal) => {
    const { body } = await api<{ flow: FlowSearchStatus }>('/search/status', {
      query: { flow_id: flowId },
      signal,
    });
    return body.flow;
  });
  if (result.state === 'loading') return <Loading what="the search status" />;
  if (result.state === 'error') return <ErrorMessage error={result.error} />;
  const s = result.value;
  if (!s.timed_text && s.failed === 0 && s.transcripts === 0) return null;
  const most = s.most_outside;
  return (
    <section class="flow-search" aria-labelledby="flow-search-title" data-testid="flow-search">
      <h2 id="flow-search-title">Search</h2>
      {s.timed_text && (
        <p>
          {s.cues_indexed.toLocaleString('en')} of {count(s.cues, 'cue')} in {count(s.segments, 'segment')}{' '}
          indexed.
          {s.transcripts > 0 && ` ${count(s.transcripts, 'transcript')} indexed.`}
        </p>
      )}
      {s.cues_outside > 0 && (
        <div class="warning" role="status" data-testid="cues-outside">
          <p>
            {count(s.cues_outside, 'cue')} in {count(s.segments_with_cues_outside, 'segment')} fall outside
            their segment's timerange and are not searchable. Cue times are media time, placed on the Flow by
            the segment's <code>ts_offset</code> (or an HLS <code>X-TIMESTAMP-MAP</code>).
          </p>
          {most && (
            <p>
              Most in segment <code>{most.timerange}</code> (ts_offset <code>{most.ts_offset ?? 'none'}</code>
              ): {most.cues_outside} of {most.cues} cues, which were at <code>{most.cue_times ?? '?'}</code>{' '}
              on the Flow.
            </p>
          )}
        </div>
      )}
      {s.unembedded > 0 && (
        <p class="muted">
          {count(s.unembedded, 'cue')} found by keyword search only (the embedding service refused their
          text).
        </p>
      )}
      {s.failed > 0 && (
        <div class="table-wrap">
          <table class="list" data-testid="search-failures">
            <caption>{count(s.failed, 'item')} could not be indexed</caption>
            <thead>
              <tr>
                <th scope="col">Item</th>
                <th scope="col" class="wide">
                  Why
                </th>
                <th scope="col">When</th>
              </tr>
            </thead>
            <tbody>
              {s.failures.map((f) => (
                <tr key={`${f.kind} ${f.timerange ?? f.transcript_id ?? f.ref ?? ''} ${f.at}`}>
                  <td>
                    {f.kind === 'segment' ? (
                      <>
                        segment <code>{f.timerange}</code>
                      </>
                    ) : f.kind === 'transcript' ? (
                      <>
                        transcript <code>{f.transcript_id}</code>
                      </>
                    ) : (
                      f.ref
                    )}
                  </td>
                  <td class="wide">{f.reason}</td>
                  <td>{f.at}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function count(n: number, what: string): string {
  return `${n.toLocaleString('en')} ${what}${n === 1 ? '' : 's'}`;
}
