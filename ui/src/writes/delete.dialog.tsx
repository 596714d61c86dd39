import { useEffect, useState } from 'preact/hooks';
import { isAbort, nextPageKey, tams } from '../api/http.ts';
import type { DeletionRequest, Flow, Segment } from '../api/types.ts';
import { href, withQuery } from '../router.ts';
import { durationText, spanOf, utcText } from '../time.ts';
import { DeletionButtons, DeletionStatus, useDeletion } from './deletion.follow.tsx';
import { Dialog, Failure } from './dialog.tsx';

/** Segments counted for the confirmation at most: beyond, it says "more than". */
const COUNT_PAGES = 10;
const PAGE = 1000;

interface Count {
  segments: number;
  more: boolean;
}

/** The Flow's segments, page after page without media URLs, up to COUNT_PAGES pages. */
async function countSegments(flowId: string, signal: AbortSignal): Promise<Count> {
  let segments = 0;
  let page: string | undefined;
  let pages = 0;
  do {
    const { body, headers } = await tams<Segment[]>(`/flows/${encodeURIComponent(flowId)}/segments`, {
      query: { accept_get_urls: '', limit: PAGE, page },
      signal,
    });
    segments += body.length;
    page = nextPageKey(headers);
    pages++;
  } while (page !== undefined && pages < COUNT_PAGES);
  return { segments, more: page !== undefined };
}

/**
 * Deletes a Flow after saying what goes: its segments (counted), the timerange they cover, and
 * the collections it leaves. A deletion the server finishes in the background (202 and a Flow
 * delete request) is followed here, reading the request again until it is done or failed.
 */
export function DeleteFlowDialog({
  flow,
  onClose,
  onDeleted,
}: {
  flow: Flow;
  onClose: () => void;
  onDeleted: () => void;
}) {
  const [count, setCount] = useState<Count | { error: unknown }>();
  const { progress, send } = useDeletion(onDeleted);
  useEffect(() => {
    const controller = new AbortController();
    countSegments(flow.id, controller.signal).then(
      setCount,
      (error) => !isAbort(error) && setCount({ error }),
    );
    return () => controller.abort();
  }, [flow.id]);

  const onConfirm = () =>
    send(async () => {
      const { body } = await tams<DeletionRequest | undefined>(`/flows/${encodeURIComponent(flow.id)}`, {
        method: 'DELETE',
      });
      return body;
    });

  const span = spanOf(flow.timerange);
  return (
    <Dialog title={`Delete Flow ${flow.label || flow.id}`} onClose={onClose} testid="delete-dialog">
      <div class="write-form">
        <p>This deletes, and cannot be undone:</p>
        <ul data-testid="delete-summary">
          <li>
            the Flow <code>{flow.id}</code>
            {flow.label ? ` (${flow.label})` : ''}
          </li>
          <li data-testid="delete-count">
            {count === undefined
              ? 'its segments (counting…)'
              : 'error' in count
                ? 'its segments (they could not be counted)'
                : `${count.more ? 'more than ' : ''}${count.segments.toLocaleString('en')} segment${count.segments === 1 && !count.more ? '' : 's'}`}
          </li>
          <li data-testid="delete-timerange">
            {span ? (
              <>
                covering <code>{flow.timerange}</code>: {utcText(span.start)} → {utcText(span.end)} UTC (
                {durationText(span.end - span.start)})
              </>
            ) : (
              'no timerange: the Flow has no segments'
            )}
          </li>
          <li>the media objects of those segments that no other Flow uses</li>
          {flow.collected_by && flow.collected_by.length > 0 && (
            <li>
              its place in {flow.collected_by.length} Flow collection
              {flow.collected_by.length === 1 ? '' : 's'}
            </li>
          )}
        </ul>
        <DeletionStatus progress={progress} />
        {progress.state === 'done' && (
          <p role="status" data-testid="deleted">
            The Flow has been deleted.{' '}
            <a href={href(withQuery('/flows', { source_id: flow.source_id }))}>Flows of its Source</a>
          </p>
        )}
        {progress.state === 'failed' && <Failure error={progress.error} doing="Deleting the Flow" />}
        <DeletionButtons
          progress={progress}
          label="Delete the Flow"
          onConfirm={onConfirm}
          onClose={onClose}
        />
      </div>
    </Dialog>
  );
}
