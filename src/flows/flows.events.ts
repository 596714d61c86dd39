import type { JsonValue } from '../db/db.types.ts';
import type { EventLog } from '../events/events.log.ts';
import { asJson, dateCodec, isModelPayload, MODEL_FORMAT, RecordCodec } from '../events/events.model.ts';
import type { PayloadRenderer } from '../events/events.render.ts';
import type { ApiVersion } from '../http/api.version.ts';
import type { FlowRecord } from '../store/store.types.ts';
import { TimeRange } from '../time/index.ts';
import { flowPayloadV8 } from './flows.events.v8.ts';
import { flowDocument } from './flows.mapper.ts';

/**
 * A Flow as flows/created and flows/updated keep it: the store's record, so that each API
 * version's document is made from it as its GET answers are (flowDocument). `timerange` is not
 * kept: event documents have none (GET shows it only when asked).
 */
const FLOW_MODEL = new RecordCodec<FlowRecord>({
  id: asJson(),
  source_id: asJson(),
  format: asJson(),
  codec: asJson(),
  container: asJson(),
  label: asJson(),
  description: asJson(),
  created_by: asJson(),
  updated_by: asJson(),
  created: dateCodec,
  metadata_updated: dateCodec,
  segments_updated: dateCodec,
  metadata_version: asJson(),
  read_only: asJson(),
  generation: asJson(),
  avg_bit_rate: asJson(),
  max_bit_rate: asJson(),
  essence_parameters: asJson(),
  segment_duration: asJson(),
  container_mapping: asJson(),
  status: asJson(),
  profile_id: asJson(),
  extra: asJson(),
  tags: asJson(),
  flow_collection: asJson(),
  collected_by: asJson(),
  timerange: null,
});

/** The payload of flows/created and flows/updated: `{model, flow}` (events.model.ts). */
export function flowChangedPayload(flow: FlowRecord): { model: number; flow: JsonValue } {
  return { model: MODEL_FORMAT, flow: FLOW_MODEL.encode(flow) };
}

/** flows/created or flows/updated: the Flow as the store has it now. */
export function recordFlowChanged(
  events: EventLog,
  type: 'flows/created' | 'flows/updated',
  flow: FlowRecord,
): Promise<void> {
  return events.flow(type, flow, flowChangedPayload(flow));
}

/** flows/deleted. Call before the Flow is gone: the event's filters need its collections. */
export function recordFlowDeleted(events: EventLog, flow: FlowRecord): Promise<void> {
  return events.flow('flows/deleted', flow, { flow_id: flow.id });
}

/**
 * The `event` of flows/created and flows/updated for subscribers of `version`: the Flow as that
 * version's GET /flows/{id} answers it. Payloads recorded before the outbox kept the model hold
 * 7.0's document: 7.0 sends it as it is, 8.2 adapts it (flows.events.v8.ts).
 */
export function flowChangedRenderer(version: ApiVersion): PayloadRenderer {
  return (payload) => {
    if (!isModelPayload(payload)) return version === '7.0' ? payload : flowPayloadV8(payload);
    const flow = { ...FLOW_MODEL.decode(payload.flow), timerange: TimeRange.EMPTY } as FlowRecord;
    return { flow: flowDocument(flow, { version }) as unknown as JsonValue };
  };
}
