/**
 * `npm run fuzz:exr [-- --runs N] [--seed S]`: the OpenEXR header parser's fuzz property
 * (tools/exr-files/exr.fuzz.ts) for a million cases by default, where the unit tests run a few
 * thousand. Prints the rate, what the cases came to (a header, or each ExrParseError code), the
 * slowest case and the peak memory; on a failure, the shrunk case and the seed to replay it.
 */
import fc from 'fast-check';
import { checkCase, fuzzCase, fuzzSeeds, type Outcome } from '../tools/exr-files/exr.fuzz.ts';

function option(name: string): number | undefined {
  const i = process.argv.indexOf(name);
  if (i === -1) return undefined;
  const value = Number(process.argv[i + 1]);
  if (!Number.isSafeInteger(value)) throw new Error(`${name} needs a whole number`);
  return value;
}

const runs = option('--runs') ?? 1_000_000;
const seed = option('--seed') ?? Math.floor(Math.random() * 0x7fff_ffff);
const seeds = fuzzSeeds();
const outcomes = new Map<Outcome, number>();
let done = 0;
let slowest = 0;
const started = performance.now();
const rate = () => Math.round(done / ((performance.now() - started) / 1000));

process.stdout.write(`fuzz:exr: ${runs} cases over ${seeds.length} seed files, seed ${seed}\n`);
const result = await fc.check(
  fc.asyncProperty(fuzzCase(seeds.length), async (c) => {
    const report = await checkCase(seeds, c, 2000);
    outcomes.set(report.outcome, (outcomes.get(report.outcome) ?? 0) + 1);
    slowest = Math.max(slowest, report.ms);
    if (++done % 100_000 === 0) process.stdout.write(`  ${done} cases, ${rate()}/s\n`);
  }),
  { numRuns: runs, seed },
);

const seconds = (performance.now() - started) / 1000;
process.stdout.write(`${done} cases in ${seconds.toFixed(1)} s: ${rate()} cases/s\n`);
for (const [outcome, n] of [...outcomes].sort((a, b) => b[1] - a[1])) {
  process.stdout.write(`  ${outcome.padEnd(20)} ${n} (${((100 * n) / done).toFixed(2)}%)\n`);
}
process.stdout.write(
  `slowest case ${slowest.toFixed(1)} ms; peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MiB\n`,
);
if (result.failed) {
  process.stdout.write(`${fc.defaultReportMessage(result)}\n`);
  process.exit(1);
}
