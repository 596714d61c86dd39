import { nextPageKey, tams } from '../api/http.ts';
import type { Segment } from '../api/types.ts';
import { rangeText, type Span, spanOf } from '../time.ts';

/** Segments asked for per page (servers grant up to their maximum, 1,000 by default). */
const PAGE = 1000;
/** Segments drawn at most per view: beyond, the view shows what is loaded and asks to zoom in. */
export const MAX_SEGMENTS = 5000;

export interface LoadedSegments {
  /** In timeline order, as half-open spans. */
  segments: Span[];
  /** Time up to which every segment of the view is loaded (the view's end when complete). */
  loadedUntil: bigint;
  complete: boolean;
}

/**
 * The Flow's segments overlapping `view`, page after page (the TAMS `page` keys), without
 * their media URLs (`accept_get_urls=` spares the server the presigning), up to MAX_SEGMENTS.
 */
export async function loadSegments(flowId: string, view: Span, signal: AbortSignal): Promise<LoadedSegments> {
  const segments: Span[] = [];
  let page: string | undefined;
  do {
    const { body, headers } = await tams<Segment[]>(`/flows/${encodeURIComponent(flowId)}/segments`, {
      query: { timerange: rangeText(view), accept_get_urls: '', limit: PAGE, page },
      signal,
    });
    for (const segment of body) {
      const span = spanOf(segment.timerange);
      if (span) segments.push(span);
    }
    page = nextPageKey(headers);
  } while (page !== undefined && segments.length < MAX_SEGMENTS);
  const complete = page === undefined;
  const last = segments.at(-1);
  return {
    segments,
    complete,
    loadedUntil: complete ? view.end : (last?.end ?? view.start),
  };
}
