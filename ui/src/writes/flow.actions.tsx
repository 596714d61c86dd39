import { useState } from 'preact/hooks';
import type { Flow } from '../api/types.ts';
import { navigate, withQuery } from '../router.ts';
import { DeleteFlowDialog, EditDialog } from './dialogs.lazy.ts';
import { useCan } from './principal.ts';

/**
 * A Flow's write actions, each offered only to a principal the API lets do it: "Edit" (label,
 * description, tags, read-only: the write scope), "Delete" (the delete scope, and not while the
 * Flow is read-only, which the API refuses).
 */
export function FlowActions({ flow, onChanged }: { flow: Flow; onChanged: (flow: Flow) => void }) {
  const can = useCan();
  const [open, setOpen] = useState<'edit' | 'delete'>();
  const [deleted, setDeleted] = useState(false);
  const canEdit = can('flowLabelPut') || can('flowReadOnlyPut');
  const canDelete = can('flowDelete');
  if (!canEdit && !canDelete) return null;
  const close = () => {
    setOpen(undefined);
    if (deleted) navigate(withQuery('/flows', { source_id: flow.source_id }));
  };
  return (
    <div class="write-actions" data-testid="flow-actions">
      {canEdit && (
        <button type="button" onClick={() => setOpen('edit')}>
          Edit
        </button>
      )}
      {canDelete &&
        (flow.read_only ? (
          <span class="muted">Read-only: clear read-only to delete it.</span>
        ) : (
          <button type="button" class="danger" onClick={() => setOpen('delete')}>
            Delete…
          </button>
        ))}
      {open === 'edit' && (
        <EditDialog kind="flow" item={flow} onClose={close} onSaved={(f) => onChanged(f as Flow)} />
      )}
      {open === 'delete' && (
        <DeleteFlowDialog flow={flow} onClose={close} onDeleted={() => setDeleted(true)} />
      )}
    </div>
  );
}
