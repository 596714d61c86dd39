import { useEffect, useState } from 'preact/hooks';
import { isAbort, nextPageKey, tams } from '../api/http.ts';
import type { DeletionRequest, Segment } from '../api/types.ts';
import { durationText, rangeText, type Span, spanOf, tamsTimestamp, utcText } from '../time.ts';
import { DeletionButtons, DeletionStatus, useDeletion } from './deletion.follow.tsx';
import { Dialog, Failure } from './dialog.tsx';
import { type RangeSegments, spanAcross, splitByCover } from './segments.delete.model.ts';

const PAGE = 1000;
/** Pages read at most for the confirmation: beyond, it says "more than". */
const MAX_PAGES = 10;

interface Listed extends RangeSegments {
  /** More segments overlap the range than were read. */
  more: boolean;
}

/** The segments overlapping `range`, page after page without media URLs, sorted by cover. */
async function listRange(flowId: string, range: Span, signal: AbortSignal): Promise<Listed> {
  const segments: { timerange: string; span: Span | undefined }[] = [];
  let page: string | undefined;
  let pages = 0;
  do {
    const { body, headers } = await tams<Segment[]>(`/flows/${encodeURIComponent(flowId)}/segments`, {
      query: { timerange: rangeText(range), accept_get_urls: '', limit: PAGE, page },
      signal,
    });
    for (const s of body) segments.push({ timerange: s.timerange, span: spanOf(s.timerange) });
    page = nextPageKey(headers);
    pages++;
  } while (page !== undefined && pages < MAX_PAGES);
  return { ...splitByCover(range, segments), more: page !== undefined };
}

const plural = (n: number, more = false) =>
  `${more ? 'more than ' : ''}${n.toLocaleString('en')} segment${n === 1 && !more ? '' : 's'}`;

function SpanText({ span }: { span: Span }) {
  return (
    <>
      {utcText(span.start)} → {utcText(span.end)} UTC ({durationText(span.end - span.start)})
    </>
  );
}

/**
 * Deletes the segments of a Flow that a timerange wholly covers, after listing what goes (how
 * many, from when to when) and, apart, the segments at its ends that it covers only in part and
 * that therefore stay, as TAMS deletes only whole segments. A deletion the server finishes in the
 * background (202, a deletion request) is followed until done.
 */
export function DeleteSegmentsDialog({
  flowId,
  range,
  onClose,
  onDeleted,
}: {
  flowId: string;
  range: Span;
  onClose: () => void;
  onDeleted: () => void;
}) {
  const [listed, setListed] = useState<Listed | { error: unknown }>();
  const { progress, send } = useDeletion(onDeleted);
  useEffect(() => {
    const controller = new AbortController();
    listRange(flowId, range, controller.signal).then(
      setListed,
      (error) => !isAbort(error) && setListed({ error }),
    );
    return () => controller.abort();
  }, [flowId, range.start, range.end]);

  const timerange = rangeText(range);
  const onConfirm = () =>
    send(async () => {
      const { body } = await tams<DeletionRequest | undefined>(
        `/flows/${encodeURIComponent(flowId)}/segments`,
        { method: 'DELETE', query: { timerange } },
      );
      return body;
    });

  const ready = listed !== undefined && !('error' in listed);
  const going = ready ? listed.going : [];
  const across = spanAcross(going);
  const nothing = ready && going.length === 0 && !listed.more;
  return (
    <Dialog title="Delete segments" onClose={onClose} testid="segments-delete-dialog">
      <div class="write-form">
        <p>
          The range <code>{timerange}</code>: <SpanText span={range} />
        </p>
        {listed === undefined ? (
          <p class="muted">Listing the segments in the range…</p>
        ) : 'error' in listed ? (
          <Failure error={listed.error} doing="Listing the segments" />
        ) : (
          <>
            {nothing ? (
              <p data-testid="segments-going">
                No segment lies wholly inside the range: nothing would be deleted.
              </p>
            ) : (
              <>
                <p>This deletes, and cannot be undone:</p>
                <ul>
                  <li
                    data-testid="segments-going"
                    data-count={going.length}
                    data-start={across && tamsTimestamp(across.start)}
                    data-end={across && tamsTimestamp(across.end)}
                  >
                    {plural(going.length, listed.more)} wholly inside the range
                    {across && (
                      <>
                        , from <SpanText span={across} />
                      </>
                    )}
                  </li>
                  <li>the media objects of those segments that no other segment uses</li>
                </ul>
              </>
            )}
            {listed.staying.length > 0 && (
              <div data-testid="segments-staying">
                <p>
                  {listed.staying.length === 1 ? 'This segment stays' : 'These segments stay'}: the range
                  covers {listed.staying.length === 1 ? 'it' : 'them'} only in part, and only whole segments
                  are deleted.
                </p>
                <ul>
                  {listed.staying.map((s) => (
                    <li key={s.timerange} data-timerange={s.timerange}>
                      <code>{s.timerange}</code>
                      {s.span && (
                        <>
                          {' '}
                          <SpanText span={s.span} />
                        </>
                      )}
                    </li>
                  ))}
                </ul>
              </div>
            )}
          </>
        )}
        <DeletionStatus progress={progress} />
        {progress.state === 'done' && (
          <p role="status" data-testid="segments-deleted">
            The segments have been deleted.
          </p>
        )}
        {progress.state === 'failed' && <Failure error={progress.error} doing="Deleting the segments" />}
        <DeletionButtons
          progress={progress}
          label={`Delete ${going.length === 0 ? 'the segments' : plural(going.length, ready && listed.more)}`}
          blocked={!ready || nothing}
          onConfirm={onConfirm}
          onClose={onClose}
        />
      </div>
    </Dialog>
  );
}
