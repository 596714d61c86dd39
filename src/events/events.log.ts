import type { JsonValue } from '../db/db.types.ts';
import type { NewEvent } from '../store/outbox/events.repo.ts';
import type { StoreTx } from '../store/store.ts';
import type { FlowRecord } from '../store/store.types.ts';
import type { FlowEventType, SourceEventType } from './events.types.ts';

/**
 * Records TAMS events in the outbox of the transaction making the change (DIGEST §10): an event
 * exists exactly when its change committed. Each carries what webhook filters need (ADR 0026):
 * the Flow and Source ids and their `collected_by` at the time. The areas making the changes
 * render the event documents (src/flows/flows.events.ts, src/sources/sources.events.ts,
 * src/segments/segments.events.ts): this layer knows no TAMS resource's shape.
 */
export class EventLog {
  private readonly pending: NewEvent[] = [];
  private readonly sourceCollectors = new Map<string, string[]>();

  constructor(
    private readonly store: StoreTx,
    private readonly now: Date,
  ) {}

  /** The Sources' `collected_by`, already read by the caller (see SourcesRepo.eventCollectors). */
  knowSources(collectedBy: ReadonlyMap<string, string[]>): void {
    for (const [id, list] of collectedBy) this.sourceCollectors.set(id, list);
  }

  /** An event about `flow` or its segments. Call before the Flow is gone: filters need its collections. */
  async flow(type: FlowEventType, flow: FlowRecord, payload: JsonValue): Promise<void> {
    let sourceCollectedBy = this.sourceCollectors.get(flow.source_id);
    if (sourceCollectedBy === undefined) {
      sourceCollectedBy = (await this.store.sources.collectedBy([flow.source_id])).get(flow.source_id) ?? [];
      this.sourceCollectors.set(flow.source_id, sourceCollectedBy);
    }
    this.pending.push({
      flow_id: flow.id,
      source_id: flow.source_id,
      flow_collected_by: flow.collected_by,
      source_collected_by: sourceCollectedBy,
      event_type: type,
      event_timestamp: this.now,
      payload,
    });
  }

  /** An event about a Source; `collectedBy`: its `collected_by` (from before it went, if it went). */
  source(type: SourceEventType, sourceId: string, collectedBy: string[], payload: JsonValue): void {
    this.pending.push({
      event_type: type,
      event_timestamp: this.now,
      source_id: sourceId,
      source_collected_by: collectedBy,
      payload,
    });
  }

  /** Writes the recorded events, in order, with one insert. */
  async flush(): Promise<void> {
    const events = this.pending.splice(0);
    await this.store.events.append(events);
  }
}
