import { BadRequestError, ForbiddenError, NotFoundError } from '../common/errors.ts';
import type { StoreSession } from '../store/store.ts';
import type { FlowRecord } from '../store/store.types.ts';

/** The Flow, for a change to it or its segments: 404 when missing, 403 when read-only (ADR 0005). */
export async function requireWritableFlow(store: StoreSession, flowId: string): Promise<FlowRecord> {
  return writableFlow(await store.flows.get(flowId), flowId);
}

/** requireWritableFlow on a Flow already read (null or undefined: there is none). */
export function writableFlow(flow: FlowRecord | null | undefined, flowId: string): FlowRecord {
  if (!flow) throw new NotFoundError(`Flow ${flowId} does not exist`);
  if (flow.read_only) throw new ForbiddenError('Flow is marked read-only');
  return flow;
}

/** A Flow without `container` has no segments of its own (DIGEST §4.4): 400 for /storage and segments. */
export function requireContainer(flow: FlowRecord): string {
  if (flow.container === undefined) {
    throw new BadRequestError(`Flow ${flow.id} has no container: it has no segments of its own`);
  }
  return flow.container;
}

/**
 * Whether the Flow's media objects have initialisation segments (TAMS 8.2 `essence_parameters`
 * `init_segments`, ADR 0045): each then has an init object, and /storage allocates those with
 * their own `content_type`.
 */
export function usesInitSegments(flow: FlowRecord): boolean {
  const params = flow.essence_parameters;
  return (
    typeof params === 'object' && params !== null && !Array.isArray(params) && params.init_segments === true
  );
}

/**
 * A replacement that turns the Flow's `init_segments` on or off agrees with its segments, or is
 * refused (400). 8.2 says `init_segments` MUST be true if media objects have an `init_object`,
 * and then all of them MUST: turned on, no segment's object may lack one; turned off, none may
 * have one (a Flow without segments may do either). A value left as it is is not checked, so a
 * Flow stored before these rules can still be updated.
 */
export async function checkInitSegmentsChange(
  store: StoreSession,
  existing: FlowRecord | null,
  flow: FlowRecord,
): Promise<void> {
  if (existing === null) return;
  const on = usesInitSegments(flow);
  if (on === usesInitSegments(existing)) return;
  if (!(await store.segments.hasSegmentWithInit(flow.id, !on))) return;
  throw new BadRequestError(
    on
      ? `Flow ${flow.id} has segments whose objects have no initialisation segment: essence_parameters.init_segments cannot become true while it has them (every media object of such a Flow has an init_object). Delete those segments first, or register the media in a new Flow`
      : `Flow ${flow.id} has segments whose objects have initialisation segments (init_object): essence_parameters.init_segments must stay true while it has them. Delete those segments first`,
  );
}
