import { describe, expect, it } from 'vitest';
import { MAX_TERM_LENGTH } from './analyze.normalize.ts';
import { analyze, analyzeBySegmenter, forEachToken, forEachWord, type Token } from './analyze.tokens.ts';

const terms = (text: string): string[] => analyze(text).map((t) => t.term);
const words = (text: string): string[] => analyze(text).map((t) => text.slice(t.start, t.end));

describe('analyze', () => {
  it('stems, lower-cases and leaves stop words out', () => {
    expect(terms('The Ministers were running the budgets')).toEqual(['minist', 'run', 'budget']);
  });

  it('counts stop words in positions', () => {
    const tokens = analyze('state of the art design');
    expect(tokens.map((t) => [t.term, t.position])).toEqual([
      ['state', 0],
      ['art', 3],
      ['design', 4],
    ]);
  });

  it('gives offsets of the original words', () => {
    const text = '  Hello,   wonderful   World! ';
    const tokens = analyze(text);
    expect(tokens.map((t) => [t.start, t.end])).toEqual([
      [2, 7],
      [11, 20],
      [23, 28],
    ]);
    expect(words(text)).toEqual(['Hello', 'wonderful', 'World']);
  });

  it('keeps offsets on the original string when normalization changes a word length', () => {
    // "ﬁ" is one code unit that NFKC makes two; "ß" becomes "ss"; e + U+0301 loses a unit.
    const text = 'ﬁne Straße cafe\u0301 ＢＢＣ news';
    const tokens = analyze(text);
    expect(tokens.map((t) => t.term)).toEqual(['fine', 'strass', 'cafe', 'bbc', 'new']);
    expect(words(text)).toEqual(['ﬁne', 'Straße', 'cafe\u0301', 'ＢＢＣ', 'news']);
    expect(tokens.at(-1)).toMatchObject({ start: text.length - 4, end: text.length });
  });

  it('drops possessives and keeps contractions one word, the same in every apostrophe', () => {
    expect(terms("The BBC's budget")).toEqual(['bbc', 'budget']);
    expect(terms('The BBC’s budget')).toEqual(['bbc', 'budget']);
    expect(terms("don't stop")).toEqual(terms('don’t stop'));
    expect(terms("don't stop")).toEqual(['dont', 'stop']);
    // "it's" -> "it": a stop word, but it keeps its position.
    expect(analyze("it's raining").map((t) => [t.term, t.position])).toEqual([['rain', 1]]);
    // A trailing apostrophe is not part of the word.
    expect(words("the students' union")).toEqual(['students', 'union']);
  });

  it('keeps numbers whole: decimals, thousands, versions', () => {
    expect(terms('3.5 million and 1,000 viewers in 2024')).toEqual([
      '3.5',
      'million',
      '1000',
      'viewer',
      '2024',
    ]);
    expect(terms('version v2.0 and 1.2.3')).toEqual(['version', 'v2.0', '1.2.3']);
    expect(terms('a 3.5% rise')).toEqual(['3.5', 'rise']);
    // A period ending a sentence is not a decimal point.
    expect(terms('in 2024. Later')).toEqual(['2024', 'later']);
  });

  it('splits hyphenated words, dates and times into adjacent words', () => {
    const tokens = analyze('state-of-the-art covid-19 2024-05-01 10:30');
    expect(tokens.map((t) => [t.term, t.position])).toEqual([
      ['state', 0],
      ['art', 3],
      ['covid', 4],
      ['19', 5],
      ['2024', 6],
      ['05', 7],
      ['01', 8],
      ['10', 9],
      ['30', 10],
    ]);
  });

  it('splits words that UAX #29 joins with periods, colons and underscores', () => {
    const text = 'see bbc.co.uk and flow_id or re:view';
    expect(terms(text)).toEqual(['see', 'bbc', 'co', 'uk', 'flow', 'id', 're', 'view']);
    expect(words(text)).toEqual(['see', 'bbc', 'co', 'uk', 'flow', 'id', 're', 'view']);
    expect(analyze('bbc.co.uk').map((t) => t.position)).toEqual([0, 1, 2]);
  });

  it('keeps single-letter acronyms whole', () => {
    expect(terms('the U.S.A. and the U.K.')).toEqual(['usa', 'uk']);
    expect(words('e.g. this')).toEqual(['e.g']);
  });

  it('removes soft hyphens inside words', () => {
    expect(terms('hy\u00adphen\u00adated')).toEqual(terms('hyphenated'));
    expect(analyze('hy\u00adphen')).toHaveLength(1);
  });

  it('segments CJK and Thai with the dictionary, and ignores emoji', () => {
    const cjk = analyze('東京都庁に行きました');
    expect(cjk.length).toBeGreaterThan(1);
    expect(cjk.map((t) => t.term).join('')).toBe('東京都庁に行きました');
    expect(analyze('สวัสดีครับ').length).toBeGreaterThan(1);
    expect(terms('😀 party 👍🏽 time 🏳️‍🌈')).toEqual(['parti', 'time']);
    expect(analyze('😀👍🏽')).toEqual([]);
  });

  it('survives lone surrogates, controls and empty input', () => {
    expect(analyze('')).toEqual([]);
    expect(analyze('   \n\t ')).toEqual([]);
    expect(terms('broken \ud800 pair \udc00 kept\u0000last')).toEqual(['broken', 'pair', 'kept', 'last']);
  });

  it(`truncates words longer than ${MAX_TERM_LENGTH} characters and keeps their position`, () => {
    const long = 'x'.repeat(200);
    const tokens = analyze(`start ${long} finish`);
    expect(tokens.map((t) => [t.term.length, t.position])).toEqual([
      [5, 0],
      [MAX_TERM_LENGTH, 1],
      [6, 2],
    ]);
    expect(tokens[1]).toMatchObject({ start: 6, end: 206 });
  });

  it('analyzes a query word like the same word in a document', () => {
    const text = 'The Minister’s running commentary on 3.5 BILLION cafés';
    const doc = analyze(text);
    expect(doc).toHaveLength(6);
    for (const token of doc) expect(terms(text.slice(token.start, token.end))).toEqual([token.term]);
    expect(terms('minister’s')).toEqual(terms("Minister's"));
  });

  it('has strictly increasing positions and ordered, in-bounds offsets', () => {
    const text = 'Mr. O’Neill’s state-of-the-art café_bar (v2.0) cost £1,000.50 — “really”? 東京 ok';
    const tokens = analyze(text);
    for (let i = 1; i < tokens.length; i++) {
      const prev = tokens[i - 1] as Token;
      const cur = tokens[i] as Token;
      expect(cur.position).toBeGreaterThan(prev.position);
      expect(cur.start).toBeGreaterThanOrEqual(prev.end);
    }
    for (const t of tokens) {
      expect(t.start).toBeGreaterThanOrEqual(0);
      expect(t.end).toBeLessThanOrEqual(text.length);
      expect(t.end).toBeGreaterThan(t.start);
    }
  });

  it('is deterministic', () => {
    const text = 'Ministers’ budgets, ﬁnal café 3.5 state-of-the-art';
    expect(analyze(text)).toEqual(analyze(text));
  });

  it('handles a 50 KB text', () => {
    const sentence = 'The Minister’s budget for 2024, state-of-the-art café <script>alert(1)</script> 東京. ';
    const text = sentence.repeat(Math.ceil(50_000 / sentence.length));
    const tokens = analyze(text);
    expect(tokens.length).toBeGreaterThan(5000);
    expect(tokens.at(-1)?.end).toBeLessThanOrEqual(text.length);
  });
});

describe('forEachToken and forEachWord', () => {
  it('visit the same tokens as analyze and return the word count', () => {
    const text = 'the state of the BBC’s art';
    const seen: Token[] = [];
    const count = forEachToken(text, (term, position, start, end) =>
      seen.push({ term, position, start, end }),
    );
    expect(seen).toEqual(analyze(text));
    expect(count).toBe(6);
  });

  it('forEachWord visits stop words with a null term and their normalized form', () => {
    const seen: [string, string | null, number][] = [];
    forEachWord('The BBC’s Café', (normalized, term, position) => seen.push([normalized, term, position]));
    expect(seen).toEqual([
      ['the', null, 0],
      ['bbc', 'bbc', 1],
      ['cafe', 'cafe', 2],
    ]);
  });
});

describe('fast scan', () => {
  it('gives the tokens Intl.Segmenter gives, on random texts of its alphabet', () => {
    const alphabet = [...'abZé19_.,:;\'’‘ -@/(\n"!?&$xÀÿ·–—“”…♪\u00a0', 'word', 'Don', '3', '2024', 'U.S'];
    let state = 0x2545f491;
    const random = (n: number): number => {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      return (state >>> 0) % n;
    };
    let mismatches = 0;
    for (let i = 0; i < 20_000; i++) {
      let text = '';
      const length = 1 + random(16);
      for (let k = 0; k < length; k++) text += alphabet[random(alphabet.length)];
      if (JSON.stringify(analyze(text)) !== JSON.stringify(analyzeBySegmenter(text))) mismatches++;
    }
    expect(mismatches).toBe(0);
  });

  it('agrees with Intl.Segmenter on typical English', () => {
    const text =
      "The BBC’s “state-of-the-art” studio — opened in 2024 at a cost of £1,000,000.50 — isn't U.S.-made: " +
      'see bbc.co.uk/news_live at 10:30… ♪ la la ♪';
    expect(analyze(text)).toEqual(analyzeBySegmenter(text));
    expect(analyze(text).length).toBeGreaterThan(15);
  });
});
