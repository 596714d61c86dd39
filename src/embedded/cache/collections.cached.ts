import type { CollectionsReader } from '../../store/flows.types.ts';
import type { CollectionItem } from '../../store/store.types.ts';
import type { CacheView } from './store.cache.ts';

/** Flow collections answered from the in-memory cache (written through CachedFlows). */
export class CachedCollections implements CollectionsReader {
  constructor(private readonly view: CacheView) {}

  async itemsOf(collectorIds: readonly string[]): Promise<Map<string, CollectionItem[]>> {
    const result = new Map<string, CollectionItem[]>();
    for (const id of collectorIds) {
      const items = this.view.collections.get(id);
      if (items && items.length > 0)
        result.set(
          id,
          items.map((i) => ({ ...i })),
        );
    }
    return result;
  }

  async members(): Promise<Set<string>> {
    const members = new Set<string>();
    for (const items of this.view.collections.values()) for (const item of items) members.add(item.id);
    return members;
  }

  async collectorsOf(memberIds: readonly string[]): Promise<Map<string, string[]>> {
    const result = new Map<string, string[]>();
    for (const member of new Set(memberIds)) {
      const collectors = this.view.collectorsOf(member);
      if (collectors.length > 0) result.set(member, collectors);
    }
    return result;
  }
}
