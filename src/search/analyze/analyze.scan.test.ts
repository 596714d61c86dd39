import { describe, expect, it } from 'vitest';
import { isScannable, scanWords } from './analyze.scan.ts';

const SEGMENTER = new Intl.Segmenter('en', { granularity: 'word' });
const UNDERSCORES = /^_+$/;

function scanned(text: string): string[] {
  const out: string[] = [];
  scanWords(text, (start, end) => out.push(`${start}:${text.slice(start, end)}`));
  return out;
}

function segmented(text: string): string[] {
  const out: string[] = [];
  for (const s of SEGMENTER.segment(text)) {
    if (s.isWordLike && !UNDERSCORES.test(s.segment)) out.push(`${s.index}:${s.segment}`);
  }
  return out;
}

function xorshift(seed: number): (n: number) => number {
  let state = seed;
  return (n) => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) % n;
  };
}

describe('scanWords', () => {
  it('finds the word-like segments of Intl.Segmenter on random texts of its alphabet', () => {
    const alphabet = [...'aZé19_.,:;\'’‘ -@/(\n"!?&$ÿÀ·–—“”…♪\u00a0\t£€•«»°½²¿', 'ab', '12'];
    const random = xorshift(0x1234567);
    const mismatches: string[] = [];
    for (let i = 0; i < 30_000; i++) {
      let text = '';
      const length = 1 + random(14);
      for (let k = 0; k < length; k++) text += alphabet[random(alphabet.length)];
      expect(isScannable(text)).toBe(true);
      if (scanned(text).join('|') !== segmented(text).join('|')) mismatches.push(text);
    }
    expect(mismatches.slice(0, 5)).toEqual([]);
  });

  it('joins by the UAX #29 rules', () => {
    expect(scanned("don't 3.5 1,000 a.b a:b 1:2 a,b a1 1a a'1 foo_bar _x")).toEqual([
      "0:don't",
      '6:3.5',
      '10:1,000',
      '16:a.b',
      '20:a:b',
      '24:1',
      '26:2',
      '28:a',
      '30:b',
      '32:a1',
      '35:1a',
      '38:a',
      '40:1',
      '42:foo_bar',
      '50:_x',
    ]);
  });

  it('does not take texts outside its alphabet', () => {
    expect(isScannable('plain text, “quoted” — café… ♪')).toBe(true);
    expect(isScannable('£5 or €5, 20°C, x², «non»')).toBe(true);
    for (const text of ['東京', 'a\u00adb', 'µs', '1ª', 'emoji 😀', 'ΟΔΟΣ', 'a\u200db', 'ﬁ', '\u0085']) {
      expect(isScannable(text)).toBe(false);
    }
  });
});
