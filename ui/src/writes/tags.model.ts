import type { Tags } from '../api/types.ts';

/**
 * One tag being edited: a string, or (TAMS 8.2) a list of strings, one per line, so that an
 * item may hold a comma. `original` is the name it had when the editor opened (undefined: new).
 */
export interface TagRow {
  key: number;
  name: string;
  list: boolean;
  text: string;
  original?: string;
}

let nextKey = 0;

/** A key for a new row, unique in the page's life. */
export function nextTagKey(): number {
  return nextKey++;
}

export function tagRows(tags: Tags | undefined): TagRow[] {
  return Object.entries(tags ?? {}).map(([name, value]) => ({
    key: nextKey++,
    name,
    list: Array.isArray(value),
    text: Array.isArray(value) ? value.join('\n') : value,
    original: name,
  }));
}

export function rowValue(row: TagRow): string | string[] {
  return row.list ? row.text.split('\n').filter((item) => item !== '') : row.text;
}

/**
 * The tags the rows make, or why they cannot be saved. A Map, then own properties: a tag may be
 * named `constructor` or `__proto__`, which a plain object would take for something else.
 */
export function tagsOf(rows: readonly TagRow[]): { tags: Tags } | { problem: string } {
  const tags = new Map<string, string | string[]>();
  for (const row of rows) {
    const name = row.name.trim();
    if (name === '') return { problem: 'Every tag needs a name.' };
    if (tags.has(name)) return { problem: `Two tags are named "${name}".` };
    tags.set(name, rowValue(row));
  }
  return { tags: Object.fromEntries(tags) };
}

export function sameValue(a: string | string[] | undefined, b: string | string[]): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => x === b[i]);
  return a === b;
}
