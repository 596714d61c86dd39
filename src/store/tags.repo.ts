import type { DbSession } from '../db/db.types.ts';
import { and, col } from '../db/predicate.ts';
import { reqStr } from './rows.ts';
import type { TagFilters, Tags } from './store.types.ts';

/** Tags of one kind of owner (Flows or Sources), one row per tag so filters push down. */
export class TagsRepo {
  constructor(
    private readonly db: DbSession,
    private readonly table: string,
    private readonly owner: string,
  ) {}

  async get(ownerId: string): Promise<Tags> {
    const rows = await this.db.select(this.table, {
      where: and(col(this.owner).eq(ownerId)),
      orderBy: [{ column: 'name' }],
    });
    const tags: Tags = {};
    for (const row of rows) tags[reqStr(row, 'name')] = reqStr(row, 'value');
    return tags;
  }

  async getMany(ownerIds: readonly string[]): Promise<Map<string, Tags>> {
    const result = new Map<string, Tags>(ownerIds.map((id) => [id, {}]));
    if (ownerIds.length === 0) return result;
    const rows = await this.db.select(this.table, {
      where: and(col(this.owner).in(ownerIds)),
      orderBy: [{ column: 'name' }],
    });
    for (const row of rows) {
      const tags = result.get(reqStr(row, this.owner));
      if (tags) tags[reqStr(row, 'name')] = reqStr(row, 'value');
    }
    return result;
  }

  async replaceAll(ownerId: string, tags: Tags): Promise<void> {
    await this.deleteAll(ownerId);
    const rows = Object.entries(tags).map(([name, value]) => ({ [this.owner]: ownerId, name, value }));
    if (rows.length > 0) await this.db.insert(this.table, rows);
  }

  async put(ownerId: string, name: string, value: string): Promise<void> {
    await this.delete(ownerId, name);
    await this.db.insert(this.table, [{ [this.owner]: ownerId, name, value }]);
  }

  /**
   * Which of `values` some owner's tag `name` holds: the name and the values push down, a
   * thousand values a read (the caller may ask about a whole batch of allocations).
   */
  async valuesAmong(name: string, values: readonly string[]): Promise<Set<string>> {
    const found = new Set<string>();
    for (let i = 0; i < values.length; i += 1000) {
      const rows = await this.db.select(this.table, {
        where: and(col('name').eq(name), col('value').in(values.slice(i, i + 1000))),
        columns: ['value'],
      });
      for (const row of rows) found.add(reqStr(row, 'value'));
    }
    return found;
  }

  /** Returns whether the tag existed. */
  async delete(ownerId: string, name: string): Promise<boolean> {
    return (await this.db.delete(this.table, and(col(this.owner).eq(ownerId), col('name').eq(name)))) > 0;
  }

  async deleteAll(ownerId: string): Promise<void> {
    await this.db.delete(this.table, and(col(this.owner).eq(ownerId)));
  }

  /**
   * Owners satisfying the positive filters (tag.{name}=value, tag_exists.{name}=true), or
   * undefined when there are none; and the owners to exclude (tag_exists.{name}=false).
   */
  async resolveFilters(filters: TagFilters): Promise<{ include?: Set<string>; exclude: Set<string> }> {
    let include: Set<string> | undefined;
    const narrow = (ids: Set<string>) => {
      include = include ? new Set([...include].filter((id) => ids.has(id))) : ids;
    };
    for (const [name, value] of Object.entries(filters.equals)) {
      narrow(await this.owners(name, value));
    }
    const exclude = new Set<string>();
    for (const [name, exists] of Object.entries(filters.exists)) {
      const owners = await this.owners(name);
      if (exists) narrow(owners);
      else for (const id of owners) exclude.add(id);
    }
    return { include, exclude };
  }

  private async owners(name: string, value?: string): Promise<Set<string>> {
    const rows = await this.db.select(this.table, {
      where: and(col('name').eq(name), value !== undefined && col('value').eq(value)),
      columns: [this.owner],
    });
    return new Set(rows.map((r) => reqStr(r, this.owner)));
  }
}
