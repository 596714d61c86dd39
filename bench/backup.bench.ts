/**
 * `node --import tsx bench/backup.bench.ts [--segments N] [--flows N] [--dataset <dir>] [--media-objects N]
 * [--media-bytes N] [--reuse]`: a backup of a large embedded store, its time and size, and what
 * ingest waits meanwhile (for BENCHMARKS.md; not run by the tests).
 *
 * The bench data set (bench.dataset.ts: Flows and segments written through the store) is copied,
 * `--media-objects` of its objects get `--media-bytes` of bytes each in the media directory (the
 * data set has none: the rest count as objects without bytes), and a tams-server runs on the
 * copy. Then, with single-segment POSTs running throughout (8 at a time, as live channels), a full
 * backup (`POST /backups`) and an incremental one from it; printed as JSON: each backup's time,
 * `writes_held_ms`, files and bytes, media counts, and the POSTs' p50/p99/max before and during.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { post } from '../mgmt/mgmt.backup.ts';
import { loadConfig } from '../src/config.ts';
import { buildRuntime } from '../src/deps.ts';
import { T } from '../src/store/tables.ts';
import { readArgs } from './bench.argv.ts';
import { buildDataset, dbBytes, runCopy } from './bench.dataset.ts';
import { singlePosts } from './bench.requests.ts';
import { type RunningServer, startTams } from './bench.server.ts';

interface Options {
  segments: number;
  flows: number;
  dataset: string;
  mediaObjects: number;
  mediaBytes: number;
  reuse: boolean;
}

const USAGE =
  'backup.bench.ts [--segments N] [--flows N] [--dataset <dir>] [--media-objects N] [--media-bytes N] [--reuse]';
const options = readArgs(
  process.argv.slice(2),
  USAGE,
  {
    segments: 10_000_000,
    flows: 1000,
    dataset: join(tmpdir(), 'tams-bench-dataset'),
    mediaObjects: 100_000,
    mediaBytes: 4096,
    reuse: false,
  } as Options,
  {
    '--segments': { kind: 'int', key: 'segments' },
    '--flows': { kind: 'int', key: 'flows' },
    '--dataset': { kind: 'string', key: 'dataset' },
    '--media-objects': { kind: 'int', key: 'mediaObjects' },
    '--media-bytes': { kind: 'int', key: 'mediaBytes' },
    '--reuse': { kind: 'set', key: 'reuse' },
  },
);
const log = (line: string) => process.stderr.write(`${line}\n`);

/** Bytes for the first `count` objects of the store in `dir`, written where the fs backend keeps them. */
async function writeMedia(dir: string, count: number, size: number): Promise<void> {
  const runtime = await buildRuntime(loadConfig({ TAMS_DATA_DIR: dir, TAMS_LOG_LEVEL: 'warn' }), {
    accelerator: false,
  });
  try {
    const rows = await runtime.db.select(T.objects, { columns: ['storage_path'], limit: count });
    const root = join(dir, 'media');
    const bytes = randomBytes(size);
    for (const row of rows) {
      const file = join(root, String(row.storage_path));
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, bytes);
    }
    log(`${rows.length} objects given ${size} bytes each`);
  } finally {
    await runtime.close();
  }
}

const percentile = (xs: number[], p: number) =>
  xs.length === 0
    ? 0
    : ([...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))] ?? 0);
const summary = (xs: number[]) => ({
  posts: xs.length,
  p50_ms: percentile(xs, 0.5),
  p99_ms: percentile(xs, 0.99),
  max_ms: xs.reduce((a, b) => Math.max(a, b), 0),
});

async function backup(
  server: RunningServer,
  body: object,
): Promise<{ ms: number; manifest: Record<string, unknown> }> {
  const started = performance.now();
  // Not fetch: it gives up after 5 minutes without response headers, and a backup of a large
  // store answers later than that.
  const res = await post(
    new URL(`${server.url}/backups`),
    { ...server.headers, 'content-type': 'application/json' },
    JSON.stringify(body),
  );
  const { text } = res;
  if (res.status !== 201) throw new Error(`POST /backups: ${res.status} ${text}`);
  return { ms: performance.now() - started, manifest: JSON.parse(text) as Record<string, unknown> };
}

const dataset = await buildDataset(
  options.dataset,
  { flows: options.flows, segments: options.segments, spare: 200, bulk: 0 },
  options.reuse,
  log,
);
const copy = runCopy(options.dataset, `${options.dataset}-backup-run`, log);
await writeMedia(copy, options.mediaObjects, options.mediaBytes);
const server = await startTams(copy, {}, 600_000);
const latencies: { at: number; ms: number }[] = [];
let stop = false;
const next = singlePosts(dataset);
const writers = Array.from({ length: 8 }, async () => {
  while (!stop) {
    const { path, body } = next();
    const sent = performance.now();
    const res = await fetch(`${server.url}${path}`, {
      method: 'POST',
      headers: { ...server.headers, 'content-type': 'application/json' },
      body,
    });
    await res.arrayBuffer();
    if (res.status !== 201) throw new Error(`POST ${path}: ${res.status}`);
    latencies.push({ at: sent, ms: performance.now() - sent });
  }
});
try {
  await new Promise((resolve) => setTimeout(resolve, 5000));
  const began = performance.now();
  const full = await backup(server, { name: 'bench-full' });
  const ended = performance.now();
  const incremental = await backup(server, { name: 'bench-incremental', incremental_from: 'bench-full' });
  stop = true;
  await Promise.all(writers);
  const pick = (from: number, to: number) =>
    latencies.filter((l) => l.at >= from && l.at < to).map((l) => l.ms);
  const result = {
    segments: dataset.segments,
    flows: dataset.flows,
    database_bytes: dbBytes(copy),
    media_objects_with_bytes: options.mediaObjects,
    full: { seconds: full.ms / 1000, ...full.manifest, tables: undefined },
    incremental: { seconds: incremental.ms / 1000, ...incremental.manifest, tables: undefined },
    posts_before: summary(pick(0, began)),
    posts_during_full: summary(pick(began, ended)),
  };
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
} finally {
  stop = true;
  await server.stop();
}
