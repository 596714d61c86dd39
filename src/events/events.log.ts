import { defaultObjectPath } from '../common/object-ids.ts';
import type { JsonValue } from '../db/db.types.ts';
import { flowDocument } from '../flows/flows.mapper.ts';
import { segmentFields } from '../segments/segments.mapper.ts';
import type { FlowSegment } from '../segments/segments.schemas.ts';
import { sourceDocument } from '../sources/sources.mapper.ts';
import type { NewEvent } from '../store/events.repo.ts';
import type { SegmentRecord } from '../store/segments.repo.ts';
import type { TamsStore } from '../store/store.ts';
import type { FlowRecord } from '../store/store.types.ts';
import type { TimeRange } from '../time/index.ts';

/**
 * Records TAMS events in the outbox of the transaction making the change (DIGEST §10): an event
 * exists exactly when its change committed. Each carries what webhook filters need (ADR 0026):
 * the Flow and Source ids and their `collected_by` at the time.
 */
export class EventLog {
  private readonly pending: NewEvent[] = [];

  constructor(
    private readonly store: TamsStore,
    private readonly now: Date,
  ) {}

  async flowChanged(type: 'flows/created' | 'flows/updated', flow: FlowRecord): Promise<void> {
    this.pending.push({
      ...(await this.flowFilters(flow)),
      event_type: type,
      event_timestamp: this.now,
      payload: { flow: flowDocument(flow) as unknown as JsonValue },
    });
  }

  /** Call before the Flow is gone: the filters need its collections. */
  async flowDeleted(flow: FlowRecord): Promise<void> {
    this.pending.push({
      ...(await this.flowFilters(flow)),
      event_type: 'flows/deleted',
      event_timestamp: this.now,
      payload: { flow_id: flow.id },
    });
  }

  /** Segments as the segments endpoint returns them; get_urls are made per delivery. */
  async segmentsAdded(flow: FlowRecord, segments: readonly SegmentRecord[]): Promise<void> {
    this.pending.push({
      ...(await this.flowFilters(flow)),
      event_type: 'flows/segments_added',
      event_timestamp: this.now,
      payload: { flow_id: flow.id, segments: segments.map(storedSegment) },
    });
  }

  /** `range` must start and end on deleted segments (the envelope of those deleted). */
  async segmentsDeleted(flow: FlowRecord, range: TimeRange): Promise<void> {
    this.pending.push({
      ...(await this.flowFilters(flow)),
      event_type: 'flows/segments_deleted',
      event_timestamp: this.now,
      payload: { flow_id: flow.id, timerange: range.format() },
    });
  }

  async sourceChanged(type: 'sources/created' | 'sources/updated', sourceId: string): Promise<void> {
    const source = await this.store.sources.get(sourceId);
    if (!source) return;
    this.pending.push({
      event_type: type,
      event_timestamp: this.now,
      source_id: sourceId,
      source_collected_by: source.collected_by,
      payload: { source: sourceDocument(source) as unknown as JsonValue },
    });
  }

  /** `collectedBy`: the Source's collected_by before it went. */
  sourceDeleted(sourceId: string, collectedBy: string[]): void {
    this.pending.push({
      event_type: 'sources/deleted',
      event_timestamp: this.now,
      source_id: sourceId,
      source_collected_by: collectedBy,
      payload: { source_id: sourceId },
    });
  }

  /** Writes the recorded events, in order, with one insert. */
  async flush(): Promise<void> {
    const events = this.pending.splice(0);
    await this.store.events.append(events);
  }

  private readonly sourceCollectors = new Map<string, string[]>();

  private async flowFilters(flow: FlowRecord) {
    let sourceCollectedBy = this.sourceCollectors.get(flow.source_id);
    if (sourceCollectedBy === undefined) {
      sourceCollectedBy = (await this.store.sources.collectedBy([flow.source_id])).get(flow.source_id) ?? [];
      this.sourceCollectors.set(flow.source_id, sourceCollectedBy);
    }
    return {
      flow_id: flow.id,
      source_id: flow.source_id,
      flow_collected_by: flow.collected_by,
      source_collected_by: sourceCollectedBy,
    };
  }
}

/**
 * A segment in the outbox: the segments endpoint's fields, plus where its object is (for the
 * controlled get_urls made per delivery; `path` left out when it is the object's default key,
 * see storedStorage) and the client's own URLs.
 */
export type StoredSegment = Omit<FlowSegment, 'get_urls'> & {
  storage?: { id: string; path?: string };
  get_urls?: { url: string; label?: string }[];
};

function storedSegment(s: SegmentRecord): JsonValue {
  const doc: StoredSegment = segmentFields(s);
  if (s.storage) {
    doc.storage =
      s.storage.path === defaultObjectPath(s.flow_id, s.object_id) ? { id: s.storage.id } : s.storage;
  }
  if (s.get_urls) doc.get_urls = s.get_urls;
  return doc as unknown as JsonValue;
}

/** Where a stored segment's object is, its default key made again when it was left out. */
export function storedStorage(flowId: string, s: StoredSegment): { id: string; path: string } | undefined {
  if (s.storage === undefined) return undefined;
  return { id: s.storage.id, path: s.storage.path ?? defaultObjectPath(flowId, s.object_id) };
}
