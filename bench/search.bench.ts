/**
 * `npm run bench -- --search [--quick] [--cues N] [--modes LIST] [--latency-only] [--dir PATH]
 * [--reuse] [--out FILE]`: media search. Quality on the labelled evaluation set (recall@10, MRR
 * per mode), then latency per mode over an index of N cues (1,000,000 by default, 10,000 with
 * --quick) and indexing throughput with and without embeddings, each against a tams-server
 * process of its own. `--latency-only` measures the latency alone (see bench.args.ts).
 */
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { searchModelDir } from '../src/search/embed/embed.model.ts';
import type { SearchBenchOptions } from './bench.args.ts';
import { type Figure, printTable, writeResults } from './bench.report.ts';
import { startTams } from './bench.server.ts';
import { type EvalResult, runSearchEval } from './search.eval.ts';
import { runSearchLatency } from './search.latency.ts';

export async function runSearchBench(
  options: SearchBenchOptions,
  log: (line: string) => void,
): Promise<boolean> {
  if (!existsSync(join(searchModelDir(), 'manifest.json'))) {
    throw new Error('the search benchmark needs the embedding model: run `npm run search:model` first');
  }
  const figures: Figure[] = [];
  let quality: EvalResult | undefined;
  if (!options.latencyOnly) {
    quality = await measureQuality(options, log);
    figures.push(...quality.figures);
  }
  const latency = options.qualityOnly ? undefined : await runSearchLatency(options, log);
  figures.push(...(latency?.figures ?? []));
  printTable(figures, log);
  writeResults(
    options.out,
    { options, figures, quality: quality?.scores, checks: quality?.checks, latency: latency?.details },
    log,
  );
  return quality?.checks.every((c) => c.ok) ?? true;
}

async function measureQuality(options: SearchBenchOptions, log: (line: string) => void): Promise<EvalResult> {
  log('media search: quality on the evaluation set (bench/search-eval)');
  const evalDir = join(options.dir, 'search-eval');
  rmSync(evalDir, { recursive: true, force: true });
  mkdirSync(evalDir, { recursive: true });
  const server = await startTams(evalDir, {
    TAMS_SEARCH: 'true',
    TAMS_SEARCH_EMBEDDINGS: 'onnx',
    TAMS_WORKER_IDLE_MS: '50',
  });
  try {
    return await runSearchEval(server, log);
  } finally {
    await server.stop();
  }
}
