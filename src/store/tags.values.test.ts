import { describe, expect, it } from 'vitest';
import type { TagFilters, Tags } from './store.types.ts';
import { EMPTY_LIST, listTags, TagsBuilder, tagRows, tagsMatch } from './tags.values.ts';

const TAGS: Tags = { s: 'x', list: ['b', 'a', 'b'], empty: [], blank: [''] };

describe('tag rows', () => {
  it('one row per string tag (pos null), per list element (its index), one marker per empty list', () => {
    expect(tagRows('flow_id', 'f', TAGS)).toEqual([
      { flow_id: 'f', name: 's', value: 'x', pos: null },
      { flow_id: 'f', name: 'list', value: 'b', pos: 0 },
      { flow_id: 'f', name: 'list', value: 'a', pos: 1 },
      { flow_id: 'f', name: 'list', value: 'b', pos: 2 },
      { flow_id: 'f', name: 'empty', value: '', pos: EMPTY_LIST },
      { flow_id: 'f', name: 'blank', value: '', pos: 0 },
    ]);
  });

  it('read back in any row order: names as they first came, elements by pos', () => {
    const rows = tagRows('flow_id', 'f', TAGS).reverse();
    const builder = new TagsBuilder();
    for (const r of rows) builder.add(r.name as string, r.value as string, r.pos as number | null);
    const tags = builder.done();
    expect(tags).toEqual(TAGS);
    expect(Object.keys(tags)).toEqual(['blank', 'empty', 'list', 's']);
  });

  it('rows of before lists (no pos) read as string tags', () => {
    const builder = new TagsBuilder();
    builder.add('a', '1', null);
    builder.add('b', '2', null);
    expect(builder.done()).toEqual({ a: '1', b: '2' });
  });
});

describe('tagsMatch (the cache and search; the tables answer the same)', () => {
  const all = (equals: TagFilters['equals'], exists: TagFilters['exists'] = {}) => ({ equals, exists });
  const strings = (equals: TagFilters['equals'], exists: TagFilters['exists'] = {}) => ({
    equals,
    exists,
    stringsOnly: true,
  });

  it('a value matches a string equal to it or a list holding it, never an empty list', () => {
    expect(tagsMatch(TAGS, all({ list: ['a'] }))).toBe(true);
    expect(tagsMatch(TAGS, all({ list: ['z', 'b'] }))).toBe(true);
    expect(tagsMatch(TAGS, all({ s: ['x', 'y'] }))).toBe(true);
    expect(tagsMatch(TAGS, all({ list: ['c'] }))).toBe(false);
    expect(tagsMatch(TAGS, all({ empty: [''] }))).toBe(false);
    expect(tagsMatch(TAGS, all({ blank: [''] }))).toBe(true);
    expect(tagsMatch(TAGS, all({ s: ['x'], list: ['c'] }))).toBe(false);
  });

  it('stringsOnly: lists are as if absent', () => {
    expect(tagsMatch(TAGS, strings({ list: ['a'] }))).toBe(false);
    expect(tagsMatch(TAGS, strings({ s: ['x'] }))).toBe(true);
    expect(tagsMatch(TAGS, strings({}, { list: false, empty: false, s: true }))).toBe(true);
    expect(tagsMatch(TAGS, all({}, { list: true, empty: true }))).toBe(true);
    expect(tagsMatch(TAGS, all({}, { empty: false }))).toBe(false);
  });

  it('names of Object.prototype are tag names like any other', () => {
    expect(tagsMatch({}, all({}, { constructor: true }))).toBe(false);
    expect(tagsMatch({}, all({}, { toString: false }))).toBe(true);
  });
});

describe('listTags', () => {
  it('the list-valued tags, copied', () => {
    const lists = listTags(TAGS);
    expect(lists).toEqual({ list: ['b', 'a', 'b'], empty: [], blank: [''] });
    lists.list?.push('c');
    expect(TAGS.list).toEqual(['b', 'a', 'b']);
  });
});
