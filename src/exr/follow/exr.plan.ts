import { defaultObjectPath } from '../../common/object-ids.ts';
import type { FlowLookup } from '../../store/flows.lookup.ts';
import { failureReason, isPassing } from '../../store/followers/follower.failures.ts';
import type { OutboxEvent } from '../../store/outbox/events.repo.ts';
import type { FlowRecord } from '../../store/store.types.ts';
import { parseTimeRange, type TimeRange } from '../../time/index.ts';
import { frameNumber } from '../exr.frames.ts';
import type { ObjectToRead } from '../exr.inspect.ts';
import type { ExrFrameRecord } from '../store/exr.records.ts';

export const EXR_CONTAINER = 'image/x-exr';
const IMAGE = 'urn:x-tam:format:image';

/** Whether the Flow's objects are OpenEXR files: an image Flow of container (else codec) image/x-exr. */
export function isExrFlow(flow: FlowRecord): boolean {
  if (flow.format !== IMAGE) return false;
  const type = flow.container ?? flow.codec;
  return type?.toLowerCase() === EXR_CONTAINER;
}

/** A change to the frames, in event order; `event`: the one it comes from (the follower's). */
export type FrameChange = { event?: PlannedEvent } & (
  | { kind: 'put'; frames: ExrFrameRecord[] }
  | { kind: 'segments'; flowId: string; range: TimeRange }
  | { kind: 'flow'; flowId: string }
);

/** What a change or a skipped event says of its event. */
export interface PlannedEvent {
  seq: string;
  event_type: string;
  flow_id?: string;
}

/** An event the follower could not apply (its own failure: see store/followers/follower.failures.ts). */
export interface SkippedEvent extends PlannedEvent {
  reason: string;
}

/** Where a batch stopped inside an event with more segments than a batch reads. */
export interface EventProgress {
  seq: string;
  done: number;
}

/** What a batch of events asks for: frame changes, and the objects whose files it needs. */
export class FramePlan {
  readonly changes: FrameChange[] = [];
  readonly objects = new Map<string, ObjectToRead>();
  /** Events of the batch that could not be planned (a payload that does not read), passed over. */
  readonly skipped: SkippedEvent[] = [];
  /** The last event applied whole; undefined when the batch ends inside its first event. */
  applied: bigint | undefined;
  partial: EventProgress | undefined;
}

interface StoredSegment {
  object_id: string;
  timerange: string;
  storage?: { id: string; path?: string };
}

/**
 * Plans `events` (after `partial` of the first, when a batch stopped inside it), adding objects
 * until `budget` of them is reached; the batch ends at the event where it is, after the segment
 * that reached it.
 */
export async function planEvents(
  flows: FlowLookup,
  events: readonly OutboxEvent[],
  partial: EventProgress | undefined,
  budget: number,
): Promise<FramePlan> {
  const plan = new FramePlan();
  for (const event of events) {
    const about: PlannedEvent = {
      seq: event.seq.toString(),
      event_type: event.event_type,
      ...(event.flow_id !== undefined && { flow_id: event.flow_id }),
    };
    // An event that cannot be planned (its payload does not read) is passed over alone; what it
    // added to the plan before it failed is taken back with it.
    const changes = plan.changes.length;
    const objects = new Set(plan.objects.keys());
    try {
      if (await planEvent(plan, flows, event, about, partial, budget)) return plan;
    } catch (error) {
      if (isPassing(error)) throw error;
      plan.changes.length = changes;
      for (const id of plan.objects.keys()) if (!objects.has(id)) plan.objects.delete(id);
      plan.partial = undefined;
      plan.skipped.push({ ...about, reason: failureReason(error) });
    }
    plan.applied = event.seq;
    if (plan.objects.size >= budget) return plan;
  }
  return plan;
}

/** Adds one event's changes to `plan`; true when the batch ends inside it (plan.partial). */
async function planEvent(
  plan: FramePlan,
  flows: FlowLookup,
  event: OutboxEvent,
  about: PlannedEvent,
  partial: EventProgress | undefined,
  budget: number,
): Promise<boolean> {
  const flowId = event.flow_id;
  if (flowId === undefined) return false;
  switch (event.event_type) {
    case 'flows/segments_added': {
      // Checked on the Flow as held (no copy) before it is read for the frames.
      if (!(await flows.is(flowId, isExrFlow))) return false;
      const flow = await flows.get(flowId);
      if (flow === null) return false;
      const segments = (event.payload as { segments?: StoredSegment[] }).segments ?? [];
      const skip = partial?.seq === about.seq ? partial.done : 0;
      const frames: ExrFrameRecord[] = [];
      for (let i = skip; i < segments.length; i++) {
        const s = segments[i] as StoredSegment;
        const { frame, object } = frameAndObject(flow, placed(flow, s), event.event_timestamp);
        frames.push(frame);
        if (!plan.objects.has(s.object_id)) plan.objects.set(s.object_id, object);
        if (plan.objects.size >= budget && i + 1 < segments.length) {
          plan.changes.push({ kind: 'put', frames, event: about });
          plan.partial = { seq: about.seq, done: i + 1 };
          return true;
        }
      }
      plan.changes.push({ kind: 'put', frames, event: about });
      return false;
    }
    case 'flows/segments_deleted': {
      const range = (event.payload as { timerange?: string }).timerange;
      if (range !== undefined)
        plan.changes.push({ kind: 'segments', flowId, range: parseTimeRange(range), event: about });
      return false;
    }
    case 'flows/deleted':
      plan.changes.push({ kind: 'flow', flowId, event: about });
      return false;
  }
  return false;
}

/** A segment as the plan needs it: from an event's payload, or from the segments table. */
export interface PlacedSegment {
  object_id: string;
  timerange: TimeRange;
  /** Where the object's bytes are (the default key already made); none for external objects. */
  storage?: { id: string; path: string };
}

/** An event's stored segment: its storage key left out when it is the default one. */
function placed(flow: FlowRecord, s: StoredSegment): PlacedSegment {
  return {
    object_id: s.object_id,
    timerange: parseTimeRange(s.timerange),
    ...(s.storage !== undefined && {
      storage: { id: s.storage.id, path: s.storage.path ?? defaultObjectPath(flow.id, s.object_id) },
    }),
  };
}

/** The frame a segment of an EXR Flow makes, and the object to read for it. */
export function frameAndObject(
  flow: FlowRecord,
  s: PlacedSegment,
  at: Date,
): { frame: ExrFrameRecord; object: ObjectToRead } {
  const start = s.timerange.start ?? 0n;
  const number = frameNumber([s.object_id, s.storage?.path], { start, duration: flow.segment_duration });
  return {
    frame: {
      flow_id: flow.id,
      object_id: s.object_id,
      seg_start: start,
      timerange: s.timerange.format(),
      ...(number !== undefined && { frame_number: number.number, frame_source: number.source }),
      registered: at,
    },
    object: {
      objectId: s.object_id,
      ...(s.storage !== undefined && { storage: s.storage }),
      ...(number !== undefined && { frame: number }),
    },
  };
}
