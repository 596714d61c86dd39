import { api } from '../api/http.ts';
import { ErrorMessage, ListTable, Loading, ShortId } from '../components/common.tsx';
import { lastShown, usePolled } from '../components/polled.ts';
import { href } from '../router.ts';
import type { Replication, ReplicationFlow } from './replication.types.ts';

/** Read again as the jobs are: segments and cursors move while the job follows. */
const EVERY_MS = 2000;

/**
 * The Flows a job follows (GET /replications/{id}/flows): each origin Flow, its Flow here (a
 * link to its page; the same id unless ids are mapped), the segments copied, how far, and why
 * it stopped if it did.
 */
export function ReplicationFlows({ job }: { job: Replication }) {
  const result = usePolled(
    job.id,
    async (signal) =>
      (await api<ReplicationFlow[]>(`/replications/${encodeURIComponent(job.id)}/flows`, { signal })).body,
    EVERY_MS,
  );
  const shown = lastShown(result);
  return (
    <section class="replication-flows" aria-labelledby="replication-flows-title">
      <h2 id="replication-flows-title">Flows of {job.label || job.id}</h2>
      {result.state === 'loading' && <Loading what="the job's Flows" />}
      {result.state === 'error' && <ErrorMessage error={result.error} />}
      {shown && (
        <ListTable
          items={shown}
          empty="No Flow yet: the job makes them once it has read the origin."
          testid="replication-flows"
          columns={['Flow here', 'Origin Flow', 'Segments', 'Copied to', 'State']}
          row={(f) => (
            <tr key={f.origin_flow_id} data-id={f.flow_id}>
              <td>
                <a href={href(`/flows/${f.flow_id}`)}>
                  <code>{f.flow_id}</code>
                </a>
              </td>
              <td>
                {f.origin_flow_id === f.flow_id ? (
                  <span class="muted">same id</span>
                ) : (
                  <ShortId id={f.origin_flow_id} />
                )}
              </td>
              <td data-testid="replication-flow-segments">{f.segments.toLocaleString('en')}</td>
              <td class="keep">{f.copied_to ?? <span class="muted">nothing yet</span>}</td>
              <td>
                {f.gone ? 'gone at the origin' : 'followed'}
                {f.last_error && <div class="error">{f.last_error}</div>}
              </td>
            </tr>
          )}
        />
      )}
    </section>
  );
}
