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
