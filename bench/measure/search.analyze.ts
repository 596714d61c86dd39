// Throughput of the analyzer, the query parser and snippets (not a test: numbers vary by machine).
// Run: node --import tsx bench/measure/search.analyze.ts
import { clearWordCache } from '../../src/search/analyze/analyze.normalize.ts';
import { parseQuery } from '../../src/search/analyze/analyze.query.ts';
import { matcherOf, snippet } from '../../src/search/analyze/analyze.snippet.ts';
import { analyze, analyzeBySegmenter, forEachToken } from '../../src/search/analyze/analyze.tokens.ts';

function xorshift(seed: number): (n: number) => number {
  let state = seed;
  return (n) => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) % n;
  };
}

const random = xorshift(0x9e3779b9);
const SYLLABLES = [
  'ba',
  'ker',
  'min',
  'is',
  'ter',
  'al',
  'bud',
  'get',
  'ing',
  'ed',
  'tion',
  'pro',
  'gram',
  'me',
  'st',
];
const STOPS = ['the', 'of', 'and', 'to', 'a', 'in', 'is', 'it', 'that', 'was'];
// A vocabulary of 200,000 words drawn with Zipf-like frequencies, so the word cache sees a
// realistic mix of frequent words and a long tail.
const VOCABULARY = Array.from({ length: 200_000 }, (_, i) => {
  let word = '';
  for (let n = i; word.length === 0 || n > 0; n = Math.floor(n / SYLLABLES.length)) {
    word += SYLLABLES[n % SYLLABLES.length];
  }
  return word;
});
const zipf = (): string =>
  VOCABULARY[Math.floor(VOCABULARY.length ** (random(1_000_000) / 1_000_000)) - 1] ?? '';

function cue(extra: string): string {
  const words: string[] = [];
  const n = 6 + random(9);
  for (let i = 0; i < n; i++) {
    const r = random(10);
    let w = r < 4 ? (STOPS[random(STOPS.length)] ?? 'the') : zipf();
    if (i === 0) w = w.charAt(0).toUpperCase() + w.slice(1);
    if (r === 9) w += '’s';
    words.push(w);
  }
  return `${words.join(' ')}${random(3) === 0 ? ',' : '.'}${extra}`;
}

function measure(
  label: string,
  texts: readonly string[],
  run: (text: string) => number,
  unit = 'tokens',
): void {
  const t0 = performance.now();
  let tokens = 0;
  for (const text of texts) tokens += run(text);
  const seconds = (performance.now() - t0) / 1000;
  const rate = Math.round(tokens / seconds).toLocaleString('en');
  const perText = Math.round(texts.length / seconds).toLocaleString('en');
  console.log(`${label.padEnd(44)} ${rate.padStart(12)} ${unit}/s ${perText.padStart(10)} texts/s`);
}

const CUES = 300_000;
const plain = Array.from({ length: CUES }, () => cue(''));
const kanji = Array.from({ length: CUES }, () => cue(' 東京'));
const count = (text: string): number => {
  let n = 0;
  forEachToken(text, () => {
    n++;
  });
  return n;
};

clearWordCache();
measure('analyze, cues, cold cache', plain, (t) => analyze(t).length);
measure('analyze, cues, warm cache', plain, (t) => analyze(t).length);
measure('forEachToken, cues', plain, count);
measure('analyze, cues via Intl.Segmenter (CJK in text)', kanji, (t) => analyze(t).length);
measure('analyzeBySegmenter, cues', plain, (t) => analyzeBySegmenter(t).length);

const description = Array.from({ length: 400 }, () => cue(' ')).join('');
const descriptions = Array.from({ length: 200 }, () => description);
console.log(`description: ${description.length} chars`);
measure('analyze, descriptions', descriptions, (t) => analyze(t).length);

const query = `"${zipf()} of the ${zipf()}" ${zipf()}* -${zipf()} `.repeat(40).slice(0, 1000);
const queries = Array.from({ length: 2000 }, () => query);
measure(
  'parseQuery, 1,000-char queries',
  queries,
  (q) => {
    const p = parseQuery(q);
    return p.terms.length + p.phrases.length + p.prefixes.length;
  },
  'clauses',
);

const matcher = matcherOf(parseQuery(`${zipf()} ${zipf()} "${zipf()} ${zipf()}" ${zipf().slice(0, 3)}*`));
measure('snippet, descriptions', descriptions, (t) => snippet(t, matcher).highlights.length, 'highlights');
