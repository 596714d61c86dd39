import { useState } from 'preact/hooks';
import { api } from '../api/http.ts';
import { Dialog, Failure } from '../writes/dialog.tsx';
import type { Recording, RecordingRequest } from './recorder.types.ts';

interface Form {
  url: string;
  label: string;
  segmentSeconds: string;
  /** Empty: everything is kept. */
  keepHours: string;
  realtime: boolean;
  /** Fragmented MP4 segments with init objects instead of MPEG-TS. */
  fmp4: boolean;
}

/** The form as the API's body, or what is wrong with it (the server checks it again). */
export function requestOf(form: Form): RecordingRequest | string {
  const url = form.url.trim();
  if (url === '') return 'Give the source URL.';
  const body: RecordingRequest = { source: { url } };
  if (url.startsWith('file:')) body.source.realtime = form.realtime;
  if (form.label.trim() !== '') body.label = form.label.trim();
  if (form.segmentSeconds.trim() !== '') {
    const seconds = Number(form.segmentSeconds);
    if (!Number.isFinite(seconds) || seconds < 0.5 || seconds > 60)
      return 'A segment lasts 0.5 to 60 seconds.';
    body.segment_duration = seconds;
  }
  if (form.keepHours.trim() !== '') {
    const hours = Number(form.keepHours);
    const seconds = Math.round(hours * 3600);
    if (!Number.isFinite(hours) || seconds < 10) return 'Keep at least 10 seconds (0.003 hours).';
    body.retention_seconds = seconds;
  }
  if (form.fmp4) body.container = 'video/mp4';
  return body;
}

/**
 * Starts a recording job (POST /recordings, the write scope): the source, a label for the Source
 * and Flows it makes, the segment length, and a loop recorder's window. The server checks the
 * source against its allow-list and answers why it refuses one.
 */
export function NewRecordingDialog({
  onClose,
  onMade,
}: {
  onClose: () => void;
  onMade: (made: Recording) => void;
}) {
  const [form, setForm] = useState<Form>({
    url: '',
    label: '',
    segmentSeconds: '2',
    keepHours: '',
    realtime: true,
    fmp4: false,
  });
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<unknown>();
  const set = (change: Partial<Form>) => setForm((f) => ({ ...f, ...change }));
  const request = requestOf(form);
  const problem = typeof request === 'string' && form.url.trim() !== '' ? request : undefined;

  const onSubmit = async (event: Event) => {
    event.preventDefault();
    if (typeof request === 'string') return;
    setBusy(true);
    setFailure(undefined);
    try {
      const { body } = await api<Recording>('/recordings', { method: 'POST', body: request });
      onMade(body);
      onClose();
    } catch (error) {
      setFailure(error);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog title="New recording" onClose={onClose} testid="recording-dialog">
      <form class="write-form" onSubmit={onSubmit}>
        <label>
          <span>Source: an HLS playlist, udp://, srt://, rtmp:// or file: URL</span>
          <input
            name="url"
            required
            autocomplete="off"
            placeholder="https://example.com/live/channel.m3u8"
            value={form.url}
            onInput={(e) => set({ url: e.currentTarget.value })}
          />
        </label>
        {form.url.trim().startsWith('file:') && (
          <label class="check">
            <input
              type="checkbox"
              name="realtime"
              checked={form.realtime}
              onChange={(e) => set({ realtime: e.currentTarget.checked })}
            />
            Play the file at its own pace, as a live source
          </label>
        )}
        <label>
          <span>Label of the Source and Flows</span>
          <input name="label" value={form.label} onInput={(e) => set({ label: e.currentTarget.value })} />
        </label>
        <div class="pair">
          <label>
            <span>Segment length (seconds, cut on key frames)</span>
            <input
              name="segment_duration"
              inputMode="decimal"
              value={form.segmentSeconds}
              onInput={(e) => set({ segmentSeconds: e.currentTarget.value })}
            />
          </label>
          <label>
            <span>Loop recorder: keep the last hours (empty: keep everything)</span>
            <input
              name="keep_hours"
              inputMode="decimal"
              value={form.keepHours}
              onInput={(e) => set({ keepHours: e.currentTarget.value })}
            />
          </label>
        </div>
        <label class="check">
          <input
            type="checkbox"
            name="fmp4"
            checked={form.fmp4}
            onChange={(e) => set({ fmp4: e.currentTarget.checked })}
          />
          Fragmented MP4 segments with init objects (TAMS 8.2), instead of MPEG-TS
        </label>
        {problem && <p class="error">{problem}</p>}
        {failure !== undefined && <Failure error={failure} doing="Starting the recording" />}
        <div class="dialog-buttons">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" disabled={busy || typeof request === 'string'}>
            {busy ? 'Starting…' : 'Record'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

/** Deletes a recording job (DELETE /recordings/{id}, the delete scope): what it recorded stays. */
export function DeleteRecordingDialog({
  recording,
  onClose,
  onDeleted,
}: {
  recording: Recording;
  onClose: () => void;
  onDeleted: () => void;
}) {
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<unknown>();
  const onDelete = async () => {
    setBusy(true);
    try {
      await api(`/recordings/${encodeURIComponent(recording.id)}`, { method: 'DELETE' });
      onDeleted();
      onClose();
    } catch (error) {
      setFailure(error);
      setBusy(false);
    }
  };
  return (
    <Dialog title="Delete recording job" onClose={onClose} testid="delete-recording-dialog">
      <div class="write-form">
        <p>
          The job <code>{recording.id}</code>
          {recording.label ? ` (${recording.label})` : ''} stops recording{' '}
          <code class="break">{recording.source.url}</code> and is forgotten. Its Source, Flows and the{' '}
          {recording.segments_written.toLocaleString('en')} segments it wrote stay.
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
