/**
 * 8.2's flow-segment-post.json, `object_id`: "The `content-type` of the Media Object MUST match
 * the `container` mime-type of the Flow." An object's content-type is the one its PUT URL gave:
 * the container of the Flow it was allocated for (storage.service.ts), which is where it is first
 * registered (checkObject). So only a re-use in another Flow can break the rule, and the
 * allocating Flow's container is what the segment's Flow must have. 7.0 has no such rule and
 * accepts the re-use as it always has. An external object (allocated nowhere) or one whose
 * allocating Flow is gone has no content-type the store knows: nothing to compare.
 */
import type { ObjectRecord } from '../store/objects.repo.ts';
import type { StoreTx } from '../store/store.ts';
import type { FlowRecord } from '../store/store.types.ts';
import type { RegistrationVersion } from './segments.objects.ts';
import { SegmentRejection } from './segments.register.ts';

/**
 * The Flows that allocated the registered objects which 8.2 segments re-use from other Flows,
 * as far as `known` (the batch's own Flows) lacks them: one read, only for 8.2 batches that
 * re-use objects across Flows (edits), none for ingest.
 */
export async function allocatingFlows(
  store: StoreTx,
  uses: readonly { version: RegistrationVersion; flowId: string; object: ObjectRecord | undefined }[],
  known: ReadonlyMap<string, FlowRecord>,
): Promise<ReadonlyMap<string, FlowRecord>> {
  const wanted = new Set<string>();
  for (const { version, flowId, object } of uses) {
    const allocator = object?.registered ? object.allocated_for : undefined;
    if (version === '8.2' && allocator !== undefined && allocator !== flowId && !known.has(allocator)) {
      wanted.add(allocator);
    }
  }
  if (wanted.size === 0) return known;
  const more = await store.flows.rows([...wanted]);
  return new Map([...known, ...more]);
}

/** Refuses (8.2) a segment whose re-used object's content-type is not its Flow's container. */
export function checkContentType(
  version: RegistrationVersion,
  flow: FlowRecord,
  object: ObjectRecord | undefined,
  flows: ReadonlyMap<string, FlowRecord>,
): void {
  const allocator = object?.allocated_for;
  if (version !== '8.2' || !object?.registered || allocator === undefined || allocator === flow.id) return;
  const type = flows.get(allocator)?.container;
  if (type === undefined || type === flow.container) return;
  throw new SegmentRejection(
    `object ${object.id} has content-type ${type} (the container of Flow ${allocator}, which allocated it), ` +
      `and Flow ${flow.id}'s container is ${flow.container ?? 'not set'}: a Media Object's content-type must match the container of the Flow`,
  );
}
