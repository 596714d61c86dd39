import { describe, expect, it } from 'vitest';
import { BadRequestError } from '../common/errors.ts';
import { tagFilters, tagsDocument, visibleTag } from './tags.version.ts';

/** A request as a route sees it: `query` parsed (tag_exists as booleans), `url` raw. */
function request(query: string) {
  const parsed = [...new URLSearchParams(query)].map(([k, v]) => [
    k,
    k.includes('_exists.') ? v === 'true' : v,
  ]);
  return { url: `/flows?${query}`, query: Object.fromEntries(parsed) };
}

describe('tag filters, 8.2', () => {
  it('splits tag.{name} on the raw commas, then decodes each value', () => {
    expect(tagFilters(request('tag.lang=en,fr&tag_exists.x=false&limit=3'), '8.2')).toEqual({
      equals: { lang: ['en', 'fr'] },
      exists: { x: false },
    });
    // %2C is a comma inside a value; names decode as the query parser decodes them.
    expect(tagFilters(request('tag.a%2Cb=x%2Cy,z&tag.my+tag=a+b%2B'), '8.2').equals).toEqual({
      'a,b': ['x,y', 'z'],
      'my tag': ['a b+'],
    });
  });

  it('an empty value is the one value ""', () => {
    expect(tagFilters(request('tag.a='), '8.2').equals).toEqual({ a: [''] });
    expect(tagFilters(request('tag.a'), '8.2').equals).toEqual({ a: [''] });
  });

  it('an empty item of a list is a 400', () => {
    for (const q of ['tag.a=x,,y', 'tag.a=x,', 'tag.a=,x', 'tag.a=,']) {
      expect(() => tagFilters(request(q), '8.2'), q).toThrow(BadRequestError);
    }
  });

  it('takes another prefix (flow_tag.*, storage_backend_tag.*)', () => {
    const filters = tagFilters(request('flow_tag.k=a,b&flow_tag_exists.j=true&tag.k=c'), '8.2', 'flow_tag');
    expect(filters).toEqual({ equals: { k: ['a', 'b'] }, exists: { j: true } });
  });
});

describe('tag filters, 7.0', () => {
  it('the whole value, commas included, against string tags only', () => {
    expect(tagFilters(request('tag.lang=en,fr&tag_exists.x=true'), '7.0')).toEqual({
      equals: { lang: ['en,fr'] },
      exists: { x: true },
      stringsOnly: true,
    });
  });
});

describe('tags per version', () => {
  const tags = { s: 'x', l: ['a'], e: [] };

  it('7.0 leaves list-valued tags out; 8.2 shows them, copied', () => {
    expect(tagsDocument(tags, '7.0')).toEqual({ s: 'x' });
    const shown = tagsDocument(tags, '8.2');
    expect(shown).toEqual(tags);
    (shown.l as string[]).push('b');
    expect(tags.l).toEqual(['a']);
  });

  it('7.0 does not see a list by name', () => {
    expect(visibleTag(tags, 'l', '7.0')).toBeUndefined();
    expect(visibleTag(tags, 'l', '8.2')).toEqual(['a']);
    expect(visibleTag(tags, 's', '7.0')).toBe('x');
    expect(visibleTag(tags, 'constructor', '8.2')).toBeUndefined();
  });
});
