import type { IdGenerator } from '../common/ids.ts';
import { EventLog } from '../events/events.log.ts';
import { recordSourceChanged, recordSourceCreated, recordSourceDeleted } from '../sources/sources.events.ts';
import type { StoreTx } from '../store/store.ts';
import type { CollectionItem, FlowRecord, SourceRecord } from '../store/store.types.ts';
import { recordFlowChanged } from './flows.events.ts';

/**
 * Changes that ripple from one Flow write to other resources: a collection edit changes the
 * members' `collected_by` and the inferred `source_collection`/`collected_by` of their Sources;
 * Flow creation and deletion create and delete Sources. Collected during the write and applied
 * in the same transaction, so every affected document gets a new version and timestamp, and
 * every change its event (sources/created, flows/updated of collected Flows, ...).
 */
export class RelatedChanges {
  readonly flowsChanged = new Set<string>();
  /** Created Sources, with their record when the caller knows it as a read would give it. */
  readonly sourcesCreated = new Map<string, SourceRecord | undefined>();
  readonly sourcesChanged = new Set<string>();
  /** Deleted Sources, with their `collected_by` from before (for webhook filters). */
  readonly sourcesDeleted = new Map<string, string[]>();
  readonly events: EventLog;

  constructor(
    private readonly store: StoreTx,
    private readonly ids: IdGenerator,
    private readonly now: Date,
    private readonly actor: string | undefined,
  ) {
    this.events = new EventLog(store, now);
  }

  flowChanged(id: string): void {
    this.flowsChanged.add(id);
  }

  /** `source`: the Source as a read would give it now, when known (its sources/created needs no read). */
  sourceCreated(id: string, source?: SourceRecord): void {
    this.sourcesCreated.set(id, source);
  }

  sourceChanged(id: string): void {
    this.sourcesChanged.add(id);
  }

  sourceDeleted(id: string, collectedBy: string[]): void {
    this.sourcesDeleted.set(id, collectedBy);
    this.sourcesChanged.delete(id);
  }

  /** Records the effects of `collectorId`'s collection going from `before` to `after`. */
  async collectionChanged(
    collectorId: string,
    before: readonly CollectionItem[] | undefined,
    after: readonly CollectionItem[] | undefined,
  ): Promise<void> {
    const key = (items: readonly CollectionItem[] | undefined) => JSON.stringify(items ?? []);
    if (key(before) === key(after)) return;
    const old = new Set((before ?? []).map((i) => i.id));
    const now = new Set((after ?? []).map((i) => i.id));
    const touched = [...old].filter((id) => !now.has(id)).concat([...now].filter((id) => !old.has(id)));
    for (const id of touched) this.flowChanged(id);
    // Roles or mappings may change without membership changing: the collector's Source sees it.
    const sources = await this.store.flows.sourcesOf([collectorId, ...old, ...now]);
    const collectorSource = sources.get(collectorId);
    if (collectorSource !== undefined) this.sourceChanged(collectorSource);
    for (const id of touched) {
      const source = sources.get(id);
      if (source !== undefined) this.sourceChanged(source);
    }
  }

  /**
   * Bumps version and timestamps of every affected resource other than the Flow written
   * (`self`), and records the events: Sources created, the Flow's own event, then what changed
   * around it. `self.flow`: the Flow written as a read would give it now, when the caller knows it.
   */
  async apply(self: {
    id: string;
    event?: 'flows/created' | 'flows/updated';
    flow?: FlowRecord;
  }): Promise<void> {
    for (const [id, source] of this.sourcesCreated) {
      if (source) recordSourceCreated(this.events, source);
      else await recordSourceChanged(this.events, this.store, 'sources/created', id);
    }
    if (self.event) {
      const flow = self.flow ?? (await this.store.flows.get(self.id));
      if (flow) await recordFlowChanged(this.events, self.event, flow);
    }
    const flows = await this.store.flows.getMany([...this.flowsChanged].filter((id) => id !== self.id));
    for (const flow of flows) {
      flow.metadata_updated = this.now;
      flow.metadata_version = this.ids.uuid();
      await this.store.flows.saveRow(flow);
      await recordFlowChanged(this.events, 'flows/updated', flow);
    }
    const sourceIds = [...this.sourcesChanged].filter((id) => !this.sourcesCreated.has(id));
    for (const source of await this.store.sources.getMany(sourceIds)) {
      await this.store.sources.saveRow({
        ...source,
        updated: this.now,
        updated_by: this.actor ?? source.updated_by,
      });
      await recordSourceChanged(this.events, this.store, 'sources/updated', source.id);
    }
    for (const [id, collectedBy] of this.sourcesDeleted) recordSourceDeleted(this.events, id, collectedBy);
    await this.events.flush();
  }
}
