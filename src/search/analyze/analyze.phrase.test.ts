import { describe, expect, it } from 'vitest';
import { matchesPhrase, phraseSpans } from './analyze.phrase.ts';
import { type PhraseQuery, parseQuery } from './analyze.query.ts';
import { analyze } from './analyze.tokens.ts';

const phraseOf = (q: string): PhraseQuery => {
  const phrase = parseQuery(q).phrases[0];
  if (phrase === undefined) throw new Error(`no phrase in ${q}`);
  return phrase;
};

describe('matchesPhrase', () => {
  it('matches adjacent terms in order only', () => {
    const phrase = phraseOf('"prime minister"');
    expect(matchesPhrase(analyze('The Prime Minister spoke'), phrase)).toBe(true);
    expect(matchesPhrase(analyze('the ministers of the prime'), phrase)).toBe(false);
    expect(matchesPhrase(analyze('prime time minister'), phrase)).toBe(false);
    // Stemming applies to phrases too.
    expect(matchesPhrase(analyze('prime ministers'), phrase)).toBe(true);
  });

  it('requires stop-word gaps to line up exactly', () => {
    const phrase = phraseOf('"state of the art"');
    expect(matchesPhrase(analyze('a state of the art studio'), phrase)).toBe(true);
    // Any stop words fill the gaps: positions are all the index keeps.
    expect(matchesPhrase(analyze('state in an art'), phrase)).toBe(true);
    expect(matchesPhrase(analyze('state of art'), phrase)).toBe(false);
    expect(matchesPhrase(analyze('state of all the art'), phrase)).toBe(false);
    expect(matchesPhrase(analyze('state art'), phrase)).toBe(false);
    // A word that is not a stop word does not fill a gap.
    expect(matchesPhrase(analyze('state of modern art'), phrase)).toBe(false);
  });

  it('matches hyphenated and dotted text with the spaced phrase and back', () => {
    expect(matchesPhrase(analyze('a state-of-the-art studio'), phraseOf('"state of the art"'))).toBe(true);
    expect(matchesPhrase(analyze('a state of the art studio'), phraseOf('state-of-the-art'))).toBe(true);
    expect(matchesPhrase(analyze('visit bbc.co.uk today'), phraseOf('"bbc co uk"'))).toBe(true);
  });

  it('finds a later occurrence after a false start', () => {
    const phrase = phraseOf('"budget cuts"');
    expect(matchesPhrase(analyze('budget talks, then budget cuts'), phrase)).toBe(true);
  });

  it('skips nulls at the ends of a phrase given from outside, and matches nothing without terms', () => {
    expect(matchesPhrase(analyze('the art'), { terms: [null, 'art', null] })).toBe(true);
    expect(matchesPhrase(analyze('the art of war'), { terms: [null, null] })).toBe(false);
    expect(matchesPhrase(analyze('anything'), { terms: [] })).toBe(false);
  });

  it('does not match in an empty text', () => {
    expect(matchesPhrase([], phraseOf('"prime minister"'))).toBe(false);
  });
});

describe('phraseSpans', () => {
  it('gives the text offsets of every occurrence, stop words between included', () => {
    const text = 'State of the art: the state  of the  art.';
    const spans = phraseSpans(analyze(text), phraseOf('"state of the art"'));
    expect(spans.map(([a, b]) => text.slice(a, b))).toEqual(['State of the art', 'state  of the  art']);
  });

  it('gives overlapping occurrences', () => {
    const text = 'la la la';
    expect(phraseSpans(analyze(text), phraseOf('"la la"'))).toEqual([
      [0, 5],
      [3, 8],
    ]);
  });

  it('points at the original text after normalization', () => {
    const text = 'Le ﬁnal Café’s menu';
    const spans = phraseSpans(analyze(text), phraseOf('"final cafe"'));
    expect(spans.map(([a, b]) => text.slice(a, b))).toEqual(['ﬁnal Café’s']);
  });

  it('is empty without a match', () => {
    expect(phraseSpans(analyze('prime time'), phraseOf('"prime minister"'))).toEqual([]);
  });
});
