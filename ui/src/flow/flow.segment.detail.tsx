import { tams } from '../api/http.ts';
import type { GetUrl, Segment } from '../api/types.ts';
import { isClientUrl } from '../api/urls.ts';
import { Await, useLoad } from '../components/common.tsx';
import { MediaUrl } from '../components/urls.tsx';

export interface SegmentDetail {
  urls: GetUrl[];
  /** The object's size in bytes, as its first URL of the store answers (undefined: not known). */
  size?: number;
}

/**
 * The size of the object behind a media URL: a HEAD's Content-Length, else the total of the
 * Content-Range of a one-byte GET (a URL presigned for GET alone, as S3's are, refuses HEAD).
 * Undefined where neither answers (a bucket whose CORS hides the headers, say).
 */
async function sizeAt(url: string, signal: AbortSignal): Promise<number | undefined> {
  try {
    const head = await fetch(url, { method: 'HEAD', signal });
    const length = head.ok ? Number(head.headers.get('content-length') ?? Number.NaN) : Number.NaN;
    if (Number.isFinite(length)) return length;
    const ranged = await fetch(url, { headers: { range: 'bytes=0-0' }, signal });
    const total = /\/(\d+)$/.exec(ranged.headers.get('content-range') ?? '')?.[1];
    await ranged.body?.cancel();
    return total === undefined ? undefined : Number(total);
  } catch (error) {
    if (signal.aborted) throw error;
    return undefined;
  }
}

/**
 * One segment's media URLs (its `get_urls`, presigned now: asked for when the row is opened, not
 * with the list, which would presign every URL of every page) with the storage backend of each,
 * and the object's size read from the first of the store's own: a URL a client registered is
 * never requested by the UI (api/urls.ts), so an object only such URLs reach has no size here.
 */
export async function loadDetail(
  flowId: string,
  segment: Segment,
  signal: AbortSignal,
): Promise<SegmentDetail> {
  const { body } = await tams<Segment[]>(`/flows/${encodeURIComponent(flowId)}/segments`, {
    query: { timerange: segment.timerange, verbose_storage: true, limit: 10 },
    signal,
  });
  const found = body.find((s) => s.object_id === segment.object_id && s.timerange === segment.timerange);
  const urls = found?.get_urls ?? [];
  const first = urls.find((u) => !isClientUrl(u));
  return { urls, size: first ? await sizeAt(first.url, signal) : undefined };
}

/** The opened row of a segment: its URLs with their backends, loaded when opened. */
export function SegmentUrls({
  flowId,
  segment,
  onSize,
}: {
  flowId: string;
  segment: Segment;
  onSize: (bytes: number | undefined) => void;
}) {
  const result = useLoad(`${flowId} ${segment.timerange} ${segment.object_id}`, async (signal) => {
    const detail = await loadDetail(flowId, segment, signal);
    onSize(detail.size);
    return detail;
  });
  return (
    <Await result={result} what="the segment's URLs">
      {(detail) =>
        detail.urls.length === 0 ? (
          <p class="muted">No URL: the object is in no storage backend this server reads.</p>
        ) : (
          <ul class="plain seg-urls" data-testid="segment-urls">
            {detail.urls.map((url) => (
              <li key={`${url.label ?? ''} ${url.url}`}>
                <span class="seg-url-label">{url.label ?? url.storage_id ?? 'URL'}</span>
                {url.presigned ? ' · presigned' : ''}
                {isClientUrl(url) ? ' · registered by a client, not controlled by the store' : ''}
                {' · '}
                <MediaUrl url={url.url} />
              </li>
            ))}
          </ul>
        )
      }
    </Await>
  );
}
