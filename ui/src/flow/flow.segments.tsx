import { useState } from 'preact/hooks';
import { isAbort, nextPageKey, tams } from '../api/http.ts';
import type { Segment } from '../api/types.ts';
import { ErrorMessage, ListTable, Loading, useLoad } from '../components/common.tsx';
import { href, withQuery } from '../router.ts';

const PAGE_SIZE = 20;

interface SegmentPage {
  segments: Segment[];
  next?: string;
}

function loadPage(flowId: string, page: string | undefined, signal?: AbortSignal): Promise<SegmentPage> {
  return tams<Segment[]>(`/flows/${encodeURIComponent(flowId)}/segments`, {
    // Without URLs (nothing to presign); with 8.2's object timerange of each segment.
    query: { include_object_timerange: true, accept_get_urls: '', limit: PAGE_SIZE, page },
    signal,
  }).then(({ body, headers }) => ({ segments: body, next: nextPageKey(headers) }));
}

/**
 * The Flow's segments in time order, a page at a time: each with its object (a link to the
 * object's page), `ts_offset`, and 8.2's `object_timerange` (the part of the object it plays is
 * `timerange - ts_offset` within it) and `key_frame_count`.
 */
export function FlowSegments({ flowId }: { flowId: string }) {
  const first = useLoad(flowId, (signal) => loadPage(flowId, undefined, signal));
  const [more, setMore] = useState<{ pages: SegmentPage[]; loading: boolean; error?: unknown }>({
    pages: [],
    loading: false,
  });
  if (first.state === 'loading') return <Loading what="segments" />;
  if (first.state === 'error') return <ErrorMessage error={first.error} />;
  const pages = [first.value, ...more.pages];
  const next = pages.at(-1)?.next;
  const loadMore = () => {
    setMore((m) => ({ ...m, loading: true, error: undefined }));
    loadPage(flowId, next).then(
      (page) => setMore((m) => ({ pages: [...m.pages, page], loading: false })),
      (error) => !isAbort(error) && setMore((m) => ({ ...m, loading: false, error })),
    );
  };
  return (
    <section class="segments">
      <h2>Segments</h2>
      <ListTable
        items={pages.flatMap((p) => p.segments)}
        empty="No segment."
        testid="segments"
        head={
          <>
            <th scope="col">Timerange</th>
            <th scope="col">Object</th>
            <th scope="col" class="wide">
              Offset
            </th>
            <th scope="col" class="wide">
              Object timerange
            </th>
            <th scope="col" class="wide">
              Key frames
            </th>
          </>
        }
        row={(s) => (
          <tr key={s.timerange}>
            <td>
              <code>{s.timerange}</code>
            </td>
            <td class="break">
              <a href={href(withQuery('/objects', { id: s.object_id }))}>
                <code>{s.object_id}</code>
              </a>
            </td>
            <td class="wide">{s.ts_offset && <code>{s.ts_offset}</code>}</td>
            <td class="wide">{s.object_timerange && <code>{s.object_timerange}</code>}</td>
            <td class="wide">{s.key_frame_count}</td>
          </tr>
        )}
      />
      {more.error !== undefined && <ErrorMessage error={more.error} />}
      {next !== undefined && (
        <button type="button" onClick={loadMore} disabled={more.loading}>
          {more.loading ? 'Loading…' : `${PAGE_SIZE} more segments`}
        </button>
      )}
    </section>
  );
}
