import { CELL_MAX_BYTES, inCells, utf8Bytes } from '../common/cells.ts';
import { deepFreeze } from '../common/freeze.ts';
import { defaultObjectPath } from '../common/object-ids.ts';
import type { JsonValue } from '../db/db.types.ts';
import type { EventLog } from '../events/events.log.ts';
import {
  asJson,
  isJsonObject,
  isModelPayload,
  type JsonObject,
  MODEL_FORMAT,
  RecordCodec,
  timerangeCodec,
  timestampCodec,
} from '../events/events.model.ts';
import type { PayloadRenderer } from '../events/events.render.ts';
import type { ApiVersion } from '../http/api.version.ts';
import type { UrlContext } from '../media/media.types.ts';
import type { SegmentRecord, SegmentUrl } from '../store/segments.repo.ts';
import type { FlowRecord } from '../store/store.types.ts';
import type { WebhookFilters } from '../store/webhooks.repo.ts';
import { initUrls, setInitObjects } from './segments.init.ts';
import { type SegmentView, segmentDocument } from './segments.mapper.ts';
import type { FlowSegment } from './segments.schemas.ts';
import type { GetUrlBuilder, GetUrlFilter, PageSegment, SegmentStorage } from './segments.urls.ts';
import type { GetUrlV8 } from './segments.v8.schemas.ts';

/**
 * A segment of flows/segments_added: the store's record, with its object's instances as the
 * registration left them (`get_urls`: the clients' URLs of the object, not only the segment's;
 * `copies`: the copies the server made, ready), so that events list what GET lists; and where
 * its init object is (`init_places`: its storage and instances, 8.2's `init_object.get_urls`
 * are made from them at delivery as GET makes them).
 */
export type EventSegment = SegmentRecord & { copies?: readonly SegmentStorage[]; init_places?: PageSegment };

/**
 * A segment as flows/segments_added keeps it: the store's record, so that each API version's
 * segments are made from it as its GET answers are (segmentDocument, get_urls by GetUrlBuilder).
 * The outbox's other readers (search, EXR, object sizes) read `object_id`, `timerange`,
 * `ts_offset` and `storage` of it: those keep their names and text forms.
 */
const SEGMENT_MODEL = new RecordCodec<EventSegment>({
  object_id: asJson(),
  timerange: timerangeCodec,
  ts_offset: timestampCodec,
  last_duration: timestampCodec,
  sample_offset: asJson(),
  sample_count: asJson(),
  key_frame_count: asJson(),
  // Only where it is not the segment's own range on the object's timeline (SegmentRecord).
  object_timerange: timerangeCodec,
  // 8.2's init object (ADR 0045): its `init_object`, with init_places.
  init_object_id: asJson(),
  // The client's own URLs, as registered (copied: the record's are the registration's).
  get_urls: {
    encode: (urls) => urls.map((u) => ({ ...u })),
    decode: (json) => json as unknown as SegmentUrl[],
  },
  // Where the object's ready copies are (key in full).
  copies: {
    encode: (copies) => copies.map((c) => ({ id: c.id, path: c.path })),
    decode: (json) => json as unknown as SegmentStorage[],
  },
  // The event's: its `flow_id`.
  flow_id: null,
  // Written by storedSegment: its key left out when it is the object's default, and a mark.
  storage: null,
  // Written by storedSegment, its storage's key left out when it is the init object's default.
  init_places: null,
});

/**
 * A stored segment's `storage`: where its object is (`path` left out when it is the object's
 * default key); `first` when this registration used the object for the first time, so the
 * object size follower knows it has no size yet without asking.
 */
type StoredStorage = { id: string; path?: string; first?: true };

function storedSegment(s: EventSegment, first: boolean): JsonValue {
  const doc = SEGMENT_MODEL.encode(s);
  if (s.storage) {
    const { id, path } = s.storage;
    const storage: StoredStorage = path === defaultObjectPath(s.flow_id, s.object_id) ? { id } : { id, path };
    if (first) storage.first = true;
    doc.storage = storage;
  }
  if (s.init_places !== undefined && s.init_object_id !== undefined) {
    doc.init_places = storedPlaces(s.flow_id, s.init_object_id, s.init_places);
  }
  return doc;
}

/**
 * Where a segment's init object is, as a payload keeps it: its storage (the key left out where
 * it is the default for this Flow, as init objects allocated for it have), copies and clients'
 * URLs; `{}` for one nowhere (an event then still says its get_urls are none).
 */
function storedPlaces(flowId: string, initId: string, places: PageSegment): JsonObject {
  const doc: JsonObject = {};
  if (places.storage !== undefined) {
    const { id, path } = places.storage;
    doc.storage = path === defaultObjectPath(flowId, initId) ? { id } : { id, path };
  }
  if (places.copies !== undefined) doc.copies = places.copies.map((c) => ({ id: c.id, path: c.path }));
  if (places.get_urls !== undefined) doc.get_urls = places.get_urls.map((u) => ({ ...u }));
  return doc;
}

/** Where a segment's init object is, from a payload (storedPlaces, undone). */
function placesRecord(flowId: string, initId: string, stored: JsonObject): PageSegment {
  const places: PageSegment = {};
  if (isJsonObject(stored.storage)) {
    const path = stored.storage.path as string | undefined;
    places.storage = { id: stored.storage.id as string, path: path ?? defaultObjectPath(flowId, initId) };
  }
  if (stored.copies !== undefined) places.copies = stored.copies as unknown as SegmentStorage[];
  if (stored.get_urls !== undefined) places.get_urls = stored.get_urls as unknown as SegmentUrl[];
  return places;
}

/**
 * A stored segment as the record it was made from. Segments recorded before the outbox kept the
 * model (7.0's fields, `storage`, the client's URLs) read the same way, without an
 * `object_timerange` of their own.
 */
function segmentRecord(flowId: string, stored: JsonValue): EventSegment {
  const segment = SEGMENT_MODEL.decode(stored) as EventSegment;
  segment.flow_id = flowId;
  const storage = (stored as JsonObject).storage;
  if (isJsonObject(storage)) {
    const id = storage.id as string;
    segment.storage = {
      id,
      path: (storage.path as string | undefined) ?? defaultObjectPath(flowId, segment.object_id),
    };
  }
  const places = (stored as JsonObject).init_places;
  if (isJsonObject(places) && segment.init_object_id !== undefined) {
    segment.init_places = placesRecord(flowId, segment.init_object_id, places);
  }
  return segment;
}

/**
 * flows/segments_added: the segments as the store records them, get_urls aside;
 * `firsts`: the objects this registration used for the first time.
 */
export async function recordSegmentsAdded(
  events: EventLog,
  flow: FlowRecord,
  segments: readonly EventSegment[],
  firsts: ReadonlyMap<string, string>,
): Promise<void> {
  for (const payload of segmentsAddedPayloads(flow.id, segments, firsts)) {
    // Made here of JSON values alone and shared by nothing else: frozen, the outbox's tail keeps
    // it without a copy (store/outbox/events.tail.ts).
    await events.flow('flows/segments_added', flow, deepFreeze(payload));
  }
}

/**
 * The payloads of the flows/segments_added events of one registration, as the outbox keeps them:
 * one, or several in order when the segments do not fit one cell (fittingParts).
 */
export function segmentsAddedPayloads(
  flowId: string,
  segments: readonly EventSegment[],
  firsts: ReadonlyMap<string, string>,
): { model: number; flow_id: string; segments: JsonValue[] }[] {
  const stored = segments.map((s) => storedSegment(s, firsts.get(s.object_id) === s.flow_id));
  return fittingParts(flowId, stored).map((part) => ({
    model: MODEL_FORMAT,
    flow_id: flowId,
    segments: part,
  }));
}

/** Room in an event's payload besides its segments: `{"model":1,"flow_id":"<uuid>","segments":[]}`. */
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
 * What differs per API version in the segments of flows/segments_added, from the subscriber's
 * options as the GET segments route reads its query (segments.api.ts): the fields shown (8.2's
 * `object_timerange` when asked) and the get_urls filter.
 */
interface SegmentEventsApi {
  /** `legacy`: a payload recorded before the outbox kept the model. */
  view(options: WebhookFilters, legacy: boolean): SegmentView;
  urls(options: WebhookFilters): GetUrlFilter;
}

/** The get_urls options both versions have (accept_get_urls, accept_storage_ids, presigned, verbose_storage). */
function getUrlFilter(options: WebhookFilters): GetUrlFilter {
  return {
    verbose: options.verbose_storage ?? false,
    labels: options.accept_get_urls === undefined ? undefined : new Set(options.accept_get_urls),
    storageIds: options.accept_storage_ids === undefined ? undefined : new Set(options.accept_storage_ids),
    presigned: options.presigned,
  };
}

const PLAIN: SegmentView = {};
const WITH_INIT: SegmentView = { initObject: true };
const WITH_OBJECT_TIMERANGE: SegmentView = { objectTimerange: true, initObject: true };

const SEGMENT_EVENTS: Record<ApiVersion, SegmentEventsApi> = {
  '7.0': { view: () => PLAIN, urls: getUrlFilter },
  '8.2': {
    // A payload recorded before objects had timeranges cannot tell a segment's object's (one
    // re-used from another segment may differ from its own range): left out rather than guessed.
    view: (options, legacy) =>
      options.include_object_timerange === true && !legacy ? WITH_OBJECT_TIMERANGE : WITH_INIT,
    // As getUrlFilter82: verbose items carry their backend's tags.
    urls: (options) => ({ ...getUrlFilter(options), tags: true }),
  },
};

/**
 * The `event` of flows/segments_added for subscribers of `version`: each segment as that
 * version's GET /flows/{id}/segments answers it, its get_urls made at each delivery, shaped by
 * the subscriber's own options (DIGEST §10.1); `ctx`: where the media URLs point (the server's
 * public URL). Made as SegmentsService.list makes a page (buildMany over the records, then
 * segmentDocument with the version's view), so what the GET answers gain reaches events the
 * same way: a field of SegmentRecord is kept by SEGMENT_MODEL (a type error until it says how),
 * a per-version option of the get_urls or of the fields goes in SEGMENT_EVENTS.
 */
export function segmentsAddedRenderer(
  urls: GetUrlBuilder,
  ctx: () => UrlContext,
  version: ApiVersion,
): PayloadRenderer {
  const api = SEGMENT_EVENTS[version];
  return (payload, options) => {
    const { flow_id, segments } = payload as { flow_id: string; segments: JsonValue[] };
    const records = segments.map((s) => segmentRecord(flow_id, s));
    const view = api.view(options, !isModelPayload(payload));
    const filter = api.urls(options);
    const at = ctx();
    const made = urls.buildMany(records, filter, at);
    const docs = records.map((s, i) => segmentDocument(s, made[i] as FlowSegment['get_urls'], view));
    if (view.initObject) setInitObjects(records, docs, initUrlsOf(records, urls, filter, at));
    return { flow_id, segments: docs as unknown as JsonValue };
  };
}

/**
 * The get_urls of the init objects of a payload's segments, as setInitObjects reads them: made
 * once per init object from where the registration found it; none said (undefined) for a
 * segment recorded before payloads kept where its init object is.
 */
function initUrlsOf(
  records: readonly EventSegment[],
  builder: GetUrlBuilder,
  filter: GetUrlFilter,
  ctx: UrlContext,
): (id: string, at: number) => GetUrlV8[] | undefined {
  const places = new Map<string, PageSegment>();
  for (const s of records) {
    if (s.init_object_id !== undefined && s.init_places !== undefined && !places.has(s.init_object_id)) {
      places.set(s.init_object_id, s.init_places);
    }
  }
  const made = places.size === 0 ? new Map<string, GetUrlV8[]>() : initUrls(builder, places, filter, ctx);
  return (id, at) => (records[at]?.init_places === undefined ? undefined : made.get(id));
}
