import type { JsonValue } from '../db/db.types.ts';
import type { EventLog } from '../events/events.log.ts';
import type { FlowRecord } from '../store/store.types.ts';
import { flowDocument } from './flows.mapper.ts';

/** flows/created or flows/updated: the Flow as GET /flows/{id} returns it. */
export function recordFlowChanged(
  events: EventLog,
  type: 'flows/created' | 'flows/updated',
  flow: FlowRecord,
): Promise<void> {
  return events.flow(type, flow, { flow: flowDocument(flow) as unknown as JsonValue });
}

/** flows/deleted. Call before the Flow is gone: the event's filters need its collections. */
export function recordFlowDeleted(events: EventLog, flow: FlowRecord): Promise<void> {
  return events.flow('flows/deleted', flow, { flow_id: flow.id });
}
