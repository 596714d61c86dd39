import { describe, expect, it } from 'vitest';
import { isEmptyQuery, parseQuery, requiredTerms } from './analyze.query.ts';

describe('parseQuery', () => {
  it('analyzes free words into deduplicated terms, in order', () => {
    const q = parseQuery('Budget cuts, budgets and the MINISTER');
    expect(q.terms).toEqual(['budget', 'cut', 'minist']);
    expect(q.phrases).toEqual([]);
    expect(q.prefixes).toEqual([]);
    expect(q.excluded).toEqual([]);
    expect(q.words).toEqual(['budget', 'cuts', 'budgets', 'and', 'the', 'minister']);
  });

  it('parses quoted phrases with null where stop words sit', () => {
    const q = parseQuery('"state of the art" studio');
    expect(q.phrases).toEqual([{ terms: ['state', null, null, 'art'] }]);
    expect(q.terms).toEqual(['studio']);
    expect(q.words).toEqual(['state', 'of', 'the', 'art', 'studio']);
  });

  it('trims stop words at the ends of a phrase and makes a one-term phrase a term', () => {
    expect(parseQuery('"the art of the deal"').phrases).toEqual([{ terms: ['art', null, null, 'deal'] }]);
    const single = parseQuery('"the budget"');
    expect(single.phrases).toEqual([]);
    expect(single.terms).toEqual(['budget']);
  });

  it('drops phrases of stop words only, and empty phrases', () => {
    const q = parseQuery('"to be or not" "" " " news');
    // "not" is not in the stop list: the phrase is the term "not".
    expect(q.phrases).toEqual([]);
    expect(q.terms).toEqual(['not', 'new']);
    const none = parseQuery('"of the" ""');
    expect(none.phrases).toEqual([]);
    expect(isEmptyQuery(none)).toBe(true);
  });

  it('closes an unbalanced quote at the end', () => {
    const q = parseQuery('budget "prime minister');
    expect(q.terms).toEqual(['budget']);
    expect(q.phrases).toEqual([{ terms: ['prime', 'minist'] }]);
  });

  it('toggles at every quote: quotes do not nest', () => {
    // "a "b" c" reads as phrase "a ", free b, phrase " c".
    const q = parseQuery('"prime "minister" speech"');
    expect(q.terms).toEqual(['prime', 'minist', 'speech']);
    expect(q.phrases).toEqual([]);
    const curly = parseQuery('“prime minister” „budget speech“');
    expect(curly.phrases).toEqual([{ terms: ['prime', 'minist'] }, { terms: ['budget', 'speech'] }]);
  });

  it('deduplicates phrases', () => {
    expect(parseQuery('"budget cuts" "Budget cut"').phrases).toEqual([{ terms: ['budget', 'cut'] }]);
  });

  it('makes words joined by connectors an implicit phrase', () => {
    const q = parseQuery('state-of-the-art bbc.co.uk covid-19 10:30');
    expect(q.phrases).toEqual([
      { terms: ['state', null, null, 'art'] },
      { terms: ['bbc', 'co', 'uk'] },
      { terms: ['covid', '19'] },
      { terms: ['10', '30'] },
    ]);
    expect(q.terms).toEqual([]);
    // Separated by other punctuation, words are free terms.
    expect(parseQuery('budget,cuts').terms).toEqual(['budget', 'cut']);
    expect(parseQuery('budget,cuts').phrases).toEqual([]);
  });

  it('keeps CJK words free terms (no spaces is not a phrase)', () => {
    const q = parseQuery('東京都庁');
    expect(q.phrases).toEqual([]);
    expect(q.terms.length).toBeGreaterThan(1);
    expect(q.terms.join('')).toBe('東京都庁');
  });

  it('takes prefixes from words ending in *, normalized and unstemmed', () => {
    const q = parseQuery('budg* Ministe* Café*');
    expect(q.prefixes).toEqual(['budg', 'ministe', 'cafe']);
    expect(q.terms).toEqual([]);
    expect(q.words).toEqual(['budg', 'ministe', 'cafe']);
    expect(parseQuery('budg**').prefixes).toEqual(['budg']);
  });

  it('ignores * alone, too-short prefixes and * inside words or phrases', () => {
    expect(parseQuery('* a* x* news').prefixes).toEqual([]);
    expect(parseQuery('* a* x* news').terms).toEqual(['new']);
    // '*' inside a word only separates: "bu" and "get" (a stop word), no phrase.
    expect(parseQuery('bu*get').terms).toEqual(['bu']);
    expect(parseQuery('bu*get').phrases).toEqual([]);
    expect(parseQuery('bu*get').prefixes).toEqual([]);
    const phrase = parseQuery('"budg* cuts"');
    expect(phrase.prefixes).toEqual([]);
    expect(phrase.phrases).toEqual([{ terms: ['budg', 'cut'] }]);
  });

  it('takes the last word of a joined chunk as the prefix', () => {
    const q = parseQuery('prime-minis*');
    expect(q.prefixes).toEqual(['minis']);
    expect(q.terms).toEqual(['prime']);
  });

  it('excludes single words after a minus', () => {
    const q = parseQuery('budget -cuts -the -state-of-the-art - -"prime minister" news-room');
    expect(q.terms).toEqual(['budget']);
    expect(q.excluded).toEqual(['cut']);
    // A minus inside a chunk is a connector, not an exclusion.
    expect(q.phrases).toEqual([{ terms: ['new', 'room'] }]);
    expect(q.words).not.toContain('cuts');
    expect(q.words).not.toContain('prime');
  });

  it('is empty for an empty, blank or all-stop-word query, and for exclusions only', () => {
    for (const text of ['', '   ', 'the of and', '"the" "of"', '*', '-', '""', '-budget']) {
      const q = parseQuery(text);
      expect(isEmptyQuery(q)).toBe(true);
      expect(q.terms).toEqual([]);
      expect(q.phrases).toEqual([]);
      expect(q.prefixes).toEqual([]);
      expect(q.words).toEqual([]);
    }
    expect(parseQuery('-budget').excluded).toEqual(['budget']);
  });

  it('lists free and phrase terms as required terms', () => {
    expect(requiredTerms(parseQuery('budget "prime minister" budgets budg*'))).toEqual([
      'budget',
      'prime',
      'minist',
    ]);
  });

  it('analyzes query words as documents are analyzed (NFKC, possessive, diacritics)', () => {
    expect(parseQuery('ＢＢＣ’s ﬁnal café').terms).toEqual(['bbc', 'final', 'cafe']);
  });

  it('stays bounded on 1,000 characters of quotes, stars and minuses', () => {
    const nasty = '"*-'.repeat(334).slice(0, 1000);
    const q = parseQuery(nasty);
    expect(isEmptyQuery(q)).toBe(true);
    const words = parseQuery('a"b*c -d* "e'.repeat(84).slice(0, 1000));
    expect(words.terms.length + words.phrases.length + words.prefixes.length).toBeGreaterThan(0);
    const stars = parseQuery(`${'*'.repeat(997)}ab*`);
    expect(stars.prefixes).toEqual(['ab']);
    expect(isEmptyQuery(parseQuery(`-${'-'.repeat(998)}x`))).toBe(true);
    const many = parseQuery(Array.from({ length: 200 }, (_, i) => `w${i}*`).join(' '));
    expect(many.prefixes).toHaveLength(200);
  });
});
