import type { SegmentPostBody } from '../segments/segments.objects.ts';
import { parseTimeRange, type TimeRange } from '../time/index.ts';
import type { NeededObject } from './replication.media.ts';
import type { MediaMode } from './store/replication.jobs.repo.ts';

/** A URL of an origin segment (7.0 gives url and label; 8.2 adds presigned, controlled, storage). */
export interface OriginUrl {
  url: string;
  label?: string;
  presigned?: boolean;
}

/** A segment as the origin's GET /flows/{id}/segments answers it (either version). */
export interface OriginSegment {
  object_id: string;
  timerange: string;
  ts_offset?: string;
  last_duration?: string;
  sample_offset?: number;
  sample_count?: number;
  key_frame_count?: number;
  object_timerange?: string;
  get_urls?: OriginUrl[];
  init_object?: { object_id: string; get_urls?: OriginUrl[] };
}

/**
 * The origin's URLs a registration carries: none (media by copy), all (by reference, an object
 * new here), or the lasting ones alone (by reference, an object this store holds already: they
 * are the same at every read, so naming them again changes nothing, where a presigned URL, signed
 * afresh at each read, would be another URL under the same label).
 */
export type CarriedUrls = 'none' | 'all' | 'lasting';

/** The fields a segment carries from store to store, every one of either version. */
const CARRIED = [
  'ts_offset',
  'last_duration',
  'sample_offset',
  'sample_count',
  'key_frame_count',
  'object_timerange',
] as const;

/**
 * The body registering an origin segment here (through 8.2, the richer model): every field it
 * has; its init object named; by reference, the origin's URLs as this store's uncontrolled
 * instances of the object, the presigned ones first (any reader may use them, until they
 * expire), then those the origin says are not presigned (they last, but a reader needs the
 * origin's credentials for them). Their labels name the origin
 * (`<host:port>/<its label>`): an origin's backend label may be one of this store's (two servers
 * on default settings share theirs), and 8.2 refuses a URL labelled as a backend here.
 */
export function postBodyOf(segment: OriginSegment, urls: CarriedUrls, originHost: string): SegmentPostBody {
  const body: SegmentPostBody = { object_id: segment.object_id, timerange: segment.timerange };
  for (const name of CARRIED) {
    const value = segment[name];
    if (value !== undefined) Object.assign(body, { [name]: value });
  }
  if (segment.init_object !== undefined) body.init_object_id = segment.init_object.object_id;
  if (urls !== 'none') {
    const carried = referenceUrls(segment.get_urls ?? [], urls);
    if (carried.length > 0)
      body.get_urls = carried.map((u, i) => ({ url: u.url, label: `${originHost}/${u.label ?? i + 1}` }));
  }
  return body;
}

function referenceUrls(urls: readonly OriginUrl[], carried: CarriedUrls): OriginUrl[] {
  const lasting = urls.filter((u) => u.presigned === false);
  const chosen = carried === 'lasting' ? lasting : [...urls.filter((u) => u.presigned !== false), ...lasting];
  const labels = new Set<string>();
  // 8.2 refuses two URLs of one label: the first of each is kept.
  return chosen.filter((u) => {
    if (u.label === undefined) return true;
    if (labels.has(u.label)) return false;
    labels.add(u.label);
    return true;
  });
}

/** The objects a page needs here before its segments are registered: each once. */
export function neededObjects(segments: readonly OriginSegment[], media: MediaMode): NeededObject[] {
  const needed = new Map<string, NeededObject>();
  for (const s of segments) {
    if (s.init_object !== undefined && !needed.has(s.init_object.object_id))
      needed.set(s.init_object.object_id, {
        id: s.init_object.object_id,
        urls: urlsOf(s.init_object.get_urls),
      });
    if (media === 'copy' && !needed.has(s.object_id))
      needed.set(s.object_id, { id: s.object_id, urls: urlsOf(s.get_urls) });
  }
  return [...needed.values()];
}

/** Presigned URLs first: they need no credentials, and are what the origin prefers clients use. */
function urlsOf(urls: readonly OriginUrl[] | undefined): string[] {
  const list = urls ?? [];
  return [...list.filter((u) => u.presigned !== false), ...list.filter((u) => u.presigned === false)].map(
    (u) => u.url,
  );
}

/** The segment's timerange; a segment the origin gave with a malformed one is refused here. */
export function rangeOf(segment: OriginSegment): TimeRange {
  return parseTimeRange(segment.timerange);
}
