import { defaultObjectPath } from '../../common/object-ids.ts';
import type { FlowLookup } from '../../store/flows.lookup.ts';
import type { OutboxEvent } from '../../store/outbox/events.repo.ts';
import type { SegmentRecord } from '../../store/segments.repo.ts';
import type { FlowRecord } from '../../store/store.types.ts';
import { formatTimestamp, parseTimeRange, parseTimestamp } from '../../time/index.ts';
import { searchRepos } from '../store/search.repos.ts';
import { parseTimedText, timedTextKind } from '../timedtext/timedtext.parse.ts';
import { TIMED_TEXT_LIMITS, type TimedCue } from '../timedtext/timedtext.types.ts';
import { captionDocs } from './search.extract.ts';
import { ItemFailure, isTransient, reasonOf, TransientFailure } from './search.failure.ts';
import type { IndexPlan, ItemNote, PlanDeps } from './search.indexplan.ts';

/** The timed text of data Flows in the index: which segments are read, and how. */

/** Whether a Flow carries timed text (captions, subtitles, transcripts) the index reads. */
export function isTimedTextFlow(flow: FlowRecord): boolean {
  if (flow.format !== 'urn:x-nmos:format:data') return false;
  return timedTextKind({ codec: flow.codec }) || timedTextKind({ contentType: flow.container });
}

interface StoredSegment {
  object_id: string;
  timerange: string;
  ts_offset?: string;
  storage?: { id: string; path?: string };
}

/** How many segments a flows/segments_added event carries (0 when its payload was not read). */
export function addedCount(event: OutboxEvent): number {
  if (event.event_type !== 'flows/segments_added') return 0;
  return (event.payload as { segments?: unknown[] } | null)?.segments?.length ?? 0;
}

/**
 * The segments a flows/segments_added event carries; none when its payload was not read (the
 * Flow was not timed text as the batch was read: EventsRepo.afterSome).
 */
export function addedSegments(event: OutboxEvent): SegmentRecord[] {
  const flowId = event.flow_id;
  const payload = event.payload as { segments?: StoredSegment[] } | null;
  if (flowId === undefined || event.event_type !== 'flows/segments_added') return [];
  return (payload?.segments ?? []).map((stored) => ({
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
  }));
}

/**
 * The segments an event added to a timed-text Flow, or only its segment number `only` (Recovery
 * takes the segments of an event one at a time when the event failed: search.retry.ts).
 */
export async function planSegmentsAdded(
  deps: PlanDeps,
  flows: FlowLookup,
  event: OutboxEvent,
  plan: IndexPlan,
  only?: number,
): Promise<void> {
  const flowId = event.flow_id;
  if (flowId === undefined) return;
  // Checked on the Flow as held (no copy) before it is read for the plan.
  if (!(await flows.is(flowId, isTimedTextFlow))) return;
  const flow = await flows.get(flowId);
  if (flow === null) return;
  const segments = addedSegments(event);
  for (const segment of only === undefined ? segments : segments.slice(only, only + 1)) {
    await planSegment(deps, flow, segment, plan);
  }
}

/** A segment's note before it is read: where it is, nothing counted yet. */
export function segmentNote(flowId: string, segment: SegmentRecord): ItemNote {
  return {
    kind: 'segment',
    flow_id: flowId,
    seg_start: segment.timerange.start ?? 0n,
    object_id: segment.object_id,
    timerange: segment.timerange.format(),
    ...(segment.ts_offset !== undefined && { ts_offset: formatTimestamp(segment.ts_offset) }),
    cues: 0,
    indexed: 0,
    outside: 0,
    unembedded: 0,
  };
}

/**
 * The caption documents of one segment of a timed-text Flow (replacing any it had), and its note:
 * the cues it had, indexed and dropped outside the segment, or why it could not be indexed (an
 * ItemFailure: the segment fails alone). A transient failure (its storage backend unavailable)
 * is thrown: the batch is tried again later.
 */
export async function planSegment(
  deps: Pick<PlanDeps, 'media'>,
  flow: FlowRecord,
  segment: SegmentRecord,
  plan: IndexPlan,
): Promise<void> {
  const segStart = segment.timerange.start ?? 0n;
  plan.remove({ kind: 'segment', flowId: flow.id, segStart, objectId: segment.object_id });
  const note = segmentNote(flow.id, segment);
  let cues: readonly TimedCue[];
  try {
    cues = await readCues(deps, flow, segment);
  } catch (error) {
    if (!(error instanceof ItemFailure)) throw error;
    plan.note({ ...note, error: error.message });
    return;
  }
  const placed = captionDocs(flow, segment, cues);
  plan.note({
    ...note,
    cues: cues.length,
    indexed: placed.docs.length,
    outside: placed.outside,
    ...(placed.span !== undefined && { cues_start: placed.span.start, cues_end: placed.span.end }),
  });
  for (const doc of placed.docs) plan.add(doc);
}

/** The cues of a segment's object; ItemFailure when this object cannot be indexed. */
async function readCues(
  deps: Pick<PlanDeps, 'media'>,
  flow: FlowRecord,
  segment: SegmentRecord,
): Promise<readonly TimedCue[]> {
  const backend = segment.storage ? deps.media.get(segment.storage.id) : undefined;
  if (backend === undefined || segment.storage === undefined) {
    throw new ItemFailure(
      'the object is not in a storage backend of this store (external get_urls are not read)',
    );
  }
  const { path, id } = segment.storage;
  // A read that fails or finds nothing is the object's fault only while the backend passes its
  // own check, and passing it the object is read once more: an outage that ended between the read
  // and the check must not fail the object for good (EXR's inspectAlone does the same).
  let outcome = await readOnce(backend, path, id);
  if ('error' in outcome || outcome.read === null) {
    await storageWorks(backend, id);
    outcome = await readOnce(backend, path, id);
  }
  if ('error' in outcome) {
    throw new ItemFailure(`the object could not be read from its storage backend: ${outcome.error}`);
  }
  const { read } = outcome;
  if (read === null) throw new ItemFailure('the object is missing from its storage backend');
  if (read.size > TIMED_TEXT_LIMITS.maxBytes) {
    throw new ItemFailure(
      `the object is larger than ${TIMED_TEXT_LIMITS.maxBytes} bytes, the limit of a timed-text object`,
    );
  }
  try {
    return parseTimedText(read.bytes, { codec: flow.codec, contentType: flow.container ?? read.contentType })
      .cues;
  } catch (error) {
    // Parsing is computation on the bytes alone: whatever it throws, it throws for this object.
    throw new ItemFailure(`the object could not be parsed as timed text: ${reasonOf(error)}`);
  }
}

type Backend = NonNullable<ReturnType<PlanDeps['media']['get']>>;

/** One read of a timed-text object: what the backend found, or why it could not read it. */
async function readOnce(
  backend: Backend,
  path: string,
  id: string,
): Promise<{ read: Awaited<ReturnType<Backend['read']>> } | { error: string }> {
  try {
    return { read: await backend.read(path, { offset: 0, length: TIMED_TEXT_LIMITS.maxBytes + 1 }) };
  } catch (error) {
    if (isTransient(error))
      throw new TransientFailure(`storage backend ${id} is unavailable: ${reasonOf(error)}`);
    return { error: reasonOf(error) };
  }
}

/**
 * Whether a failure to read one object is the object's: the backend passes its own check (the
 * one /ready makes). When it does not, storage is unavailable and the batch waits for it.
 */
async function storageWorks(backend: { check(): Promise<void> }, id: string): Promise<void> {
  try {
    await backend.check();
  } catch (error) {
    throw new TransientFailure(`storage backend ${id} is unavailable: ${reasonOf(error)}`);
  }
}

/**
 * Caption documents of segments that are gone. The event's timerange spans the deleted segments,
 * but may also span segments that stay (a deletion of one object's segments): only documents
 * whose segment no longer exists go. One re-registered since is kept, and its own event, later in
 * the outbox, replaces its documents.
 */
export async function planSegmentsDeleted(
  deps: PlanDeps,
  event: OutboxEvent,
  plan: IndexPlan,
): Promise<void> {
  const flowId = event.flow_id;
  const payload = event.payload as { timerange?: string };
  if (flowId === undefined || payload.timerange === undefined) return;
  const range = parseTimeRange(payload.timerange);
  if (range.isEmpty()) return;
  // The segments indexed there: by their documents, their items (a segment whose cues were all
  // dropped, or that failed, has no document), and those planned earlier in this batch.
  const [docs, items] = await Promise.all([
    searchRepos(deps.store).docs.captionsOfSegments(flowId, range.start, range.end),
    searchRepos(deps.store).items.segmentsOf(flowId, range.start, range.end),
  ]);
  const planned = [...plan.notes.values()].filter(
    (n) =>
      n.kind === 'segment' &&
      n.flow_id === flowId &&
      n.seg_start !== undefined &&
      (range.start === null || n.seg_start >= range.start) &&
      (range.end === null || n.seg_start <= range.end),
  );
  const segments = new Map<string, { segStart: bigint; objectId: string }>();
  for (const d of [...docs, ...items, ...planned]) {
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
