/**
 * `npm run bench -- --analytics [--quick]`: analytics over the bench data set. The server runs
 * as `npm start` does (its own process, the embedded engine, authentication on), on a copy of
 * the data set with object sizes recorded (analytics.sizes.ts). Prints and writes: every report's
 * p50 and p99 over sequential requests (target p99 < 1 s), the export's rows per second (Parquet
 * and CSV, whole table and one Flow), and the segment page p99 alone and while reports run.
 */
import { join } from 'node:path';
import type { AnalyticsBenchOptions } from './analytics.args.ts';
import { seedSizes } from './analytics.sizes.ts';
import { buildDataset, type Dataset, runCopy, segmentRange } from './bench.dataset.ts';
import { load } from './bench.load.ts';
import { type Figure, printTable, writeResults } from './bench.report.ts';
import { pickFlow, segmentsPath } from './bench.requests.ts';
import { type RunningServer, startTams } from './bench.server.ts';

const REPORT_TARGET_MS = 1000;

function percentile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? 0;
}

/** An hour of a Flow's timeline at a random place (1,800 two-second segments). */
function hourOf(dataset: Dataset): string {
  const k = BigInt(Math.floor(Math.random() * Math.max(1, dataset.segmentsPerFlow - 1800)));
  const start = segmentRange(k).start as bigint;
  const end = start + 3600n * 1_000_000_000n;
  const ts = (ns: bigint) => `${ns / 1_000_000_000n}:${ns % 1_000_000_000n}`;
  return `[${ts(start)}_${ts(end)})`;
}

function reports(dataset: Dataset): [string, () => string][] {
  const q = (path: string, query: Record<string, string>) => `${path}?${new URLSearchParams(query)}`;
  return [
    ['usage (a Flow, 1h buckets)', () => `/analytics/flows/${pickFlow(dataset)}/usage`],
    [
      'usage (an hour, 1m buckets)',
      () => q(`/analytics/flows/${pickFlow(dataset)}/usage`, { timerange: hourOf(dataset), bucket: '1m' }),
    ],
    ['coverage (a Flow)', () => `/analytics/flows/${pickFlow(dataset)}/coverage`],
    ['storage', () => '/analytics/storage'],
    ['durations (every segment)', () => '/analytics/segments/durations'],
    [
      'durations (per Flow, a page of 100)',
      () => q('/analytics/segments/durations', { group_by: 'flow', limit: '100' }),
    ],
    ['top by bytes', () => '/analytics/flows/top'],
    ['top by segments', () => q('/analytics/flows/top', { by: 'segments' })],
    ['top by rate (an hour)', () => q('/analytics/flows/top', { by: 'rate', timerange: hourOf(dataset) })],
  ];
}

async function timed(tams: RunningServer, path: string): Promise<number> {
  const started = performance.now();
  const res = await fetch(`${tams.url}${path}`, { headers: tams.headers });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${text.slice(0, 300)}`);
  return performance.now() - started;
}

/** Streams an export to nothing; its rows (from the header), bytes, seconds and first-byte time. */
async function exportRun(tams: RunningServer, query: Record<string, string>) {
  const started = performance.now();
  const res = await fetch(`${tams.url}/analytics/export?${new URLSearchParams(query)}`, {
    headers: tams.headers,
  });
  if (res.status !== 200 || res.body === null) throw new Error(`export: ${res.status} ${await res.text()}`);
  let bytes = 0;
  let first: number | undefined;
  for await (const chunk of res.body) {
    first ??= performance.now() - started;
    bytes += (chunk as Uint8Array).byteLength;
  }
  const seconds = (performance.now() - started) / 1000;
  return { rows: Number(res.headers.get('x-export-rows')), bytes, seconds, firstByteMs: first ?? 0 };
}

export async function runAnalyticsBench(
  options: AnalyticsBenchOptions,
  log: (line: string) => void,
): Promise<void> {
  const figures: Figure[] = [];
  const record = (figure: Figure) => {
    figures.push(figure);
    log(`  ${figure.name}: ${figure.value.toFixed(figure.digits ?? 0)} ${figure.unit}`);
  };
  log(`analytics benchmark: ${options.flows} flows, ${options.segments.toLocaleString('en')} segments`);
  const datasetDir = join(options.dir, 'dataset');
  const dataset = await buildDataset(
    datasetDir,
    { flows: options.flows, segments: options.segments, spare: 0, bulk: 0 },
    options.reuse,
    log,
  );
  const run = runCopy(datasetDir, join(options.dir, 'analytics-run'), log);
  const seedStarted = performance.now();
  const sized = await seedSizes(run, dataset, log);
  record({
    name: 'object sizes written (bench set-up)',
    value: sized / ((performance.now() - seedStarted) / 1000),
    unit: 'rows/s',
  });
  const tams = await startTams(run, { TAMS_ANALYTICS: 'true' });
  const results: Record<string, unknown> = {};
  try {
    log('each report once (first runs), then timed');
    const list = reports(dataset);
    for (const [, path] of list) await timed(tams, path());
    for (const [name, path] of list) {
      const times: number[] = [];
      for (let i = 0; i < options.runs; i++) times.push(await timed(tams, path()));
      times.sort((a, b) => a - b);
      record({ name: `${name} p50`, value: percentile(times, 0.5), unit: 'ms', digits: 1 });
      record({
        name: `${name} p99`,
        value: percentile(times, 0.99),
        unit: 'ms',
        digits: 1,
        target: { max: REPORT_TARGET_MS },
      });
    }

    log('exports (streamed)');
    const flow = pickFlow(dataset);
    for (const [name, query] of [
      ['export segments, whole table, Parquet', { table: 'segments', format: 'parquet' }],
      ['export segments, up to 1,000,000 rows, CSV', { table: 'segments', format: 'csv', limit: '1000000' }],
      ['export one Flow, Parquet', { table: 'segments', format: 'parquet', flow_id: flow }],
      ['export objects, whole table, Parquet', { table: 'objects', format: 'parquet' }],
    ] as const) {
      const e = await exportRun(tams, query);
      record({ name: `${name}: rows/s`, value: e.rows / e.seconds, unit: 'rows/s' });
      record({ name: `${name}: first byte`, value: e.firstByteMs, unit: 'ms', digits: 0 });
      record({ name: `${name}: size`, value: e.bytes / 2 ** 20, unit: 'MiB', digits: 1 });
    }

    log('segment pages: alone, then while reports run one after another');
    const common = {
      duration: options.duration,
      connections: options.connections,
      warmup: options.quick ? 1 : 3,
    };
    const pages = () =>
      load({
        ...common,
        url: tams.url,
        headers: tams.headers,
        next: () => ({ path: segmentsPath(dataset) }),
      });
    const alone = await pages();
    record({ name: 'segments GET p99, alone', value: alone.p99, unit: 'ms', digits: 1 });
    record({ name: 'segments GET req/s, alone', value: alone.rps, unit: 'req/s' });
    let running = true;
    let done = 0;
    const heavy = list.filter(([name]) => !name.startsWith('usage') && !name.startsWith('coverage'));
    const loop = (async () => {
      for (let i = 0; running; i++) {
        const [, path] = heavy[i % heavy.length] as [string, () => string];
        await timed(tams, path());
        done++;
      }
    })();
    const busy = await pages();
    running = false;
    await loop;
    record({ name: 'segments GET p99, reports running', value: busy.p99, unit: 'ms', digits: 1 });
    record({ name: 'segments GET req/s, reports running', value: busy.rps, unit: 'req/s' });
    record({ name: 'reports completed during that run', value: done, unit: '' });
    if (alone.failed > 0 || busy.failed > 0) throw new Error('segment pages failed');
    results.rss = tams.rss();
  } finally {
    await tams.stop();
  }
  printTable(figures, log);
  writeResults(options.out, { options, figures, ...results }, log);
}
