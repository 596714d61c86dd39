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
import { SizeText } from '../components/size.tsx';
import { href, type Route, withQuery } from '../router.ts';
import { useCan } from '../writes/principal.ts';
import { ReplicationActions } from './replication.actions.tsx';
import { NewReplicationDialog } from './replication.dialog.tsx';
import { ReplicationFlows } from './replication.flows.tsx';
import { selectionText } from './replication.form.ts';
import type { Replication } from './replication.types.ts';
import './replications.css';

/** How often the page reads the jobs again: their state, lag and counts move while they copy. */
const EVERY_MS = 2000;

const plural = (n: number, one: string) => `${n.toLocaleString('en')} ${one}${n === 1 ? '' : 's'}`;

/** What the job copies and how: media mode and the options that differ from a plain follow. */
function HowText({ job }: { job: Replication }) {
  const following = job.follow_by === undefined ? 'follows' : `follows by ${job.follow_by}`;
  const notes = [
    job.follow ? following : 'one pass',
    ...(job.mirror_deletions ? ['mirrors deletions'] : []),
    ...(job.ids === 'map' ? ['ids mapped'] : []),
  ];
  return (
    <>
      <div>by {job.media}</div>
      <div class="muted" title={job.follow_note}>
        {notes.join(' · ')}
      </div>
    </>
  );
}

/** The page's own link to a job's Flows (`?flows=`): a URL, so Back from a Flow returns to it. */
function FlowsLink({ job, route }: { job: Replication; route: Route }) {
  const query = Object.fromEntries(route.query.entries());
  const open = route.query.get('flows') === job.id;
  return (
    <a
      href={href(withQuery('/replications', { ...query, flows: open ? undefined : job.id }))}
      aria-label={`Flows of replication ${job.label || job.id}`}
      aria-expanded={open}
    >
      {plural(job.flows, 'Flow')}
    </a>
  );
}

function JobRow({ job, route, onChanged }: { job: Replication; route: Route; onChanged: () => void }) {
  return (
    <tr data-id={job.id} data-state={job.state}>
      <td>
        <StatusBadge status={job.state} />
        {job.last_error && (
          <div class="error" data-testid="replication-error">
            {job.last_error}
          </div>
        )}
      </td>
      <td>
        <div>{job.label || <ShortId id={job.id} />}</div>
        <div class="muted">
          from <span class="break">{job.origin.url}</span>
          {job.origin.version && ` (TAMS ${job.origin.version})`}
          {job.origin.auth !== 'none' && ` · ${job.origin.auth.replace('_', ' ')}`}
        </div>
        <div class="muted break">{selectionText(job.select)}</div>
      </td>
      <td class="keep">
        <HowText job={job} />
      </td>
      <td>
        <div data-testid="replication-segments">{job.segments_copied.toLocaleString('en')}</div>
        {job.segments_refused > 0 && <div class="error">{plural(job.segments_refused, 'refused')}</div>}
        {job.segments_deleted > 0 && (
          <div class="muted">{job.segments_deleted.toLocaleString('en')} deleted</div>
        )}
        <FlowsLink job={job} route={route} />
      </td>
      <td class="keep">
        <div>{plural(job.objects_copied, 'object')}</div>
        <SizeText bytes={job.bytes_copied} />
      </td>
      <td class="keep">{lagText(job.lag_ms)}</td>
      <td class="wide">
        {plural(job.restarts, 'restart')}
        {job.replica && <div class="muted replica">on {job.replica}</div>}
      </td>
      <td>
        <ReplicationActions job={job} onChanged={onChanged} />
      </td>
    </tr>
  );
}

/**
 * GET /replications, read again every 2 s: each job's state (with why it retries or failed),
 * the origin and what it follows, media by reference or copy, segments, objects and bytes
 * copied, its lag behind the origin, restarts and the replica running it; a job's Flows with
 * links to their pages. Jobs started, paused, resumed and deleted as the caller's scopes allow.
 */
export function ReplicationsPage({ route }: { route: Route }) {
  const can = useCan();
  const query = listingQuery(route.query, []);
  const [revision, setRevision] = useState(0);
  const [creating, setCreating] = useState(false);
  const changed = () => setRevision((r) => r + 1);
  const result = usePolled<ListingPage<Replication>>(
    `${JSON.stringify(query)} ${revision}`,
    async (signal) => {
      const { body, headers } = await api<Replication[]>('/replications', {
        query: { ...query, limit: 50 },
        signal,
      });
      return { items: body, next: nextPageKey(headers) };
    },
    EVERY_MS,
  );
  const shown = lastShown(result);
  const opened = shown?.items.find((j) => j.id === route.query.get('flows'));
  return (
    <section class="replications-list">
      <PageTitle>Replication</PageTitle>
      {can('replicationCreate') && (
        <div class="write-actions">
          <button type="button" onClick={() => setCreating(true)}>
            Replicate…
          </button>
          {creating && <NewReplicationDialog onClose={() => setCreating(false)} onMade={changed} />}
        </div>
      )}
      {result.state === 'loading' && <Loading what="replication jobs" />}
      {result.state === 'error' && <ErrorMessage error={result.error} />}
      {shown && (
        <>
          <ListTable
            items={shown.items}
            empty="No replication job."
            testid="replications"
            columns={['State', 'Replication', 'Media', 'Segments', 'Copied', 'Lag', wide('Runs'), ACTIONS]}
            row={(job) => <JobRow key={job.id} job={job} route={route} onChanged={changed} />}
          />
          <Pager path="/replications" query={route.query} next={shown.next} />
        </>
      )}
      {opened && <ReplicationFlows key={opened.id} job={opened} />}
    </section>
  );
}
