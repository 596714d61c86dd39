import { defaultObjectPath } from '../common/object-ids.ts';
import type { WorkerLog } from '../common/worker.ts';
import type { MediaRegistry } from '../media/media.registry.ts';
import type { OutboxEvent } from '../store/events.repo.ts';
import type { FlowLookup } from '../store/flows.lookup.ts';
import type { SearchJob, TranscriptRecord } from '../store/search/search.transcripts.repo.ts';
import type { SegmentRecord } from '../store/segments.repo.ts';
import type { TamsStore } from '../store/store.ts';
import type { FlowRecord } from '../store/store.types.ts';
import { parseTimeRange, parseTimestamp } from '../time/index.ts';
import {
  captionDocs,
  type DocDraft,
  flowDoc,
  flowKey,
  sourceDoc,
  sourceKey,
  transcriptKeyPrefix,
} from './search.extract.ts';
import { parseTimedText, timedTextKind } from './timedtext/timedtext.parse.ts';
import { TIMED_TEXT_LIMITS, TimedTextError } from './timedtext/timedtext.types.ts';

/** What removes documents: resolved to document rows inside the indexer's transaction. */
export type Removal =
  | { kind: 'keys'; keys: string[] }
  | { kind: 'flow'; flowId: string }
  | { kind: 'segment'; flowId: string; segStart: bigint; objectId: string }
  | { kind: 'transcript'; transcriptId: string };

/**
 * One indexer batch's changes, in event order: removals first hit the documents already indexed,
 * then the additions left (an addition a later event of the batch removed never gets written).
 */
export class IndexPlan {
  readonly removals: Removal[] = [];
  readonly additions = new Map<string, DocDraft>();
  /** Flows deleted in the batch: their transcripts go too. */
  readonly deletedFlows = new Set<string>();
  /** Timed-text objects that could not be read or parsed (logged, counted in metrics). */
  failures = 0;
  /** Cues outside their segment's timerange. */
  outside = 0;

  remove(removal: Removal): void {
    this.removals.push(removal);
    for (const [key, doc] of this.additions) {
      if (dropped(removal, key, doc)) this.additions.delete(key);
    }
  }

  add(doc: DocDraft): void {
    this.additions.set(doc.doc_key, doc);
  }
}

function dropped(removal: Removal, key: string, doc: DocDraft): boolean {
  switch (removal.kind) {
    case 'keys':
      return removal.keys.includes(key);
    case 'flow':
      return doc.flow_id === removal.flowId;
    case 'segment':
      return (
        doc.kind === 'caption' &&
        doc.flow_id === removal.flowId &&
        doc.seg_start === removal.segStart &&
        doc.object_id === removal.objectId
      );
    case 'transcript':
      return doc.transcript_id === removal.transcriptId;
  }
}

export interface PlanDeps {
  store: TamsStore;
  media: MediaRegistry;
  log: WorkerLog;
}

/** Whether a Flow carries timed text (captions, subtitles, transcripts) the index reads. */
export function isTimedTextFlow(flow: FlowRecord): boolean {
  if (flow.format !== 'urn:x-nmos:format:data') return false;
  return timedTextKind({ codec: flow.codec }) || timedTextKind({ contentType: flow.container });
}

/**
 * Adds what the events of a batch change to `plan`, in order; segments added are planned against
 * the Flows `flows` read when the batch's payloads were chosen.
 */
export async function planEvents(
  deps: PlanDeps,
  flows: FlowLookup,
  events: readonly OutboxEvent[],
  plan: IndexPlan,
): Promise<void> {
  const { store } = deps;
  for (const event of events) {
    switch (event.event_type) {
      case 'flows/created':
      case 'flows/updated': {
        const flow = event.flow_id === undefined ? null : await store.flows.get(event.flow_id);
        // Gone since: the flows/deleted event that follows removes it.
        if (flow !== null) {
          plan.remove({ kind: 'keys', keys: [flowKey(flow.id)] });
          plan.add(flowDoc(flow));
        }
        break;
      }
      case 'flows/deleted':
        if (event.flow_id !== undefined) {
          plan.remove({ kind: 'flow', flowId: event.flow_id });
          plan.deletedFlows.add(event.flow_id);
        }
        break;
      case 'sources/created':
      case 'sources/updated': {
        const source = event.source_id === undefined ? null : await store.sources.get(event.source_id);
        if (source !== null) {
          plan.remove({ kind: 'keys', keys: [sourceKey(source.id)] });
          plan.add(sourceDoc(source));
        }
        break;
      }
      case 'sources/deleted':
        if (event.source_id !== undefined) plan.remove({ kind: 'keys', keys: [sourceKey(event.source_id)] });
        break;
      case 'flows/segments_added':
        await planSegmentsAdded(deps, flows, event, plan);
        break;
      case 'flows/segments_deleted':
        await planSegmentsDeleted(deps, event, plan);
        break;
    }
  }
}

interface StoredSegment {
  object_id: string;
  timerange: string;
  ts_offset?: string;
  storage?: { id: string; path?: string };
}

async function planSegmentsAdded(
  deps: PlanDeps,
  flows: FlowLookup,
  event: OutboxEvent,
  plan: IndexPlan,
): Promise<void> {
  const flowId = event.flow_id;
  if (flowId === undefined) return;
  // Checked on the Flow as held (no copy) before it is read for the plan.
  if (!(await flows.is(flowId, isTimedTextFlow))) return;
  const flow = await flows.get(flowId);
  if (flow === null) return;
  // Null when the Flow was not timed text as the batch was read (EventsRepo.afterSome).
  const payload = event.payload as { segments?: StoredSegment[] } | null;
  for (const stored of payload?.segments ?? []) {
    const segment: SegmentRecord = {
      flow_id: flowId,
      object_id: stored.object_id,
      timerange: parseTimeRange(stored.timerange),
      ...(stored.ts_offset !== undefined && { ts_offset: parseTimestamp(stored.ts_offset) }),
      ...(stored.storage !== undefined && {
        storage: {
          id: stored.storage.id,
          path: stored.storage.path ?? defaultObjectPath(flowId, stored.object_id),
        },
      }),
    };
    await planSegment(deps, flow, segment, plan);
  }
}

/** The caption documents of one segment of a timed-text Flow (replacing any it had). */
export async function planSegment(
  deps: PlanDeps,
  flow: FlowRecord,
  segment: SegmentRecord,
  plan: IndexPlan,
): Promise<void> {
  const segStart = segment.timerange.start ?? 0n;
  plan.remove({ kind: 'segment', flowId: flow.id, segStart, objectId: segment.object_id });
  const cues = await readCues(deps, flow, segment);
  if (cues === undefined) {
    plan.failures++;
    return;
  }
  const { docs, outside } = captionDocs(flow, segment, cues);
  plan.outside += outside;
  for (const doc of docs) plan.add(doc);
}

async function readCues(deps: PlanDeps, flow: FlowRecord, segment: SegmentRecord) {
  const where = { flow_id: flow.id, object_id: segment.object_id };
  const backend = segment.storage ? deps.media.get(segment.storage.id) : undefined;
  if (backend === undefined || segment.storage === undefined) {
    deps.log.warn(where, "search: a timed-text object outside the store's backends is not indexed");
    return undefined;
  }
  try {
    const read = await backend.read(segment.storage.path, {
      offset: 0,
      length: TIMED_TEXT_LIMITS.maxBytes + 1,
    });
    if (read === null) {
      deps.log.warn(where, 'search: the timed-text object is missing from its backend');
      return undefined;
    }
    if (read.size > TIMED_TEXT_LIMITS.maxBytes) {
      deps.log.warn({ ...where, size: read.size }, 'search: the timed-text object is too large to index');
      return undefined;
    }
    return parseTimedText(read.bytes, { codec: flow.codec, contentType: flow.container ?? read.contentType })
      .cues;
  } catch (error) {
    if (error instanceof TimedTextError) {
      deps.log.warn({ ...where, reason: error.message }, 'search: the timed-text object could not be parsed');
      return undefined;
    }
    throw error;
  }
}

/**
 * Caption documents of segments that are gone. The event's timerange spans the deleted segments,
 * but may also span segments that stay (a deletion of one object's segments): only documents
 * whose segment no longer exists go. One re-registered since is kept, and its own event, later in
 * the outbox, replaces its documents.
 */
async function planSegmentsDeleted(deps: PlanDeps, event: OutboxEvent, plan: IndexPlan): Promise<void> {
  const flowId = event.flow_id;
  const payload = event.payload as { timerange?: string };
  if (flowId === undefined || payload.timerange === undefined) return;
  const range = parseTimeRange(payload.timerange);
  if (range.isEmpty()) return;
  const docs = await deps.store.search.docs.captionsOfSegments(flowId, range.start, range.end);
  const segments = new Map<string, { segStart: bigint; objectId: string }>();
  for (const d of docs) {
    if (d.seg_start !== undefined && d.object_id !== undefined) {
      segments.set(`${d.seg_start}:${d.object_id}`, { segStart: d.seg_start, objectId: d.object_id });
    }
  }
  if (segments.size === 0) return;
  const live = await deps.store.segments.overlapping(flowId, range);
  const present = new Set(live.map((s) => `${s.timerange.start}:${s.object_id}`));
  for (const [key, s] of segments) {
    if (!present.has(key)) plan.remove({ kind: 'segment', flowId, ...s });
  }
}

/** A transcript job: an ACTIVE version's cues indexed, or a version's documents removed. */
export async function planJob(store: TamsStore, job: SearchJob, plan: IndexPlan): Promise<void> {
  plan.remove({ kind: 'transcript', transcriptId: job.transcript_id });
  if (job.kind !== 'index-transcript') return;
  const transcript = await store.search.transcripts.get(job.transcript_id);
  if (transcript?.status !== 'ACTIVE') return;
  const flow = await store.flows.get(transcript.flow_id);
  if (flow === null) return;
  for (const doc of await transcriptDocs(store, flow, transcript)) plan.add(doc);
}

async function transcriptDocs(
  store: TamsStore,
  flow: FlowRecord,
  transcript: TranscriptRecord,
): Promise<DocDraft[]> {
  const prefix = transcriptKeyPrefix(transcript.id);
  return (await store.search.transcripts.cues(transcript.id))
    .filter((c) => c.time_end > c.time_start && c.text.trim() !== '')
    .map((c) => ({
      doc_key: `${prefix}${c.n}`,
      kind: 'transcript' as const,
      flow_id: flow.id,
      source_id: flow.source_id,
      format: flow.format,
      ...(flow.codec !== undefined && { codec: flow.codec }),
      time_start: c.time_start,
      time_end: c.time_end,
      transcript_id: transcript.id,
      ...(c.speaker !== undefined && { speaker: c.speaker }),
      text: c.text,
    }));
}
