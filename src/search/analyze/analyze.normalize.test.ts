import { describe, expect, it } from 'vitest';
import {
  clearWordCache,
  isStopWord,
  MAX_TERM_LENGTH,
  normalizeWord,
  termOf,
  wordCacheSize,
  wordForms,
} from './analyze.normalize.ts';

describe('normalizeWord', () => {
  it('lower-cases and removes diacritics', () => {
    expect(normalizeWord('Café')).toBe('cafe');
    expect(normalizeWord('NAÏVE')).toBe('naive');
    expect(normalizeWord('Ångström')).toBe('angstrom');
    expect(normalizeWord('São')).toBe('sao');
    // Decomposed input (e + combining acute) meets the precomposed one.
    expect(normalizeWord('cafe\u0301')).toBe('cafe');
  });

  it('applies NFKC before lower-casing: full-width letters, ligatures, compatibility letters', () => {
    expect(normalizeWord('ＢＢＣ')).toBe('bbc');
    expect(normalizeWord('ﬁsh')).toBe('fish');
    expect(normalizeWord('ﬂow')).toBe('flow');
    expect(normalizeWord('ℌello')).toBe('hello');
    expect(normalizeWord('２０２４')).toBe('2024');
  });

  it('folds letters that have no decomposition', () => {
    expect(normalizeWord('Straße')).toBe('strasse');
    expect(normalizeWord('Ærø')).toBe('aero');
    expect(normalizeWord('Łódź')).toBe('lodz');
    expect(normalizeWord('İstanbul')).toBe('istanbul');
    // Final sigma and medial sigma are one letter.
    expect(normalizeWord('ΟΔΟΣ')).toBe(normalizeWord('οδοσ'));
  });

  it('keeps other scripts, including Hangul syllables (NFD would split them)', () => {
    expect(normalizeWord('Москва')).toBe('москва');
    expect(normalizeWord('한국어')).toBe('한국어');
    expect(normalizeWord('東京')).toBe('東京');
  });

  it('drops a possessive and removes other apostrophes, straight or curly', () => {
    expect(normalizeWord("BBC's")).toBe('bbc');
    expect(normalizeWord('BBC’s')).toBe('bbc');
    expect(normalizeWord('BBC＇s')).toBe('bbc');
    expect(normalizeWord("it's")).toBe('it');
    expect(normalizeWord("don't")).toBe('dont');
    expect(normalizeWord('don’t')).toBe('dont');
    expect(normalizeWord("O'Neill")).toBe('oneill');
    expect(normalizeWord("rock'n'roll")).toBe('rocknroll');
    // Only a final 's is possessive.
    expect(normalizeWord("'s")).toBe('s');
  });

  it('keeps a decimal point between digits and drops thousands separators and other periods', () => {
    expect(normalizeWord('3.5')).toBe('3.5');
    expect(normalizeWord('３．５')).toBe('3.5');
    expect(normalizeWord('1,000')).toBe('1000');
    expect(normalizeWord('1,000.25')).toBe('1000.25');
    expect(normalizeWord('U.S.A')).toBe('usa');
    expect(normalizeWord('v2.0')).toBe('v2.0');
  });

  it('removes invisible format characters', () => {
    expect(normalizeWord('hy\u00adphen')).toBe('hyphen');
    expect(normalizeWord('zero\u200bwidth')).toBe('zerowidth');
    expect(normalizeWord('\ufeffbom')).toBe('bom');
  });

  it(`truncates words longer than ${MAX_TERM_LENGTH} code units, never inside a surrogate pair`, () => {
    expect(normalizeWord('A'.repeat(100))).toBe('a'.repeat(MAX_TERM_LENGTH));
    const astral = `${'x'.repeat(MAX_TERM_LENGTH - 1)}𝐀𝐀`;
    const cut = normalizeWord(astral);
    // 𝐀 (mathematical bold A) is 'a' after NFKC: the word is ASCII by then.
    expect(cut).toBe(`${'x'.repeat(MAX_TERM_LENGTH - 1)}a`);
    const emojiWord = `${'y'.repeat(MAX_TERM_LENGTH - 1)}𠀀𠀀`;
    const kept = normalizeWord(emojiWord);
    expect(kept).toBe('y'.repeat(MAX_TERM_LENGTH - 1));
    expect(kept.length).toBeLessThanOrEqual(MAX_TERM_LENGTH);
  });
});

describe('termOf', () => {
  it('Porter-stems English words', () => {
    expect(termOf('running')).toBe('run');
    expect(termOf('runs')).toBe('run');
    // Porter does not know irregular forms.
    expect(termOf('ran')).toBe('ran');
    expect(termOf('budgets')).toBe('budget');
    expect(termOf('Budget')).toBe('budget');
    expect(termOf('ministerial')).toBe('ministeri');
    expect(termOf('ministers')).toBe('minist');
    expect(termOf('minister')).toBe('minist');
    expect(termOf('generalization')).toBe('gener');
    expect(termOf('happiness')).toBe('happi');
  });

  it('is undefined for stop words, after normalization', () => {
    expect(termOf('the')).toBeUndefined();
    expect(termOf('THE')).toBeUndefined();
    expect(termOf("it's")).toBeUndefined();
    expect(termOf('')).toBeUndefined();
    expect(isStopWord('of')).toBe(true);
    expect(isStopWord('budget')).toBe(false);
  });

  it('does not stem numbers, mixed words, other scripts or truncated words', () => {
    expect(termOf('1990s')).toBe('1990s');
    expect(termOf('mp3s')).toBe('mp3s');
    expect(termOf('москвы')).toBe('москвы');
    const long = 'abcdefghijklmnopqrstuvwxyz'.repeat(3);
    expect(termOf(long)).toBe(long.slice(0, MAX_TERM_LENGTH));
  });

  it('stems a folded word like its plain spelling', () => {
    expect(termOf('Cafés')).toBe(termOf('cafes'));
    expect(termOf('ＲＵＮＮＩＮＧ')).toBe('run');
  });
});

describe('word cache', () => {
  it('is bounded', () => {
    clearWordCache();
    for (let i = 0; i < 120_000; i++) wordForms(`w${i}x`);
    expect(wordCacheSize()).toBeLessThanOrEqual(50_000);
    expect(wordCacheSize()).toBeGreaterThan(0);
  });

  it('returns the same forms from the cache as computed', () => {
    clearWordCache();
    const cold = wordForms('Ministers');
    const warm = wordForms('Ministers');
    expect(warm).toBe(cold);
    expect(warm).toMatchObject({ normalized: 'ministers', term: 'minist' });
  });

  it('keeps recently used words across a turnover', () => {
    clearWordCache();
    const hot = wordForms('hotword');
    for (let i = 0; i < 60_000; i++) {
      wordForms(`cold${i}`);
      if (i % 1000 === 0) wordForms('hotword');
    }
    expect(wordForms('hotword')).toBe(hot);
  });

  it('does not cache very long words', () => {
    clearWordCache();
    wordForms('z'.repeat(500));
    expect(wordCacheSize()).toBe(0);
  });
});
