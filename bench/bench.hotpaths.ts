/**
 * `node --import tsx bench/bench.hotpaths.ts [--rounds N] [--dir PATH] [--duration S]`: the hot
 * paths of `npm run bench` alone (segment pages, single-segment POSTs, bulk POSTs), each against
 * its baseline in the same round, for several rounds on one small data set (the `--quick` set,
 * built once in --dir and copied for each round). For comparing two versions of the code on a
 * machine too busy for the whole benchmark: run it from each version's tree in turn and compare
 * the ratios to the baselines, round by round.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from './bench.args.ts';
import { buildDataset } from './bench.dataset.ts';
import { pageRuns, warm } from './bench.pages.ts';
import { placeRun } from './bench.place.ts';
import { bulkRuns, singleRuns } from './bench.posts.ts';
import type { Figure } from './bench.report.ts';
import { BULK_BATCH } from './bench.requests.ts';
import { startBaseline, startTams } from './bench.server.ts';

const argv = process.argv.slice(2);
const at = (flag: string) => argv.indexOf(flag);
const rounds = at('--rounds') >= 0 ? Number(argv[at('--rounds') + 1]) : 3;
const rest = argv.filter((a, i) => a !== '--rounds' && argv[i - 1] !== '--rounds');
const options = parseArgs(['--quick', ...rest]);
const log = (line: string) => process.stdout.write(`${line}\n`);
const BATCHES = 5;
const settings = { duration: options.duration, connections: options.connections, warmup: 1 };
const spare = Math.ceil((25_000 * (options.duration + 1)) / options.flows) + 20;

const built = await buildDataset(
  join(options.dir, 'dataset'),
  { flows: options.flows, segments: options.segments, spare, bulk: BULK_BATCH * BATCHES * rounds },
  true,
  log,
);
const WATCHED = [
  'segments GET ratio to baseline',
  'segments GET p99',
  'single-segment POST ratio to baseline',
  'single-segment POST p99',
  'bulk POST ratio to db/ insert',
];
const table: Record<string, number[]> = {};
for (let round = 0; round < rounds; round++) {
  const { place, dataset } = await placeRun(
    join(options.dir, 'dataset'),
    join(options.dir, 'run'),
    built,
    { mode: 'no', spare, bulk: BULK_BATCH * BATCHES },
    log,
  );
  const figures: Figure[] = [];
  const record = (f: Figure) => figures.push(f);
  const tams = await startTams(place.dir, {}, 600_000);
  try {
    const hot = dataset.flowIds.slice(0, options.hotFlows);
    await warm(tams, dataset, hot);
    const page = await (
      await fetch(`${tams.url}/flows/${hot[0]}/segments?limit=100`, { headers: tams.headers })
    ).text();
    const payload = join(options.dir, 'page.json');
    writeFileSync(payload, page);
    const baseline = await startBaseline(payload);
    try {
      await pageRuns(tams, baseline, dataset, hot, settings, record, () => {});
      await singleRuns(tams, baseline, dataset, place, settings, new Map(), options.dir, record, () => {});
    } finally {
      await baseline.stop();
    }
    await bulkRuns(
      tams,
      dataset,
      place,
      { batches: BATCHES, warmup: 1, scratch: options.dir },
      record,
      () => {},
    );
  } finally {
    await tams.stop();
  }
  for (const f of figures) {
    if (!WATCHED.includes(f.name)) continue;
    const values = table[f.name] ?? [];
    values.push(f.value);
    table[f.name] = values;
  }
  log(
    `round ${round + 1}: ${figures
      .filter((f) => WATCHED.includes(f.name))
      .map((f) => `${f.name} ${f.value.toFixed(2)}`)
      .join('; ')}`,
  );
}
for (const [name, values] of Object.entries(table)) {
  const sorted = [...values].sort((a, b) => a - b);
  log(
    `${name}: median ${sorted[Math.floor(sorted.length / 2)]?.toFixed(2)} of ${values.map((v) => v.toFixed(2)).join(', ')}`,
  );
}
