import { compareStrings } from '../db/compare.ts';
import type { Row } from '../db/db.types.ts';
import type { TagFilters, Tags, TagValue } from './store.types.ts';

/**
 * How a tag's value is held in the tag tables (tables.ts): one row per string tag, with `pos`
 * null (every row written before lists existed is such a row); one row per element of a list
 * tag, `pos` its index; and an empty list as one marker row, `pos` EMPTY_LIST and value ''. Each
 * row keeps `name` and `value` columns, so a filter on a value is one predicate on the rows
 * whatever the kind of tag.
 */
export const EMPTY_LIST = -1;

/** The rows of one owner's tags. */
export function tagRows(owner: string, ownerId: string, tags: Tags): Row[] {
  const rows: Row[] = [];
  for (const [name, value] of Object.entries(tags)) {
    if (typeof value === 'string') rows.push({ [owner]: ownerId, name, value, pos: null });
    else if (value.length === 0) rows.push({ [owner]: ownerId, name, value: '', pos: EMPTY_LIST });
    else for (const [pos, item] of value.entries()) rows.push({ [owner]: ownerId, name, value: item, pos });
  }
  return rows;
}

/**
 * Collects tag rows back into tags: `add` once per row, then `done`. Names keep the order their
 * first rows came in (the tables' order by name, as before lists); a list's elements come back in
 * their `pos` order whatever the order of their rows.
 */
export class TagsBuilder {
  readonly #values = new Map<string, string | [number, string][]>();

  add(name: string, value: string, pos: number | null): void {
    const held = this.#values.get(name);
    if (pos === null) {
      // A name holds one kind of value; were both there, the list (the newer kind) wins.
      if (!Array.isArray(held)) this.#values.set(name, value);
      return;
    }
    const items = Array.isArray(held) ? held : [];
    if (pos !== EMPTY_LIST) items.push([pos, value]);
    this.#values.set(name, items);
  }

  done(): Tags {
    const tags: Tags = {};
    for (const [name, held] of this.#values) {
      tags[name] = typeof held === 'string' ? held : held.sort((a, b) => a[0] - b[0]).map(([, v]) => v);
    }
    return tags;
  }
}

/**
 * Tags as the tag tables give them back once written (TagsRepo.get): names in the tables' order
 * (by code point), each list's elements in theirs.
 */
export function storedTags(tags: Tags): Tags {
  const builder = new TagsBuilder();
  const rows = tagRows('owner', '', tags).sort((a, b) => compareStrings(a.name as string, b.name as string));
  for (const row of rows) builder.add(row.name as string, row.value as string, row.pos as number | null);
  return builder.done();
}

/** A copy of tags whose lists the caller may change. */
export function copyTags(tags: Tags): Tags {
  const copy: Tags = { ...tags };
  for (const name in copy) {
    const value = copy[name] as TagValue;
    if (typeof value !== 'string') copy[name] = [...value];
  }
  return copy;
}

/** The list-valued tags alone: what a TAMS 7.0 write keeps because it cannot see them. */
export function listTags(tags: Tags): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(tags)) if (typeof value !== 'string') out[name] = [...value];
  return out;
}

/** Whether tags pass filters, with the meaning the tag tables' predicates give them (TagsRepo). */
export function tagsMatch(tags: Tags, filters: TagFilters): boolean {
  const visible = (name: string): TagValue | undefined => {
    if (!Object.hasOwn(tags, name)) return undefined;
    const value = tags[name] as TagValue;
    return filters.stringsOnly && typeof value !== 'string' ? undefined : value;
  };
  for (const [name, wanted] of Object.entries(filters.equals)) {
    const value = visible(name);
    if (value === undefined) return false;
    const held = typeof value === 'string' ? [value] : value;
    if (!held.some((v) => wanted.includes(v))) return false;
  }
  for (const [name, exists] of Object.entries(filters.exists)) {
    if ((visible(name) !== undefined) !== exists) return false;
  }
  return true;
}
