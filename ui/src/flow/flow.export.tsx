import { type Dispatch, type StateUpdater, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, authHeaders, isAbort } from '../api/http.ts';
import { durationText, rangeText, type Span, utcText } from '../time.ts';
import { type Marks, markEnd, markStart } from '../timeline/timeline.range.ts';
import './flow.export.css';
import {
  dispositionName,
  exportUrl,
  failureText,
  type Preview,
  useExportPreview,
} from './flow.export.preview.ts';

type Progress =
  | { state: 'idle' }
  | { state: 'loading'; received: number }
  | { state: 'saved'; name: string; bytes: number }
  | { state: 'failed'; message: string };

/** What the file holds (whole segments), or why the server refuses the range. */
function FileNote({ preview }: { preview: Preview }) {
  if (preview.state === 'checking') return <p class="muted">Checking the range…</p>;
  if (preview.state === 'refused') {
    return (
      <p class="error" data-testid="export-refused">
        {preview.message}
      </p>
    );
  }
  const { covered, segments } = preview;
  return (
    <p data-testid="export-file">
      The file holds {segments} whole segment{segments === 1 ? '' : 's'}: {utcText(covered.start)} →{' '}
      {utcText(covered.end)} UTC ({durationText(covered.end - covered.start)}).
    </p>
  );
}

const SHOW_EVERY = 512 * 1024;

function sizeText(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
  return `${Math.ceil(bytes / 1024)} kB`;
}

/**
 * Saves `blob` as a download named `name`: a link to it, clicked. The object URL is kept until
 * the next download or the page goes (the browser reads it once the download starts).
 */
function save(blob: Blob, name: string, previous: { current: string | undefined }): void {
  if (previous.current !== undefined) URL.revokeObjectURL(previous.current);
  const url = URL.createObjectURL(blob);
  previous.current = url;
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
}

/** The span a download takes: the range marked on the timeline, the Flow's ends where unmarked. */
export function exportSpan(marks: Marks, extent: Span): Span {
  return { start: marks.start ?? extent.start, end: marks.end ?? extent.end };
}

/** Where the span comes from, said under it. */
function spanSource(marks: Marks): string {
  if (marks.start !== undefined && marks.end !== undefined) return 'The range marked on the timeline.';
  if (marks.start !== undefined)
    return "From the start marked on the timeline to the Flow's end, as it grows.";
  if (marks.end !== undefined) return "From the Flow's start to the end marked on the timeline.";
  return 'The whole Flow, as it grows. Mark a range on the timeline (Shift-drag, [ and ], or the buttons here).';
}

/**
 * Download of a timerange of the Flow as one file (MPEG-TS, or fMP4 with its init segment), made
 * by the server from the stored segments. The range is the timeline's (`marks`, the one range
 * segment deletion takes too): Start and End at player set its ends at the player's position;
 * an end not marked is the Flow's, and follows it while it grows (`extent` is the Flow as last
 * read). The request carries the session's token in its Authorization header, as the player's
 * playlist requests do (never in a URL): the file is fetched, counted as it arrives, and saved
 * once whole; a response cut off by the server is an error, never a file.
 */
export function FlowExport({
  flowId,
  extent,
  playhead,
  marks,
  onMarks,
}: {
  flowId: string;
  extent: Span;
  playhead: bigint | undefined;
  /** The range marked on the timeline (either end may be unmarked). */
  marks: Marks;
  onMarks: Dispatch<StateUpdater<Marks>>;
}) {
  const span = exportSpan(marks, extent);
  const [progress, setProgress] = useState<Progress>({ state: 'idle' });
  const controller = useRef<AbortController | undefined>(undefined);
  const objectUrl = useRef<string | undefined>(undefined);

  useEffect(
    () => () => {
      controller.current?.abort();
      if (objectUrl.current !== undefined) URL.revokeObjectURL(objectUrl.current);
    },
    [],
  );

  const at =
    playhead !== undefined && playhead >= extent.start && playhead <= extent.end ? playhead : undefined;
  const preview = useExportPreview(flowId, span);
  const busy = progress.state === 'loading';

  async function download() {
    controller.current?.abort();
    const abort = new AbortController();
    controller.current = abort;
    setProgress({ state: 'loading', received: 0 });
    let received = 0;
    let shown = 0;
    try {
      const res = await fetch(exportUrl(flowId, span), { headers: authHeaders(), signal: abort.signal });
      if (!res.ok || res.body === null) throw new ApiError(res.status, await failureText(res));
      const counted = res.body.pipeThrough(
        new TransformStream<Uint8Array, Uint8Array>({
          transform(chunk, out) {
            received += chunk.byteLength;
            // A render every half megabyte, not every chunk.
            if (received - shown >= SHOW_EVERY) {
              shown = received;
              setProgress({ state: 'loading', received });
            }
            out.enqueue(chunk);
          },
        }),
      );
      const type = res.headers.get('content-type') ?? 'application/octet-stream';
      // The browser keeps the bytes (on disk when they are many), not this page's memory.
      const blob = await new Response(counted, { headers: { 'content-type': type } }).blob();
      const name = dispositionName(res.headers.get('content-disposition'), `${flowId}.bin`);
      save(blob, name, objectUrl);
      setProgress({ state: 'saved', name, bytes: blob.size });
    } catch (error) {
      if (isAbort(error)) {
        setProgress({ state: 'idle' });
        return;
      }
      const message =
        error instanceof ApiError
          ? error.message
          : `The download ${received > 0 ? `broke off after ${sizeText(received)}` : 'failed'}: no file was saved (${String(error)})`;
      setProgress({ state: 'failed', message });
    } finally {
      if (controller.current === abort) controller.current = undefined;
    }
  }

  return (
    <section class="flow-export" aria-labelledby="export-title" data-testid="flow-export">
      <h2 id="export-title">Download</h2>
      <p class="export-range">
        <span data-testid="export-span">
          {utcText(span.start)} → {utcText(span.end)} UTC
          {span.end > span.start ? ` (${durationText(span.end - span.start)})` : ''}
        </span>{' '}
        <code class="muted">{rangeText(span)}</code>
      </p>
      <p class="muted export-source" data-testid="export-source">
        {spanSource(marks)}
      </p>
      <div class="export-actions">
        <button
          type="button"
          disabled={at === undefined || at >= span.end}
          onClick={() => at !== undefined && onMarks((m) => markStart(m, at))}
        >
          Start at player
        </button>
        <button
          type="button"
          disabled={at === undefined || at <= span.start}
          onClick={() => at !== undefined && onMarks((m) => markEnd(m, at))}
        >
          End at player
        </button>
        <button
          type="button"
          disabled={marks.start === undefined && marks.end === undefined}
          onClick={() => onMarks({})}
        >
          Whole Flow
        </button>
        {busy ? (
          <button type="button" onClick={() => controller.current?.abort()}>
            Cancel
          </button>
        ) : (
          <button
            type="submit"
            disabled={preview.state !== 'ready'}
            onClick={download}
            data-testid="export-download"
          >
            Download file
          </button>
        )}
      </div>
      <FileNote preview={preview} />
      <p class="muted" role="status" data-testid="export-status">
        {progress.state === 'loading' && `Downloading… ${sizeText(progress.received)}`}
        {progress.state === 'saved' && `Saved ${progress.name} (${sizeText(progress.bytes)}).`}
      </p>
      {progress.state === 'failed' && (
        <p class="error" role="alert">
          {progress.message}
        </p>
      )}
    </section>
  );
}
