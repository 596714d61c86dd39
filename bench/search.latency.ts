/**
 * Search latency over a large index and indexing throughput: N cues as published transcripts of
 * hour-long Flows (1,000 cues each, every moment backed by 10 s segments), indexed by the server
 * itself; then sequential queries per mode, p50 and p99 as a client measures them.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SearchBenchOptions } from './bench.args.ts';
import type { Figure } from './bench.report.ts';
import { type RunningServer, startTams } from './bench.server.ts';
import { annRecall } from './search.ann.ts';
import { call, essenceOf, flowWithMedia, readEval, waitIndexed } from './search.client.ts';
import { CueText } from './search.corpus.ts';
import type { Mode } from './search.eval.ts';

const CUES_PER_FLOW = 1000;
/** Seconds between cue starts (1,000 cues over an hour). */
const SPACING = 3.6;

async function ingest(
  server: RunningServer,
  cues: number,
  text: CueText,
  log: (line: string) => void,
): Promise<string[]> {
  const flows = Math.ceil(cues / CUES_PER_FLOW);
  const transcripts: string[] = [];
  for (let f = 0; f < flows; f++) {
    const id = randomUUID();
    await flowWithMedia(
      server,
      {
        id,
        source_id: randomUUID(),
        format: 'urn:x-nmos:format:video',
        codec: 'video/h264',
        container: 'video/mp2t',
        label: `Archive programme ${f}`,
        essence_parameters: essenceOf('urn:x-nmos:format:video'),
      },
      CUES_PER_FLOW * SPACING + 10,
    );
    const n = Math.min(CUES_PER_FLOW, cues - f * CUES_PER_FLOW);
    const body = {
      flow_id: id,
      generator: 'bench',
      cues: Array.from({ length: n }, (_, i) => {
        const start = Math.round(i * SPACING * 1000);
        const end = start + 3000;
        return {
          timerange: `[${Math.floor(start / 1000)}:${(start % 1000) * 1e6}_${Math.floor(end / 1000)}:${(end % 1000) * 1e6})`,
          text: text.sentence(),
        };
      }),
    };
    const res = await call<{ id: string }>(server, 'POST', '/search/transcripts', body);
    if (res.status !== 201)
      throw new Error(`POST /search/transcripts: ${res.status} ${JSON.stringify(res.body)}`);
    transcripts.push(res.body.id);
    if ((f + 1) % 100 === 0) log(`    ${((f + 1) * CUES_PER_FLOW).toLocaleString('en')} cues posted`);
  }
  return transcripts;
}

/** Publishes every transcript and waits for the index: cues indexed per second. */
async function indexAll(
  server: RunningServer,
  transcripts: string[],
  cues: number,
  log: (line: string) => void,
): Promise<number> {
  await waitIndexed(server);
  const start = performance.now();
  for (const id of transcripts) {
    const res = await call(server, 'POST', `/search/transcripts/${id}/publish`);
    if (res.status !== 200) throw new Error(`publish: ${res.status}`);
  }
  let reported = 0;
  await waitIndexed(server, (status) => {
    if (status.documents - reported >= 100_000) {
      reported = status.documents;
      log(`    ${status.documents.toLocaleString('en')} documents indexed`);
    }
  });
  return cues / ((performance.now() - start) / 1000);
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

export async function runSearchLatency(
  options: SearchBenchOptions,
  log: (line: string) => void,
): Promise<{ figures: Figure[]; details: Record<string, unknown> }> {
  const figures: Figure[] = [];
  const text = new CueText(7);
  const keywordCues = Math.min(options.cues, options.quick ? options.cues : 200_000);

  if (!options.latencyOnly) {
    log(`media search: indexing ${keywordCues.toLocaleString('en')} cues without embeddings`);
    const plainDir = join(options.dir, 'search-plain');
    rmSync(plainDir, { recursive: true, force: true });
    mkdirSync(plainDir, { recursive: true });
    const plain = await startTams(plainDir, {
      TAMS_SEARCH: 'true',
      TAMS_SEARCH_EMBEDDINGS: 'none',
      TAMS_WORKER_IDLE_MS: '50',
    });
    try {
      const ids = await ingest(plain, keywordCues, text, log);
      figures.push({
        name: 'search indexing, keyword only',
        value: await indexAll(plain, ids, keywordCues, log),
        unit: 'cues/s',
      });
    } finally {
      await plain.stop();
    }
  }

  const dir = join(options.dir, `search-${options.cues}`);
  const marker = join(dir, 'bench-built.json');
  const env = { TAMS_SEARCH: 'true', TAMS_SEARCH_EMBEDDINGS: 'onnx', TAMS_WORKER_IDLE_MS: '50' };
  let server: RunningServer;
  let withEmbeddings: number | undefined;
  if (options.reuse && existsSync(marker)) {
    log(`media search: reusing the index of ${options.cues.toLocaleString('en')} cues in ${dir}`);
    withEmbeddings = (JSON.parse(readFileSync(marker, 'utf8')) as { cuesPerSecond: number }).cuesPerSecond;
    server = await startTams(dir, env);
  } else {
    log(`media search: indexing ${options.cues.toLocaleString('en')} cues with embeddings`);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    server = await startTams(dir, env);
    const ids = await ingest(server, options.cues, text, log);
    withEmbeddings = await indexAll(server, ids, options.cues, log);
    writeFileSync(marker, JSON.stringify({ cues: options.cues, cuesPerSecond: withEmbeddings }));
  }
  figures.push({ name: 'search indexing, with embeddings', value: withEmbeddings, unit: 'cues/s' });

  const details: Record<string, unknown> = { cues: options.cues };
  try {
    // A reused index may first have upkeep to do (an index of older code is trained and refiled).
    const settling = performance.now();
    const status = await waitIndexed(server, undefined, true);
    details.settledSeconds = Math.round((performance.now() - settling) / 100) / 10;
    log(
      `  index settled in ${details.settledSeconds} s (${status.vector_rows.toLocaleString('en')} vector rows)`,
    );
    details.documents = status.documents;
    details.parts = status.parts;
    details.vectorRows = status.vector_rows;
    details.rss = server.rss();
    const queries = readEval<{ q: string }[]>('queries.json').map((q) => q.q);
    const rounds = options.quick ? 100 : 400;
    const targets: Record<Mode, number> = { keyword: 50, semantic: 150, hybrid: 150 };
    for (const mode of options.modes) {
      const run = async (i: number) => {
        const q = queries[i % queries.length] as string;
        const started = performance.now();
        const res = await call(server, 'GET', `/search?${new URLSearchParams({ q, mode, limit: '10' })}`);
        if (res.status !== 200) throw new Error(`search (${mode}) ${q}: ${res.status}`);
        return performance.now() - started;
      };
      for (let i = 0; i < 30; i++) await run(i);
      const timed: { ms: number; q: string }[] = [];
      for (let i = 0; i < rounds; i++)
        timed.push({ ms: await run(i), q: queries[i % queries.length] as string });
      const times = timed.map((t) => t.ms).sort((a, b) => a - b);
      // The slowest queries, to tell what the tail is made of.
      details[`${mode}Slowest`] = timed
        .sort((a, b) => b.ms - a.ms)
        .slice(0, 8)
        .map((t) => ({ q: t.q, ms: Math.round(t.ms * 10) / 10 }));
      const label = `search ${mode} over ${options.cues.toLocaleString('en')} cues`;
      figures.push({ name: `${label}: p50`, value: percentile(times, 50), unit: 'ms', digits: 1 });
      figures.push({
        name: `${label}: p99`,
        value: percentile(times, 99),
        unit: 'ms',
        digits: 1,
        target: { max: targets[mode] },
      });
      log(
        `  ${mode}: p50 ${percentile(times, 50).toFixed(1)} ms, p99 ${percentile(times, 99).toFixed(1)} ms (${rounds} queries)`,
      );
    }
  } finally {
    await server.stop();
  }
  if (options.modes.includes('semantic')) {
    log('media search: what probing the vector index loses against exact search');
    figures.push(...(await annRecall(dir, options.cues, log)));
  }
  return { figures, details };
}
