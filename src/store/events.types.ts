import type { JsonValue } from '../db/db.types.ts';

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
