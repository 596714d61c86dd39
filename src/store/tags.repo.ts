import type { DbSession, Predicate, Row } from '../db/db.types.ts';
import { and, col, or } from '../db/predicate.ts';
import { num, reqStr } from './rows.ts';
import type { TagFilters, Tags, TagValue } from './store.types.ts';
import { TagsBuilder, tagRows } from './tags.values.ts';

/** Rows holding a string tag (TAMS 7.0 sees only these). */
const STRING_ROW = col('pos').isNull();
/** Rows holding a value: a string tag or a list element (not an empty list's marker). */
const VALUE_ROW = or(col('pos').isNull(), col('pos').ge(0));

/**
 * Tags of one kind of owner (Flows or Sources), one row per tag, or per element of a list-valued
 * tag (tags.values.ts), so filters push down.
 */
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
    const tags = new TagsBuilder();
    for (const row of rows) addRow(tags, row);
    return tags.done();
  }

  async getMany(ownerIds: readonly string[]): Promise<Map<string, Tags>> {
    const result = new Map<string, Tags>(ownerIds.map((id) => [id, {}]));
    if (ownerIds.length === 0) return result;
    const rows = await this.db.select(this.table, {
      where: and(col(this.owner).in(ownerIds)),
      orderBy: [{ column: 'name' }],
    });
    const builders = new Map<string, TagsBuilder>();
    for (const row of rows) {
      const id = reqStr(row, this.owner);
      if (!result.has(id)) continue;
      let tags = builders.get(id);
      if (!tags) {
        tags = new TagsBuilder();
        builders.set(id, tags);
      }
      addRow(tags, row);
    }
    for (const [id, tags] of builders) result.set(id, tags.done());
    return result;
  }

  async replaceAll(ownerId: string, tags: Tags): Promise<void> {
    await this.deleteAll(ownerId);
    await this.insertAll(ownerId, tags);
  }

  /** Inserts the tags of an owner that has none yet (a new one). */
  async insertAll(ownerId: string, tags: Tags): Promise<void> {
    const rows = tagRows(this.owner, ownerId, tags);
    if (rows.length > 0) await this.db.insert(this.table, rows);
  }

  async put(ownerId: string, name: string, value: TagValue): Promise<void> {
    await this.delete(ownerId, name);
    await this.db.insert(this.table, tagRows(this.owner, ownerId, { [name]: value }));
  }

  /**
   * Which of `values` some owner's tag `name` holds (as its string value or as an element of its
   * list): the name and the values push down, a thousand values a read (the caller may ask
   * about a whole batch of allocations).
   */
  async valuesAmong(name: string, values: readonly string[]): Promise<Set<string>> {
    const found = new Set<string>();
    for (let i = 0; i < values.length; i += 1000) {
      const rows = await this.db.select(this.table, {
        where: and(col('name').eq(name), col('value').in(values.slice(i, i + 1000)), VALUE_ROW),
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
   * Owners satisfying the positive filters (tag.{name}=values, tag_exists.{name}=true), or
   * undefined when there are none; and the owners to exclude (tag_exists.{name}=false).
   */
  async resolveFilters(filters: TagFilters): Promise<{ include?: Set<string>; exclude: Set<string> }> {
    let include: Set<string> | undefined;
    const narrow = (ids: Set<string>) => {
      include = include ? new Set([...include].filter((id) => ids.has(id))) : ids;
    };
    const only = filters.stringsOnly === true;
    for (const [name, values] of Object.entries(filters.equals)) {
      narrow(await this.owners(tagHolding(name, values, only)));
    }
    const exclude = new Set<string>();
    for (const [name, exists] of Object.entries(filters.exists)) {
      const owners = await this.owners(and(col('name').eq(name), only && STRING_ROW));
      if (exists) narrow(owners);
      else for (const id of owners) exclude.add(id);
    }
    return { include, exclude };
  }

  private async owners(where: Predicate): Promise<Set<string>> {
    const rows = await this.db.select(this.table, { where, columns: [this.owner] });
    return new Set(rows.map((r) => reqStr(r, this.owner)));
  }
}

/**
 * The rows of tags named `name` holding one of `values`: an AND of one-column OR groups (the
 * engines' predicate rule), whichever kind of tag holds the value.
 */
function tagHolding(name: string, values: readonly string[], stringsOnly: boolean): Predicate {
  return and(col('name').eq(name), col('value').in(values), stringsOnly ? STRING_ROW : VALUE_ROW);
}

function addRow(tags: TagsBuilder, row: Row): void {
  const pos = num(row, 'pos');
  tags.add(reqStr(row, 'name'), reqStr(row, 'value'), pos === undefined ? null : pos);
}
