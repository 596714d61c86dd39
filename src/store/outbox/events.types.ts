import { CELL_MAX_BYTES, inCells } from '../../common/cells.ts';
import type { JsonValue } from '../../db/db.types.ts';

/** One TAMS event as kept in the outbox. */
export interface OutboxEvent {
  seq: bigint;
  event_type: string;
  event_timestamp: Date;
  flow_id?: string;
  source_id?: string;
  /** The Flow's `collected_by` when the event happened (webhook filter flow_collected_by_ids). */
  flow_collected_by?: string[];
  /** The Source's `collected_by` when the event happened (filter source_collected_by_ids). */
  source_collected_by?: string[];
  /** The event body's `event` object (segments without their per-delivery get_urls). */
  payload: JsonValue;
}

export type NewEvent = Omit<OutboxEvent, 'seq'>;

/**
 * Recorded by the store in the transaction that deletes objects (their last segment reference
 * dropped, or an allocation abandoned), with `{object_ids}` as its payload. Not a TAMS event:
 * webhooks and event streams deliver only WEBHOOK_EVENT_TYPES (src/events/events.types.ts). It is
 * there for the outbox's other readers that keep rows per object (the object sizes of analytics),
 * which remove theirs as they come to it, as they follow every other change.
 */
export const OBJECTS_DELETED = 'objects/deleted';

/** The payload of an OBJECTS_DELETED event. */
export interface ObjectsDeletedPayload {
  object_ids: string[];
}

/** Room in a payload besides its ids: `{"object_ids":[]}` and a margin. */
const PAYLOAD_FRAME_BYTES = 64;

/**
 * The OBJECTS_DELETED events of `ids`, deleted at `at`: as few as keep each payload within one
 * cell (CELL_MAX_BYTES), in order; a Flow's delete may release tens of thousands of objects.
 */
export function objectsDeleted(ids: readonly string[], at: Date): NewEvent[] {
  return inCells(ids, CELL_MAX_BYTES - PAYLOAD_FRAME_BYTES).map((object_ids) => {
    const payload: ObjectsDeletedPayload = { object_ids };
    return { event_type: OBJECTS_DELETED, event_timestamp: at, payload: { ...payload } };
  });
}
