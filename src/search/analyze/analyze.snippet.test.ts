import { describe, expect, it } from 'vitest';
import { parseQuery } from './analyze.query.ts';
import { escapeHtml, type Matcher, matcherOf, type Snippet, snippet } from './analyze.snippet.ts';

const matcher = (q: string): Matcher => matcherOf(parseQuery(q));
const marked = (s: Snippet): string[] => s.highlights.map(([a, b]) => s.text.slice(a, b));

const filler = (words: number, seed = 'lorem'): string =>
  Array.from({ length: words }, (_, i) => `${seed}${i % 7}`).join(' ');

describe('snippet', () => {
  it('returns a short text whole with its hits highlighted', () => {
    const s = snippet('The Prime Minister announced budget cuts.', matcher('budget minister'));
    expect(s.text).toBe('The Prime Minister announced budget cuts.');
    expect(marked(s)).toEqual(['Minister', 'budget']);
    expect(s.html).toBe('The Prime <mark>Minister</mark> announced <mark>budget</mark> cuts.');
  });

  it('returns the beginning of a long text without hits, cut at a word, with an ellipsis', () => {
    const text = filler(100);
    const s = snippet(text, matcher('absent'));
    expect(s.highlights).toEqual([]);
    expect(s.text.endsWith('…')).toBe(true);
    expect(s.text.startsWith('lorem0 lorem1')).toBe(true);
    expect(s.text.length).toBeLessThanOrEqual(160);
    // Cut at a word boundary: the last word before the ellipsis is whole.
    const lastWord = s.text.slice(0, -1).split(' ').at(-1) ?? '';
    expect(lastWord).toMatch(/^lorem\d$/);
    expect(s.html).toBe(s.text);
  });

  it('picks the window with the most distinct terms over one with more hits of one term', () => {
    const text = `${filler(40, 'aa')} budget budget budget budget ${filler(40, 'bb')} budget cuts ${filler(40, 'cc')}`;
    const s = snippet(text, matcher('budget cuts'));
    expect(marked(s)).toContain('cuts');
    expect(s.text.startsWith('…')).toBe(true);
    expect(s.text.endsWith('…')).toBe(true);
    expect(s.text.length).toBeLessThanOrEqual(160);
  });

  it('then the window with more hits, then the earliest', () => {
    const text = `${filler(40, 'aa')} budget ${filler(40, 'bb')} budget budget budget ${filler(40, 'cc')} budget`;
    const more = snippet(text, matcher('budget'));
    expect(marked(more)).toEqual(['budget', 'budget', 'budget']);
    const tie = `${filler(40, 'aa')} first budget ${filler(40, 'bb')} second budget ${filler(40, 'cc')}`;
    const earliest = snippet(tie, matcher('budget'));
    expect(earliest.text).toContain('first budget');
    expect(earliest.text).not.toContain('second');
  });

  it('puts context on both sides of the hits, cut at word boundaries', () => {
    const text = `${filler(60, 'before')} needle ${filler(60, 'after')}`;
    const s = snippet(text, matcher('needle'), { maxChars: 80 });
    expect(s.text.length).toBeLessThanOrEqual(80);
    const at = s.text.indexOf('needle');
    expect(at).toBeGreaterThan(20);
    expect(s.text.length - at).toBeGreaterThan(20);
    // Whole words at both cuts.
    expect(s.text).toMatch(/^…before\d /);
    expect(s.text).toMatch(/ after\d…$/);
  });

  it('highlights a phrase as one span, merging the terms inside it', () => {
    const s = snippet('Yesterday the prime minister of the day spoke', matcher('"prime minister" minister'));
    expect(marked(s)).toEqual(['prime minister']);
    const gap = snippet('A state-of-the-art studio', matcher('"state of the art"'));
    expect(marked(gap)).toEqual(['state-of-the-art']);
  });

  it('highlights prefix hits on the normalized word', () => {
    const s = snippet('The Budgetary office and BUDGETS, not budge', matcher('budget*'));
    expect(marked(s)).toEqual(['Budgetary', 'BUDGETS']);
    const folded = snippet('Un café crème', matcher('caf*'));
    expect(marked(folded)).toEqual(['café']);
  });

  it('highlights words whose normalization changed their length, on the original text', () => {
    const s = snippet('Une ﬁnale à Straße', matcher('finale strasse'));
    expect(marked(s)).toEqual(['ﬁnale', 'Straße']);
  });

  it('escapes HTML in text and highlights', () => {
    const text = `<script>alert("x")</script> & 'budget' <b>cuts</b>`;
    const s = snippet(text, matcher('budget script'));
    expect(s.text).toBe(text);
    expect(s.html).toBe(
      '&lt;<mark>script</mark>&gt;alert(&quot;x&quot;)&lt;/<mark>script</mark>&gt; &amp; &#39;<mark>budget</mark>&#39; &lt;b&gt;cuts&lt;/b&gt;',
    );
    expect(s.html).not.toMatch(/<(?!\/?mark>)/);
    expect(escapeHtml(`&<>"'`)).toBe('&amp;&lt;&gt;&quot;&#39;');
  });

  it('escapes a long text with markup cut in the middle', () => {
    const text = `${'<i>x</i> '.repeat(40)}<script>budget</script>${' <i>y</i>'.repeat(40)}`;
    const s = snippet(text, matcher('budget'));
    expect(marked(s)).toEqual(['budget']);
    expect(s.html).toContain('<mark>budget</mark>');
    expect(s.html.replace(/<\/?mark>/g, '')).not.toMatch(/[<>"']/);
  });

  it('keeps highlights inside the text and in order', () => {
    const text = `${filler(30)} budget cuts budget ${filler(30)} cuts ${filler(30)}`;
    const s = snippet(text, matcher('budget cuts'), { maxChars: 60 });
    let previous = 0;
    for (const [a, b] of s.highlights) {
      expect(a).toBeGreaterThanOrEqual(previous);
      expect(b).toBeGreaterThan(a);
      expect(b).toBeLessThanOrEqual(s.text.length);
      previous = b;
    }
    expect(s.highlights.length).toBeGreaterThan(0);
  });

  it('cuts inside a single word longer than the window, never inside a surrogate pair', () => {
    const huge = `${'😀'.repeat(10)}${'x'.repeat(400)}`;
    const s = snippet(`${huge} budget`, matcher('nomatch'), { maxChars: 40 });
    expect(s.text.length).toBeLessThanOrEqual(40);
    expect(s.text.endsWith('…')).toBe(true);
    expect(s.text.slice(0, -1)).not.toMatch(/[\ud800-\udbff]$/);
    const long = snippet(
      `start ${'y'.repeat(300)} end`,
      { terms: new Set([`${'y'.repeat(64)}`]), prefixes: [], phrases: [] },
      {
        maxChars: 40,
      },
    );
    expect(long.text.length).toBeLessThanOrEqual(40);
    expect(long.highlights).toHaveLength(1);
  });

  it('works with CJK text', () => {
    const text = `${'今日は良い天気です。'.repeat(20)}東京都庁に行きました。${'明日は雨です。'.repeat(20)}`;
    const s = snippet(text, { terms: new Set(['東京']), prefixes: [], phrases: [] }, { maxChars: 40 });
    expect(marked(s)).toEqual(['東京']);
    expect(s.text.length).toBeLessThanOrEqual(40);
  });

  it('takes a minimum maxChars', () => {
    const s = snippet(filler(50), matcher('lorem3'), { maxChars: 1 });
    expect(s.text.length).toBeLessThanOrEqual(16);
    expect(s.text.length).toBeGreaterThan(2);
  });

  it('stays bounded on a 50 KB text with many hits', () => {
    const text = 'budget cuts and the prime minister of the day <b>&</b> '.repeat(1000);
    expect(text.length).toBeGreaterThan(50_000);
    const s = snippet(text, matcher('"prime minister" budget cut* day'));
    expect(s.text.length).toBeLessThanOrEqual(160);
    expect(s.highlights.length).toBeGreaterThan(3);
  });
});
