import { useState } from 'preact/hooks';
import type { Source } from '../api/types.ts';
import { EditDialog } from './dialogs.lazy.ts';
import { useCan } from './principal.ts';

/** A Source's "Edit" (label, description, tags: the write scope), for its row or its page. */
export function SourceEdit({ source, onChanged }: { source: Source; onChanged: (source: Source) => void }) {
  const can = useCan();
  const [open, setOpen] = useState(false);
  if (!can('sourceLabelPut')) return null;
  return (
    <>
      <button
        type="button"
        class="small"
        aria-label={`Edit Source ${source.label || source.id}`}
        onClick={() => setOpen(true)}
      >
        Edit
      </button>
      {open && (
        <EditDialog
          kind="source"
          item={source}
          onClose={() => setOpen(false)}
          onSaved={(s) => onChanged(s as Source)}
        />
      )}
    </>
  );
}
