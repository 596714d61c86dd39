import { CELL_MAX_BYTES, inCells, utf8Bytes } from '../common/cells.ts';
import { deepFreeze } from '../common/freeze.ts';
import { defaultObjectPath } from '../common/object-ids.ts';
import type { JsonValue } from '../db/db.types.ts';
import type { EventLog } from '../events/events.log.ts';
import type { PayloadRenderer } from '../events/events.render.ts';
import type { UrlContext } from '../media/media.types.ts';
import type { SegmentRecord } from '../store/segments.repo.ts';
import type { FlowRecord } from '../store/store.types.ts';
import { segmentFields } from './segments.mapper.ts';
import type { FlowSegment } from './segments.schemas.ts';
import type { GetUrlBuilder } from './segments.urls.ts';

/**
 * A segment in the outbox: the segments endpoint's fields, plus where its object is (for the
 * controlled get_urls made per delivery; `path` left out when it is the object's default key,
 * see storedStorage; `first` when this registration used the object for the first time, so the
 * object size follower knows it has no size yet without asking) and the client's own URLs.
 */
type StoredSegment = Omit<FlowSegment, 'get_urls'> & {
  storage?: { id: string; path?: string; first?: true };
  get_urls?: { url: string; label?: string }[];
};

function storedSegment(s: SegmentRecord, first: boolean): JsonValue {
  const doc: StoredSegment = segmentFields(s);
  if (s.storage) {
    const { id, path } = s.storage;
    doc.storage = path === defaultObjectPath(s.flow_id, s.object_id) ? { id } : { id, path };
    if (first) doc.storage.first = true;
  }
  if (s.get_urls) doc.get_urls = s.get_urls.map((u) => ({ ...u }));
  return doc as unknown as JsonValue;
}

/** Where a stored segment's object is, its default key made again when it was left out. */
function storedStorage(flowId: string, s: StoredSegment): { id: string; path: string } | undefined {
  if (s.storage === undefined) return undefined;
  return { id: s.storage.id, path: s.storage.path ?? defaultObjectPath(flowId, s.object_id) };
}

/**
 * flows/segments_added: the segments as the segments endpoint returns them, get_urls aside;
 * `firsts`: the objects this registration used for the first time.
 */
export async function recordSegmentsAdded(
  events: EventLog,
  flow: FlowRecord,
  segments: readonly SegmentRecord[],
  firsts: ReadonlyMap<string, string>,
): Promise<void> {
  for (const payload of segmentsAddedPayloads(flow.id, segments, firsts)) {
    // Made here of JSON values alone and shared by nothing else: frozen, the outbox's tail keeps
    // it without a copy (events.tail.ts).
    await events.flow('flows/segments_added', flow, deepFreeze(payload));
  }
}

/**
 * The payloads of the flows/segments_added events of one registration, as the outbox keeps them:
 * one, or several in order when the segments do not fit one cell (fittingParts).
 */
export function segmentsAddedPayloads(
  flowId: string,
  segments: readonly SegmentRecord[],
  firsts: ReadonlyMap<string, string>,
): { flow_id: string; segments: JsonValue[] }[] {
  const stored = segments.map((s) => storedSegment(s, firsts.get(s.object_id) === s.flow_id));
  return fittingParts(flowId, stored).map((part) => ({ flow_id: flowId, segments: part }));
}

/** Room in an event's payload besides its segments: `{"flow_id":"<uuid>","segments":[]}`. */
const PAYLOAD_FRAME_BYTES = 128;

/**
 * The segments of one registration in as few events as keep each payload within one cell
 * (CELL_MAX_BYTES): one event in all but bulk registrations of hundreds of segments, whose
 * segments then come in several flows/segments_added events, in order. Each segment fits on its
 * own (parseSegment refuses one that does not).
 */
function fittingParts(flowId: string, stored: JsonValue[]): JsonValue[][] {
  return inCells(stored, CELL_MAX_BYTES - PAYLOAD_FRAME_BYTES - utf8Bytes(flowId));
}

/**
 * The get_urls of flows/segments_added, made at each delivery, shaped by the subscriber's own
 * accept_get_urls / accept_storage_ids / presigned / verbose_storage (DIGEST §10.1); `ctx`: where
 * the media URLs point (the server's public URL).
 */
export function segmentsAddedRenderer(urls: GetUrlBuilder, ctx: () => UrlContext): PayloadRenderer {
  return (payload, options) => {
    const { flow_id, segments } = payload as { flow_id: string; segments: StoredSegment[] };
    const filter = {
      verbose: options.verbose_storage ?? false,
      labels: options.accept_get_urls === undefined ? undefined : new Set(options.accept_get_urls),
      storageIds: options.accept_storage_ids === undefined ? undefined : new Set(options.accept_storage_ids),
      presigned: options.presigned,
    };
    const made = urls.buildMany(
      segments.map((s) => ({ storage: storedStorage(flow_id, s), get_urls: s.get_urls })),
      filter,
      ctx(),
    );
    return {
      flow_id,
      segments: segments.map(({ storage: _storage, get_urls: _urls, ...fields }, i) => ({
        ...fields,
        get_urls: made[i],
      })) as unknown as JsonValue,
    };
  };
}
