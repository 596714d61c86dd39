import { TimedTextError } from '../../../../src/search/timedtext/timedtext.types.ts';

/** Seconds (may be fractional, given as a decimal string to stay exact) as nanoseconds. */
export function ns(seconds: string | number): bigint {
  const [whole = '0', fraction = ''] = String(seconds).split('.');
  return BigInt(whole) * 1_000_000_000n + BigInt(fraction.padEnd(9, '0').slice(0, 9) || '0');
}

/**
 * A small seeded generator (xorshift32) so hostile-input tests are reproducible: the same seed
 * gives the same bytes on every run and machine.
 */
export class Prng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0 || 0x9e3779b9;
  }

  next(): number {
    let x = this.state;
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x >>> 0;
    return this.state;
  }

  /** An integer in [0, n). */
  below(n: number): number {
    return this.next() % n;
  }

  bytes(length: number): Uint8Array {
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i++) out[i] = this.below(256);
    return out;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.below(items.length)] as T;
  }
}

export const encode = (text: string): Uint8Array => new TextEncoder().encode(text);

/** The TimedTextError `run` throws; fails the test when it throws anything else or nothing. */
export function failure(run: () => unknown): TimedTextError {
  try {
    run();
  } catch (error) {
    if (error instanceof TimedTextError) return error;
    throw error;
  }
  throw new Error('expected a TimedTextError');
}

/** The TTML, parameter and metadata namespaces under their usual prefixes. */
export const TT_NAMESPACES =
  'xmlns="http://www.w3.org/ns/ttml" xmlns:ttp="http://www.w3.org/ns/ttml#parameter" xmlns:ttm="http://www.w3.org/ns/ttml#metadata"';

/** A TTML document with `body` as the body element's content, `attrs` on tt and `head` in head. */
export const ttmlDoc = (body: string, attrs = '', head = ''): string =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<tt ${TT_NAMESPACES} ${attrs}><head>${head}</head><body>${body}</body></tt>`;
