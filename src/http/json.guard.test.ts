import { describe, expect, it } from 'vitest';
import { checkJsonBody, MAX_JSON_DEPTH } from './json.guard.ts';

/** The summary of the refusal of a JSON text, or undefined when it passes. */
const refusal = (text: string) => checkJsonBody(text, JSON.parse(text))?.summary;

const nested = (depth: number, open = '[', close = ']') => open.repeat(depth) + close.repeat(depth);

describe('checkJsonBody', () => {
  it('passes ordinary bodies, valid surrogate pairs and escapes that only look like surrogates', () => {
    for (const text of [
      '{"label":"plain","tags":{"a":"b"}}',
      '[{"object_id":"x","timerange":"[0:0_1:0)","sample_count":5}]',
      '"\\ud83c\\udfac"',
      '{"title":"\\ud83c\\udfac clap","caf\\u00e9":"\\u00e9"}',
      '{"path":"C:\\\\ud800"}',
      '"just text"',
      '42',
      'null',
    ]) {
      expect(refusal(text), text).toBeUndefined();
    }
  });

  it('names where a lone surrogate is, in a value, a property name or a bare string', () => {
    const lone = 'contains a lone UTF-16 surrogate';
    expect(refusal('{"label":"a\\ud800b"}')).toBe(
      'body.label contains a lone UTF-16 surrogate (\\ud800), which is not valid Unicode',
    );
    expect(refusal('[{"object_id":"ok"},{"get_urls":[{"url":"u"},{"label":"\\uDC00"}]}]')).toContain(
      `body.1.get_urls.1.label ${lone} (\\udc00)`,
    );
    expect(refusal('{"tags":{"\\udbff":"v"}}')).toBe(
      'body.tags has a property name that contains a lone UTF-16 surrogate (\\udbff), which is not valid Unicode',
    );
    expect(refusal('"\\ud800"')).toContain(`body ${lone} (\\ud800)`);
    // A high surrogate followed by another high one is still lone; so is a reversed pair.
    expect(refusal('{"x":"\\ud800\\ud800\\udc00"}')).toContain('(\\ud800)');
    expect(refusal('{"x":"\\udc00\\ud800"}')).toContain('(\\udc00)');
  });

  it(`refuses nesting deeper than ${MAX_JSON_DEPTH} levels, in arrays and objects`, () => {
    expect(refusal(nested(MAX_JSON_DEPTH))).toBeUndefined();
    expect(refusal(nested(MAX_JSON_DEPTH + 1))).toBe(
      `body nests arrays and objects more than ${MAX_JSON_DEPTH} levels deep (at body.0.0.0.0…)`,
    );
    const objects = `${'{"a":'.repeat(MAX_JSON_DEPTH)}1${'}'.repeat(MAX_JSON_DEPTH)}`;
    expect(refusal(objects)).toBeUndefined();
    expect(refusal(`{"deep":${objects}}`)).toContain('(at body.deep.a.a.a…)');
    expect(refusal(`{"label":"x","extra":${nested(10_000)}}`)).toContain('(at body.extra.0.0.0…)');
  });

  it('walks wide and long bodies without trouble', () => {
    const wide = JSON.stringify(Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`k${i}`, i])));
    expect(refusal(wide)).toBeUndefined();
    expect(refusal(JSON.stringify(Array.from({ length: 1_000_000 }, (_, i) => i)))).toBeUndefined();
    expect(refusal(JSON.stringify({ label: 'é'.repeat(10_000_000) }))).toBeUndefined();
    expect(refusal(`{"label":"${'\\u00e9'.repeat(100_000)}\\ud800"}`)).toContain('body.label');
  });
});
