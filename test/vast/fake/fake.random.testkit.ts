import { prng } from '../../support/time/time.testkit.ts';
/** A seeded random source for the fake's randomised tests: the same seed, the same cases. */
export interface RandomSource {
  /** An integer in [0, n). */
  int(n: number): number;
  pick<T>(items: readonly T[]): T;
  /** True with probability p. */
  chance(p: number): boolean;
}

export function randomSource(seed: number): RandomSource {
  const next = prng(seed);
  return {
    int: (n) => Math.floor(next() * n),
    pick: (items) => items[Math.floor(next() * items.length)] as (typeof items)[number],
    chance: (p) => next() < p,
  };
}
