/**
 * Mutated and truncated sample headers parse or fail with ExrParseError (tools/exr-files/exr.fuzz.ts).
 * EXR_FUZZ_RUNS sets the number of cases (default 2000); `npm run fuzz:exr` runs a million.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkCase, fuzzCase, fuzzSeeds, type Outcome } from '../../../tools/exr-files/exr.fuzz.ts';

const RUNS = Number(process.env.EXR_FUZZ_RUNS ?? 2000);

describe('the parser under mutated input', () => {
  it(`returns a header or throws ExrParseError, the same from memory and from a source (${RUNS} cases)`, async () => {
    const seeds = fuzzSeeds();
    const outcomes = new Map<Outcome, number>();
    await fc.assert(
      fc.asyncProperty(fuzzCase(seeds.length), async (c) => {
        const { outcome } = await checkCase(seeds, c, 2000);
        outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
      }),
      { numRuns: RUNS },
    );
    // The mutations reach past the magic: some cases parse, some fail deep in the header.
    expect(outcomes.get('header')).toBeGreaterThan(0);
    expect(outcomes.size).toBeGreaterThan(4);
  }, 600_000);
});
