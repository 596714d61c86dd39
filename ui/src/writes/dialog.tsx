import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import './writes.css';

/**
 * A modal dialog (the native `<dialog>`: focus kept inside, Escape closes it, the page behind
 * inert), open while mounted. Its heading names it for screen readers.
 */
export function Dialog({
  title,
  onClose,
  children,
  testid,
}: {
  title: string;
  onClose: () => void;
  children: ComponentChildren;
  testid: string;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    return () => dialog?.close();
  }, []);
  return (
    <dialog
      ref={ref}
      class="write-dialog"
      aria-labelledby={`${testid}-title`}
      data-testid={testid}
      onClose={onClose}
    >
      <div class="dialog-head">
        <h2 id={`${testid}-title`}>{title}</h2>
        <button type="button" class="close" aria-label="Close" onClick={onClose}>
          ×
        </button>
      </div>
      {children}
    </dialog>
  );
}

/** An API error (or another failure) as the dialog shows it: the TAMS error's summary. */
export function Failure({ error, doing }: { error: unknown; doing?: string }) {
  const text = error instanceof Error ? error.message : String(error);
  return (
    <p class="error" role="alert" data-testid="write-error">
      {doing ? `${doing}: ` : ''}
      {text}
    </p>
  );
}
