import { type FlowFilters, flowMatches } from '../../store/flows.filters.ts';
import type { FlowSort, FlowsRepo, SegmentsState } from '../../store/flows.repo.ts';
import type { FlowsStore } from '../../store/flows.types.ts';
import { pageOf, type SortCursor } from '../../store/listing.order.ts';
import type { CollectionItem, FlowRecord, Page } from '../../store/store.types.ts';
import { copyTags } from '../../store/tags.values.ts';
import type { CacheView } from './store.cache.ts';

/**
 * Flows answered from the in-memory cache; writes go to the database (FlowsRepo) first, then to
 * the cache view (applied when the transaction commits).
 */
export class CachedFlows implements FlowsStore {
  constructor(
    private readonly db: FlowsRepo,
    private readonly view: CacheView,
  ) {}

  async get(id: string): Promise<FlowRecord | null> {
    const flow = this.view.flows.get(id);
    return flow ? this.compose(flow) : null;
  }

  own(id: string): Readonly<FlowRecord> | null {
    return this.view.flows.get(id) ?? null;
  }

  async getMany(ids: readonly string[]): Promise<FlowRecord[]> {
    const found: FlowRecord[] = [];
    for (const id of [...new Set(ids)].sort()) {
      const flow = this.view.flows.get(id);
      if (flow) found.push(this.compose(flow));
    }
    return found;
  }

  async rows(ids: readonly string[]): Promise<Map<string, FlowRecord>> {
    const result = new Map<string, FlowRecord>();
    for (const id of ids) {
      const flow = this.view.flows.get(id);
      if (flow) result.set(id, this.compose(flow));
    }
    return result;
  }

  /** From the database: tags are written there first, and this read is off every hot path. */
  taggedValues(name: string, values: readonly string[]): Promise<Set<string>> {
    return this.db.taggedValues(name, values);
  }

  async existing(ids: readonly string[]): Promise<Set<string>> {
    return new Set(ids.filter((id) => this.view.flows.has(id)));
  }

  async bySources(sourceIds: readonly string[]): Promise<Map<string, string>> {
    const result = new Map<string, string>();
    for (const sourceId of new Set(sourceIds))
      for (const [flowId] of this.view.flowsOfSource(sourceId)) result.set(flowId, sourceId);
    return result;
  }

  async sourcesOf(flowIds: readonly string[]): Promise<Map<string, string>> {
    const result = new Map<string, string>();
    for (const id of flowIds) {
      const flow = this.view.flows.get(id);
      if (flow) result.set(id, flow.source_id);
    }
    return result;
  }

  async countBySource(sourceId: string, excludingFlow?: string): Promise<number> {
    let n = 0;
    for (const [flowId] of this.view.flowsOfSource(sourceId)) if (flowId !== excludingFlow) n++;
    return n;
  }

  async save(flow: FlowRecord, isNew: boolean, before?: FlowRecord): Promise<void> {
    await this.db.save(flow, isNew, before);
    this.remember(flow);
    if (flow.flow_collection && flow.flow_collection.length > 0) {
      this.view.collections.set(
        flow.id,
        flow.flow_collection.map((i) => ({ ...i })),
      );
    } else {
      this.view.collections.delete(flow.id);
    }
  }

  async saveRow(flow: FlowRecord): Promise<void> {
    await this.db.saveRow(flow);
    const current = this.view.flows.get(flow.id);
    this.remember({ ...flow, tags: current?.tags ?? flow.tags });
  }

  async delete(id: string): Promise<string[]> {
    const collectors = await this.db.delete(id);
    this.view.flows.delete(id);
    this.forgetCollections(id);
    return collectors;
  }

  async markDeleting(id: string): Promise<string[]> {
    const collectors = await this.db.markDeleting(id);
    this.view.flows.delete(id);
    this.view.deleting.set(id, true);
    this.forgetCollections(id);
    return collectors;
  }

  /** From memory, as `get` after the save that put it there. */
  async written(flow: FlowRecord): Promise<FlowRecord> {
    return (await this.get(flow.id)) ?? flow;
  }

  async forWrite(id: string): Promise<{ flow: FlowRecord | null; row: boolean }> {
    return { flow: await this.get(id), row: this.view.knowsFlow(id) };
  }

  async rowExists(id: string): Promise<boolean> {
    return this.view.knowsFlow(id);
  }

  async deleteRow(id: string): Promise<void> {
    await this.db.deleteRow(id);
    this.view.deleting.delete(id);
  }

  async list(filters: FlowFilters, after: string | undefined, limit: number): Promise<Page<FlowRecord>> {
    const found = this.matching(filters).filter((flow) => after === undefined || flow.id > after);
    // Keyset paging on id, as the database-backed listing does.
    found.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const items = found.slice(0, limit).map((f) => this.compose(f));
    return { items, next: found.length > limit ? items.at(-1)?.id : undefined };
  }

  /** In a listing order (8.2's sort_by), in the same order and with the same keys as FlowsRepo's. */
  async listSorted(
    filters: FlowFilters,
    sort: FlowSort,
    after: SortCursor | undefined,
    limit: number,
  ): Promise<{ items: FlowRecord[]; next?: SortCursor }> {
    const key = (flow: FlowRecord): SortCursor => ({ value: flow[sort.key] ?? null, id: flow.id });
    const page = pageOf(this.matching(filters), key, sort.order, after, limit);
    return { items: page.items.map((f) => this.compose(f)), ...(page.next && { next: page.next }) };
  }

  private matching(filters: FlowFilters): FlowRecord[] {
    const found: FlowRecord[] = [];
    for (const flow of this.view.flows.values()) {
      const collectors = filters.collected_by === undefined ? [] : this.view.collectorsOf(flow.id);
      if (flowMatches(flow, filters, collectors)) found.push(flow);
    }
    return found;
  }

  async setSegmentsState(id: string, range: FlowRecord['timerange'], updated: Date): Promise<void> {
    await this.setSegmentsStates([{ id, range, updated }]);
  }

  /** Kept in the cache; the flows table gets it written behind (StoreCache.dirtyFlowStates). */
  async setSegmentsStates(states: readonly SegmentsState[]): Promise<void> {
    for (const s of states) {
      const flow = this.view.flows.get(s.id);
      if (!flow) continue;
      this.view.flows.set(s.id, { ...flow, timerange: s.range, segments_updated: s.updated });
      this.view.flowStateChanged(s.id);
    }
  }

  /** Cached entries hold the Flow's own columns and tags; collections are kept apart. */
  private remember(flow: FlowRecord): void {
    this.view.flows.set(flow.id, {
      ...flow,
      tags: copyTags(flow.tags),
      flow_collection: undefined,
      collected_by: [],
    });
  }

  private forgetCollections(id: string): void {
    this.view.collections.delete(id);
    for (const collector of this.view.collectorsOf(id)) {
      const items = this.view.collections.get(collector) ?? [];
      this.view.collections.set(
        collector,
        items.filter((i) => i.id !== id),
      );
    }
  }

  /** A copy the caller may change: services edit records before saving them. */
  private compose(flow: FlowRecord): FlowRecord {
    const collection = this.view.collections.get(flow.id);
    return {
      ...flow,
      tags: copyTags(flow.tags),
      extra: { ...flow.extra },
      flow_collection: collection?.map((i): CollectionItem => ({ ...i })),
      collected_by: this.view.collectorsOf(flow.id),
    };
  }
}
