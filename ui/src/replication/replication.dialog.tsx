import { useState } from 'preact/hooks';
import { api } from '../api/http.ts';
import { Dialog, Failure } from '../writes/dialog.tsx';
import { OriginAuthFields } from './replication.auth.tsx';
import { EMPTY_FORM, type ReplicationForm, requestOf, type SelectKind } from './replication.form.ts';
import type { Replication } from './replication.types.ts';

const SELECT_KINDS: readonly { kind: SelectKind; text: string }[] = [
  { kind: 'flow_id', text: 'one Flow, by its id' },
  { kind: 'source_id', text: "a Source's Flows, by its id" },
  { kind: 'tags', text: 'the Flows with these tags' },
];

type Set = (change: Partial<ReplicationForm>) => void;

/** What the job follows: the kind, then the id or the tags. */
function SelectionFields({ form, set }: { form: ReplicationForm; set: Set }) {
  return (
    <fieldset class="plain-set">
      <label>
        <span>Replicate</span>
        <select
          name="select"
          value={form.select}
          onChange={(e) => {
            const value = e.currentTarget.value;
            set({ select: SELECT_KINDS.find((k) => k.kind === value)?.kind ?? 'flow_id' });
          }}
        >
          {SELECT_KINDS.map(({ kind, text }) => (
            <option key={kind} value={kind}>
              {text}
            </option>
          ))}
        </select>
      </label>
      {form.select === 'tags' ? (
        <label>
          <span>Tags, name=value one a line (the origin's tag filters)</span>
          <textarea
            name="tags"
            rows={3}
            value={form.tags}
            onInput={(e) => set({ tags: e.currentTarget.value })}
          />
        </label>
      ) : (
        <label>
          <span>{form.select === 'flow_id' ? 'Flow id' : 'Source id'} at the origin</span>
          <input
            name="id"
            autocomplete="off"
            spellcheck={false}
            value={form.id}
            onInput={(e) => set({ id: e.currentTarget.value })}
          />
        </label>
      )}
    </fieldset>
  );
}

/** How the media come, and what the job does after its first pass. */
function HowFields({ form, set }: { form: ReplicationForm; set: Set }) {
  return (
    <>
      <fieldset>
        <legend>Media</legend>
        <label class="check">
          <input
            type="radio"
            name="media"
            value="reference"
            checked={form.media === 'reference'}
            onChange={() => set({ media: 'reference' })}
          />
          By reference: segments here point at the origin's media
        </label>
        <label class="check">
          <input
            type="radio"
            name="media"
            value="copy"
            checked={form.media === 'copy'}
            onChange={() => set({ media: 'copy' })}
          />
          By copy: every object copied into this store
        </label>
      </fieldset>
      <label class="check">
        <input
          type="checkbox"
          name="follow"
          checked={form.follow}
          onChange={(e) => set({ follow: e.currentTarget.checked })}
        />
        Follow the origin after the first pass (new segments, Flows and changes)
      </label>
      <label class="check">
        <input
          type="checkbox"
          name="mirror_deletions"
          checked={form.mirrorDeletions}
          onChange={(e) => set({ mirrorDeletions: e.currentTarget.checked })}
        />
        Mirror deletions: delete here what the origin deletes
      </label>
      <label class="check">
        <input
          type="checkbox"
          name="map_ids"
          checked={form.mapIds}
          onChange={(e) => set({ mapIds: e.currentTarget.checked })}
        />
        Map ids: new Source and Flow ids here instead of the origin's
      </label>
    </>
  );
}

/**
 * Starts a replication job (POST /replications, the read and write scopes). The server checks
 * the origin against its allow-list and answers why it refuses one: shown here, in the dialog.
 */
export function NewReplicationDialog({
  onClose,
  onMade,
}: {
  onClose: () => void;
  onMade: (made: Replication) => void;
}) {
  const [form, setForm] = useState<ReplicationForm>(EMPTY_FORM);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<unknown>();
  const set: Set = (change) => setForm((f) => ({ ...f, ...change }));
  const request = requestOf(form);
  // Said once the user has begun: an empty form is not an error yet.
  const problem = typeof request === 'string' && form.url.trim() !== '' ? request : undefined;

  const onSubmit = async (event: Event) => {
    event.preventDefault();
    if (typeof request === 'string') return;
    setBusy(true);
    setFailure(undefined);
    try {
      const { body } = await api<Replication>('/replications', { method: 'POST', body: request });
      onMade(body);
      onClose();
    } catch (error) {
      setFailure(error);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog title="Replicate from another TAMS" onClose={onClose} testid="replication-dialog">
      <form class="write-form" onSubmit={onSubmit}>
        <label>
          <span>Origin: the API's base URL (a mount such as …/tams/v8.2, or its root for 7.0)</span>
          <input
            name="url"
            required
            autocomplete="off"
            placeholder="https://tams.site-b.example/tams/v8.2"
            value={form.url}
            onInput={(e) => set({ url: e.currentTarget.value })}
          />
        </label>
        <OriginAuthFields form={form} set={set} />
        <SelectionFields form={form} set={set} />
        <HowFields form={form} set={set} />
        <label>
          <span>Label of the job</span>
          <input name="label" value={form.label} onInput={(e) => set({ label: e.currentTarget.value })} />
        </label>
        {problem && <p class="error">{problem}</p>}
        {failure !== undefined && <Failure error={failure} doing="Starting the replication" />}
        <div class="dialog-buttons">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" disabled={busy || typeof request === 'string'}>
            {busy ? 'Starting…' : 'Replicate'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

/** Deletes a replication job (DELETE /replications/{id}, the delete scope): what it copied stays. */
export function DeleteReplicationDialog({
  job,
  onClose,
  onDeleted,
}: {
  job: Replication;
  onClose: () => void;
  onDeleted: () => void;
}) {
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<unknown>();
  const onDelete = async () => {
    setBusy(true);
    try {
      await api(`/replications/${encodeURIComponent(job.id)}`, { method: 'DELETE' });
      onDeleted();
      onClose();
    } catch (error) {
      setFailure(error);
      setBusy(false);
    }
  };
  return (
    <Dialog title="Delete replication job" onClose={onClose} testid="delete-replication-dialog">
      <div class="write-form">
        <p>
          The job <code>{job.id}</code>
          {job.label ? ` (${job.label})` : ''} stops following <code class="break">{job.origin.url}</code> and
          is forgotten. The Sources, Flows and the {job.segments_copied.toLocaleString('en')} segments it
          copied stay.
        </p>
        {failure !== undefined && <Failure error={failure} doing="Deleting the job" />}
        <div class="dialog-buttons">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="button" class="danger" disabled={busy} onClick={onDelete}>
            {busy ? 'Deleting…' : 'Delete the job'}
          </button>
        </div>
      </div>
    </Dialog>
  );
}
