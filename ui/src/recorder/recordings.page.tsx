import { useState } from 'preact/hooks';
import { api, nextPageKey } from '../api/http.ts';
import {
  ACTIONS,
  ErrorMessage,
  ListTable,
  Loading,
  PageTitle,
  ShortId,
  StatusBadge,
  wide,
} from '../components/common.tsx';
import { listingQuery } from '../components/filters.tsx';
import type { ListingPage } from '../components/listing.ts';
import { Pager } from '../components/pager.tsx';
import { lagText, lastShown, usePolled } from '../components/polled.ts';
import { href, type Route } from '../router.ts';
import { useCan } from '../writes/principal.ts';
import type { Recording } from './recorder.types.ts';
import './recordings.css';
import { DeleteRecordingDialog, NewRecordingDialog } from './recording.dialog.tsx';

/** How often the page reads the jobs again: their state, lag and counts move while they record. */
const EVERY_MS = 2000;

function windowText(seconds: number | undefined): string {
  if (seconds === undefined) return 'everything';
  if (seconds % 3600 === 0) return `last ${seconds / 3600} h`;
  return seconds >= 120 ? `last ${Math.round(seconds / 60)} min` : `last ${seconds} s`;
}

/** The job's Stop or Start (read and write), and Delete (delete). */
function RecordingActions({ recording, onChanged }: { recording: Recording; onChanged: () => void }) {
  const can = useCan();
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<unknown>();
  const [deleting, setDeleting] = useState(false);
  const name = `recording ${recording.label || recording.id}`;
  const act = async (action: 'stop' | 'start') => {
    setBusy(true);
    setFailure(undefined);
    try {
      await api(`/recordings/${encodeURIComponent(recording.id)}/${action}`, { method: 'POST', body: {} });
      onChanged();
    } catch (error) {
      setFailure(error);
    } finally {
      setBusy(false);
    }
  };
  const recordingNow = recording.want === 'record';
  return (
    <div class="row-actions">
      {recordingNow && can('recordingStop') && (
        <button
          type="button"
          class="small"
          aria-label={`Stop ${name}`}
          disabled={busy}
          onClick={() => act('stop')}
        >
          Stop
        </button>
      )}
      {!recordingNow && can('recordingStart') && (
        <button
          type="button"
          class="small"
          aria-label={`Start ${name}`}
          disabled={busy}
          onClick={() => act('start')}
        >
          Start
        </button>
      )}
      {can('recordingDelete') && (
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
        <DeleteRecordingDialog
          recording={recording}
          onClose={() => setDeleting(false)}
          onDeleted={onChanged}
        />
      )}
    </div>
  );
}

/** Where the job records: its multi Flow (played live on its page), and each essence Flow. */
function RecordingFlows({ recording }: { recording: Recording }) {
  const flows = recording.flow_ids;
  if (flows.video === undefined && flows.audio.length === 0)
    return <span class="muted">made once the source is first read</span>;
  return (
    <ul class="plain">
      <li>
        <a href={href(`/flows/${flows.multi}`)} data-testid="recording-play">
          {recording.want === 'record' ? 'Play live' : 'Play'}
        </a>
      </li>
      {flows.video && (
        <li>
          <a href={href(`/flows/${flows.video}`)}>video</a>
        </li>
      )}
      {flows.audio.map((id, i) => (
        <li key={id}>
          <a href={href(`/flows/${id}`)}>audio {flows.audio.length > 1 ? i + 1 : ''}</a>
        </li>
      ))}
      {flows.captions && (
        <li>
          <a href={href(`/flows/${flows.captions}`)}>captions</a>
        </li>
      )}
    </ul>
  );
}

/**
 * GET /recordings, read again every 2 s: each job's state (with why it retries or failed), the
 * source, the Flows it writes (the multi Flow plays live), segments written, how far behind the
 * wall clock the newest segment ended, restarts and the replica running it; jobs started, stopped,
 * started again and deleted here as the caller's scopes allow.
 */
export function RecordingsPage({ route }: { route: Route }) {
  const can = useCan();
  const query = listingQuery(route.query, []);
  const [revision, setRevision] = useState(0);
  const [creating, setCreating] = useState(false);
  const changed = () => setRevision((r) => r + 1);
  const result = usePolled<ListingPage<Recording>>(
    `${JSON.stringify(query)} ${revision}`,
    async (signal) => {
      const { body, headers } = await api<Recording[]>('/recordings', {
        query: { ...query, limit: 50 },
        signal,
      });
      return { items: body, next: nextPageKey(headers) };
    },
    EVERY_MS,
  );
  const shown = lastShown(result);
  return (
    <section class="recordings-list">
      <PageTitle>Recordings</PageTitle>
      {can('recordingCreate') && (
        <div class="write-actions">
          <button type="button" onClick={() => setCreating(true)}>
            New recording
          </button>
          {creating && <NewRecordingDialog onClose={() => setCreating(false)} onMade={changed} />}
        </div>
      )}
      {result.state === 'loading' && <Loading what="recording jobs" />}
      {result.state === 'error' && <ErrorMessage error={result.error} />}
      {shown && (
        <>
          <ListTable
            items={shown.items}
            empty="No recording job."
            testid="recordings"
            columns={[
              'State',
              'Recording',
              'Flows',
              'Segments',
              'Lag',
              wide('Runs'),
              wide('Created'),
              ACTIONS,
            ]}
            row={(r) => (
              <tr key={r.id} data-id={r.id} data-state={r.state}>
                <td>
                  <StatusBadge status={r.state} />
                  {r.last_error && (
                    <div class="error" data-testid="recording-error">
                      {r.last_error}
                    </div>
                  )}
                </td>
                <td>
                  <div>{r.label || <ShortId id={r.id} />}</div>
                  <div class="muted">
                    {r.source.kind} · <span class="break">{r.source.url}</span>
                  </div>
                  <div class="muted">
                    {r.segment_duration} s segments · keeps {windowText(r.retention_seconds)}
                  </div>
                </td>
                <td>
                  <RecordingFlows recording={r} />
                </td>
                <td data-testid="recording-segments">{r.segments_written.toLocaleString('en')}</td>
                <td class="keep">{lagText(r.lag_ms)}</td>
                <td class="wide">
                  {r.restarts} restart{r.restarts === 1 ? '' : 's'}
                  {r.replica && <div class="muted replica">on {r.replica}</div>}
                </td>
                <td class="wide">
                  {r.created}
                  {r.created_by && <div class="muted">by {r.created_by}</div>}
                </td>
                <td>
                  <RecordingActions recording={r} onChanged={changed} />
                </td>
              </tr>
            )}
          />
          <Pager path="/recordings" query={route.query} next={shown.next} />
        </>
      )}
    </section>
  );
}
