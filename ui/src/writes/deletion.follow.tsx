import { useEffect, useState } from 'preact/hooks';
import { isAbort, tams } from '../api/http.ts';
import type { DeletionRequest } from '../api/types.ts';
import { StatusBadge } from '../components/common.tsx';

/** How often a deletion request is read again while the server works through it. */
const POLL_MS = 1000;

export type DeletionProgress =
  | { state: 'confirm' }
  | { state: 'sending' }
  | { state: 'following'; request: DeletionRequest }
  | { state: 'done'; request?: DeletionRequest }
  | { state: 'failed'; error: unknown; request?: DeletionRequest };

/**
 * A deletion (of a Flow, of a Flow's segments) sent and seen through: done at once (204, or a
 * request already done), or a deletion request (202) read again until it is done or failed.
 * `onDone` is told once, when the deletion is done.
 */
export function useDeletion(onDone: () => void): {
  progress: DeletionProgress;
  send: (call: () => Promise<DeletionRequest | undefined>) => Promise<void>;
} {
  const [progress, setProgress] = useState<DeletionProgress>({ state: 'confirm' });

  const following = progress.state === 'following' ? progress.request.id : undefined;
  useEffect(() => {
    if (following === undefined) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const controller = new AbortController();
    const read = async () => {
      try {
        const { body } = await tams<DeletionRequest>(
          `/flow-delete-requests/${encodeURIComponent(following)}`,
          { signal: controller.signal },
        );
        if (body.status === 'done') {
          setProgress({ state: 'done', request: body });
          onDone();
        } else if (body.status === 'error') {
          setProgress({
            state: 'failed',
            error: new Error(body.error?.summary ?? 'the deletion failed'),
            request: body,
          });
        } else {
          setProgress({ state: 'following', request: body });
          timer = setTimeout(read, POLL_MS);
        }
      } catch (error) {
        if (!isAbort(error)) setProgress({ state: 'failed', error });
      }
    };
    timer = setTimeout(read, POLL_MS);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [following]);

  const send = async (call: () => Promise<DeletionRequest | undefined>) => {
    setProgress({ state: 'sending' });
    try {
      const body = await call();
      if (body?.id !== undefined && body.status !== 'done') {
        setProgress({ state: 'following', request: body });
      } else {
        setProgress({ state: 'done', ...(body && { request: body }) });
        onDone();
      }
    } catch (error) {
      setProgress({ state: 'failed', error });
    }
  };
  return { progress, send };
}

/** The deletion request being followed (or that ended): its id, status and what is left. */
export function DeletionStatus({ progress }: { progress: DeletionProgress }) {
  const request = 'request' in progress ? progress.request : undefined;
  if (request === undefined || progress.state === 'confirm') return null;
  return (
    <div class="deletion-progress" role="status" data-testid="deletion-progress">
      Deletion request <code>{request.id}</code>: <StatusBadge status={request.status} />
      {request.timerange_remaining && progress.state === 'following' && (
        <div class="muted">
          still to delete: <code>{request.timerange_remaining}</code>
        </div>
      )}
    </div>
  );
}

/**
 * A deletion dialog's buttons: Cancel and the deletion (`label`, disabled while `blocked` or being
 * sent) until it is sent, then Done.
 */
export function DeletionButtons({
  progress,
  label,
  blocked = false,
  onConfirm,
  onClose,
}: {
  progress: DeletionProgress;
  label: string;
  blocked?: boolean;
  onConfirm: () => void;
  onClose: () => void;
}) {
  const asking = progress.state === 'confirm' || progress.state === 'sending';
  return (
    <div class="dialog-buttons">
      {asking ? (
        <>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button
            type="button"
            class="danger"
            disabled={blocked || progress.state === 'sending'}
            onClick={onConfirm}
          >
            {progress.state === 'sending' ? 'Deleting…' : label}
          </button>
        </>
      ) : (
        <button type="button" onClick={onClose}>
          Done
        </button>
      )}
    </div>
  );
}
