import { NS_PER_SECOND } from './timestamp.ts';

/** Seconds as a fraction, as in the spec's rational schema (denominator defaults to 1). */
export interface Rational {
  readonly numerator: number | bigint;
  readonly denominator?: number | bigint;
}

export type Rounding = 'floor' | 'ceil' | 'nearest';

/**
 * Converts rational seconds (e.g. a sample duration 1001/30000) to nanoseconds. Exact values are
 * returned as is; otherwise `nearest` rounds halves away from zero.
 */
export function rationalToNs(r: Rational, rounding: Rounding = 'nearest'): bigint {
  let num = BigInt(r.numerator) * NS_PER_SECOND;
  let den = BigInt(r.denominator ?? 1);
  if (den === 0n) throw new RangeError('rational denominator must not be zero');
  if (den < 0n) {
    num = -num;
    den = -den;
  }
  const q = num / den; // truncates toward zero
  const rem = num % den; // same sign as num
  if (rem === 0n) return q;
  if (rounding === 'floor') return num < 0n ? q - 1n : q;
  if (rounding === 'ceil') return num < 0n ? q : q + 1n;
  const twice = (rem < 0n ? -rem : rem) * 2n;
  if (twice < den) return q;
  return num < 0n ? q - 1n : q + 1n;
}

/** Nanoseconds as reduced rational seconds, with a positive denominator. */
export function nsToRational(ns: bigint): { numerator: bigint; denominator: bigint } {
  const g = gcd(ns < 0n ? -ns : ns, NS_PER_SECOND);
  return { numerator: ns / g, denominator: NS_PER_SECOND / g };
}

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}
