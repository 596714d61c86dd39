import { describe, expect, it } from 'vitest';
import { queryEncodingProblem } from './query.guard.ts';

describe('queryEncodingProblem', () => {
  it('passes plain and well-encoded query strings', () => {
    for (const query of [
      '',
      'label=plain',
      'label=caf%C3%A9&tag.genre=a+b',
      'tag.%F0%9F%8E%AC=%F0%9F%8E%AC',
      'timerange=%5B0%3A0_10%3A0%29&limit=5',
      'flag',
      'a=1&&b=2',
    ]) {
      expect(queryEncodingProblem(query), query).toBeUndefined();
    }
  });

  it('names the parameter whose value does not decode, without repeating the value', () => {
    for (const value of ['%ED%A0%80', '%C0', '%FF', '%C0%80', '%E2%82', '100%', '%G1']) {
      const problem = queryEncodingProblem(`limit=5&label=${value}`);
      expect(problem, value).toBe('query parameter "label" is not valid percent-encoded UTF-8');
    }
    expect(queryEncodingProblem('access_token=abc%FFdef')).not.toContain('abc');
  });

  it('names a parameter name that does not decode', () => {
    expect(queryEncodingProblem('tag.%ED%A0%80=x')).toBe(
      'query parameter name "tag.%ED%A0%80" is not valid percent-encoded UTF-8',
    );
  });
});
