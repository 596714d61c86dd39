/**
 * Cue texts for the latency benchmark: sentences drawn from a word chain (order 2) built on the
 * evaluation set's transcripts, so a million cues keep the vocabulary, word frequencies and
 * sentence lengths of broadcast speech while being (nearly all) distinct.
 */
import { parseWebVtt } from '../src/search/timedtext/webvtt.parse.ts';
import { type Programme, readEval, readTranscript } from './search.client.ts';

function seeded(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
}

export class CueText {
  private readonly next = new Map<string, string[]>();
  private readonly starts: [string, string][] = [];
  private readonly random: () => number;

  constructor(seed = 1) {
    this.random = seeded(seed);
    for (const p of readEval<Programme[]>('programmes.json')) {
      for (const cue of parseWebVtt(readTranscript(p.key)).cues) {
        const words = cue.text.split(/\s+/).filter((w) => w !== '');
        if (words.length < 3) continue;
        this.starts.push([words[0] as string, words[1] as string]);
        for (let i = 0; i + 2 < words.length; i++) {
          const key = `${words[i]} ${words[i + 1]}`;
          const list = this.next.get(key) ?? [];
          list.push(words[i + 2] as string);
          this.next.set(key, list);
        }
      }
    }
  }

  /** A sentence of 6 to 18 words. */
  sentence(): string {
    const pick = <T>(list: readonly T[]) => list[Math.floor(this.random() * list.length)] as T;
    const [a, b] = pick(this.starts);
    const words = [a, b];
    const length = 6 + Math.floor(this.random() * 13);
    while (words.length < length) {
      const options = this.next.get(`${words[words.length - 2]} ${words[words.length - 1]}`);
      if (options === undefined) words.push(...pick(this.starts));
      else words.push(pick(options));
    }
    return words.join(' ');
  }
}
