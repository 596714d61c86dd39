import { useState } from 'preact/hooks';
import { tams } from '../api/http.ts';
import type { Flow } from '../api/types.ts';
import type { Span } from '../time.ts';
import { DeleteSegmentsDialog } from './dialogs.lazy.ts';
import { useCan } from './principal.ts';

/**
 * "Delete segments…" for the range chosen on a Flow's timeline: offered only to a principal the
 * API lets delete segments (the delete scope), and not while the Flow is read-only, which the
 * API refuses (it says so instead). Once the segments are gone and the dialog that said so is
 * closed, the Flow is read again (its timerange may have shrunk) and `onDeleted` told it
 * (undefined if it could not be read). Not before: the page then reloads the timeline, which
 * clears the range (and without segments left, holds no range at all), taking this control and
 * its dialog with it.
 */
export function DeleteSegmentsAction({
  flowId,
  range,
  readOnly,
  onDeleted,
}: {
  flowId: string;
  range: Span;
  readOnly?: boolean | undefined;
  onDeleted: (flow: Flow | undefined) => void;
}) {
  const can = useCan();
  const [open, setOpen] = useState(false);
  const [deleted, setDeleted] = useState(false);
  if (!can('segmentsDelete')) return null;
  if (readOnly) return <span class="muted">Read-only: clear read-only to delete its segments.</span>;
  return (
    <>
      <button type="button" class="danger" onClick={() => setOpen(true)}>
        Delete segments…
      </button>
      {open && (
        <DeleteSegmentsDialog
          flowId={flowId}
          range={range}
          onClose={() => {
            setOpen(false);
            if (!deleted) return;
            setDeleted(false);
            tams<Flow>(`/flows/${encodeURIComponent(flowId)}`, { query: { include_timerange: true } }).then(
              ({ body }) => onDeleted(body),
              () => onDeleted(undefined),
            );
          }}
          onDeleted={() => setDeleted(true)}
        />
      )}
    </>
  );
}
