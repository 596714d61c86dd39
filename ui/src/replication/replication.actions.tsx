import { useState } from 'preact/hooks';
import { api } from '../api/http.ts';
import { ErrorMessage } from '../components/common.tsx';
import { useCan } from '../writes/principal.ts';
import { DeleteReplicationDialog } from './replication.dialog.tsx';
import type { Replication } from './replication.types.ts';

/** A job's Pause or Resume (read and write), and Delete (delete), as the caller's scopes allow. */
export function ReplicationActions({ job, onChanged }: { job: Replication; onChanged: () => void }) {
  const can = useCan();
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<unknown>();
  const [deleting, setDeleting] = useState(false);
  const name = `replication ${job.label || job.id}`;
  const act = async (action: 'pause' | 'resume') => {
    setBusy(true);
    setFailure(undefined);
    try {
      await api(`/replications/${encodeURIComponent(job.id)}/${action}`, { method: 'POST', body: {} });
      onChanged();
    } catch (error) {
      setFailure(error);
    } finally {
      setBusy(false);
    }
  };
  // By what was asked, not the state: a job asked to pause may still be finishing a page.
  const running = job.want === 'run';
  return (
    <div class="row-actions">
      {running && can('replicationPause') && (
        <button
          type="button"
          class="small"
          aria-label={`Pause ${name}`}
          disabled={busy}
          onClick={() => act('pause')}
        >
          Pause
        </button>
      )}
      {!running && can('replicationResume') && (
        <button
          type="button"
          class="small"
          aria-label={`Resume ${name}`}
          disabled={busy}
          onClick={() => act('resume')}
        >
          Resume
        </button>
      )}
      {can('replicationDelete') && (
        <button
          type="button"
          class="small danger"
          aria-label={`Delete ${name}`}
          onClick={() => setDeleting(true)}
        >
          Delete
        </button>
      )}
      {failure !== undefined && <ErrorMessage error={failure} />}
      {deleting && (
        <DeleteReplicationDialog job={job} onClose={() => setDeleting(false)} onDeleted={onChanged} />
      )}
    </div>
  );
}
