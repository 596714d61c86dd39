import type { DbSession, JsonValue } from '../db/db.types.ts';
import { and, col } from '../db/predicate.ts';
import { reqStr } from './rows.ts';
import type { CollectionItem } from './store.types.ts';
import { T } from './tables.ts';

/**
 * Flow collection membership, one row per (collector, member). A Flow's `flow_collection` and
 * `collected_by`, and the Source collections inferred from them, are all read from here.
 */
export class CollectionsRepo {
  constructor(private readonly db: DbSession) {}

  async itemsOf(collectorIds: readonly string[]): Promise<Map<string, CollectionItem[]>> {
    const result = new Map<string, CollectionItem[]>();
    if (collectorIds.length === 0) return result;
    const rows = await this.db.select(T.collections, {
      where: and(col('collector_id').in(collectorIds)),
      orderBy: [{ column: 'collector_id' }, { column: 'position' }],
    });
    for (const row of rows) {
      const item: CollectionItem = { id: reqStr(row, 'member_id'), role: reqStr(row, 'role') };
      if (row.container_mapping !== null && row.container_mapping !== undefined) {
        item.container_mapping = row.container_mapping as JsonValue;
      }
      const collector = reqStr(row, 'collector_id');
      const list = result.get(collector);
      if (list) list.push(item);
      else result.set(collector, [item]);
    }
    return result;
  }

  /** member id -> ids of the Flows collecting it. */
  async collectorsOf(memberIds: readonly string[]): Promise<Map<string, string[]>> {
    const result = new Map<string, string[]>();
    if (memberIds.length === 0) return result;
    const rows = await this.db.select(T.collections, {
      where: and(col('member_id').in(memberIds)),
      columns: ['collector_id', 'member_id'],
      orderBy: [{ column: 'collector_id' }],
    });
    for (const row of rows) {
      const member = reqStr(row, 'member_id');
      const list = result.get(member) ?? [];
      const collector = reqStr(row, 'collector_id');
      if (!list.includes(collector)) list.push(collector);
      result.set(member, list);
    }
    return result;
  }

  /** Every Flow some Flow collects. */
  async members(): Promise<Set<string>> {
    const rows = await this.db.select(T.collections, { columns: ['member_id'] });
    return new Set(rows.map((row) => reqStr(row, 'member_id')));
  }

  async replace(collectorId: string, items: readonly CollectionItem[] | undefined): Promise<void> {
    await this.db.delete(T.collections, and(col('collector_id').eq(collectorId)));
    await this.insert(collectorId, items);
  }

  /** The collection of a Flow that has none yet (a new one). */
  async insert(collectorId: string, items: readonly CollectionItem[] | undefined): Promise<void> {
    if (!items || items.length === 0) return;
    await this.db.insert(
      T.collections,
      items.map((item, position) => ({
        collector_id: collectorId,
        member_id: item.id,
        position,
        role: item.role,
        container_mapping: item.container_mapping ?? null,
      })),
    );
  }

  /** Forgets a deleted Flow in both roles; returns the other Flows whose collection lost it. */
  async removeFlow(flowId: string): Promise<string[]> {
    const collectors = (await this.collectorsOf([flowId])).get(flowId) ?? [];
    await this.db.delete(T.collections, and(col('collector_id').eq(flowId)));
    await this.db.delete(T.collections, and(col('member_id').eq(flowId)));
    return collectors.filter((id) => id !== flowId);
  }
}
