import { describe, expect, it } from 'vitest';
import { BadRequestError } from '../common/errors.ts';
import { tagsMatch, webhookTagFilters } from './webhooks.tags.ts';

const filters = (search: string, query: Record<string, unknown> = {}) =>
  webhookTagFilters({ url: `/service/webhooks?${search}`, query });

describe('webhook tag filters', () => {
  it('split a tag.{name} list on its literal commas, then decode', () => {
    expect(filters('tag.team=news,sport').equals).toEqual({ team: ['news', 'sport'] });
    expect(filters('tag.team=a%2Cb').equals).toEqual({ team: ['a,b'] });
    expect(filters('tag.t%C3%A9am=caf%C3%A9+bar').equals).toEqual({ téam: ['café bar'] });
    expect(filters('tag.team=').equals).toEqual({ team: [''] });
    expect(filters('tag.team').equals).toEqual({ team: [''] });
    expect(filters('limit=2&page=x').equals).toEqual({});
    expect(() => filters('tag.team=a,')).toThrow(BadRequestError);
    expect(() => filters('tag.team=,a')).toThrow(BadRequestError);
  });

  it('take tag_exists.{name} from the parsed query', () => {
    expect(filters('', { 'tag_exists.a': true, 'tag_exists.b': false, 'tag.c': 'x' }).exists).toEqual({
      a: true,
      b: false,
    });
  });

  it('match any of the values, in a string or among a list, whole values only', () => {
    const match = (tags: Record<string, string | string[]>, search: string, query = {}) =>
      tagsMatch(tags, filters(search, query));
    expect(match({ team: 'news' }, 'tag.team=sport,news')).toBe(true);
    expect(match({ team: ['a', 'news'] }, 'tag.team=news')).toBe(true);
    expect(match({ team: 'newsroom' }, 'tag.team=news')).toBe(false);
    expect(match({ team: 'a,b' }, 'tag.team=a,b')).toBe(false);
    expect(match({ team: 'a,b' }, 'tag.team=a%2Cb')).toBe(true);
    expect(match({ team: [] }, 'tag.team=')).toBe(false);
    expect(match({ team: '' }, 'tag.team=')).toBe(true);
    expect(match({}, 'tag.team=news')).toBe(false);
    expect(match({ team: 'news', other: 'x' }, 'tag.team=news&tag.other=y')).toBe(false);
    expect(match({ team: [] }, '', { 'tag_exists.team': true })).toBe(true);
    expect(match({ team: 'x' }, '', { 'tag_exists.team': false })).toBe(false);
    // An inherited name is no tag.
    expect(match({}, '', { 'tag_exists.constructor': true })).toBe(false);
  });
});
