import { describe, expect, it } from 'vitest';
import { sameValue, type TagRow, tagRows, tagsOf } from './tags.model.ts';

const row = (name: string, text: string, list = false): TagRow => ({ key: 0, name, text, list });

describe('tags being edited', () => {
  it('reads a list one item per line, so that an item may hold a comma', () => {
    expect(tagsOf([row('places', 'Leeds, UK\nYork\n', true)])).toEqual({
      tags: { places: ['Leeds, UK', 'York'] },
    });
    expect(tagsOf([row('empty', '', true)])).toEqual({ tags: { empty: [] } });
    expect(tagsOf([row('genre', 'news, sport')])).toEqual({ tags: { genre: 'news, sport' } });
  });

  it('round-trips what the API holds', () => {
    const tags = { genre: 'news', crew: ['ana', 'bo'] };
    const rows = tagRows(tags);
    expect(rows.map((r) => r.original)).toEqual(['genre', 'crew']);
    expect(tagsOf(rows)).toEqual({ tags });
  });

  it('refuses a nameless tag and two of one name', () => {
    expect(tagsOf([row(' ', 'x')])).toEqual({ problem: 'Every tag needs a name.' });
    expect(tagsOf([row('a', 'x'), row('a ', 'y')])).toEqual({ problem: 'Two tags are named "a".' });
  });

  it('takes any name as a tag of its own, those of Object.prototype too', () => {
    const made = tagsOf([row('constructor', 'c'), row('__proto__', 'p')]);
    expect(made).toEqual({ tags: { constructor: 'c', ['__proto__']: 'p' } });
    if (!('tags' in made)) return;
    expect(Object.keys(made.tags)).toEqual(['constructor', '__proto__']);
    expect(JSON.stringify(made.tags)).toBe('{"constructor":"c","__proto__":"p"}');
  });

  it('compares a string and a list by value', () => {
    expect(sameValue(['a', 'b'], ['a', 'b'])).toBe(true);
    expect(sameValue(['a'], ['a', 'b'])).toBe(false);
    expect(sameValue('a', ['a'])).toBe(false);
    expect(sameValue(undefined, 'a')).toBe(false);
  });
});
