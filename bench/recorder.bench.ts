/**
 * `node --import tsx bench/recorder.bench.ts [--seconds N] [--ingest-seconds N] [--dir <dir>] [--quick]`:
 * what the live recorder costs (for BENCHMARKS.md; not run by the tests).
 *
 * A 1080p25 H.264 source (8 Mb/s, a key frame every 2 s, stereo AAC; made once by ffmpeg and
 * kept in `--dir`) is sent over UDP in real time by a second ffmpeg, as a camera or an encoder
 * would, and a tams-server (as `npm start` runs it, authentication on, on a small bench data set)
 * records it with one job: stream copy, no transcode. Printed as JSON and a table:
 * - CPU per recorded hour: the CPU of the server's process tree (Node and the recorder's ffmpeg)
 *   over `--seconds` of recording, less what the same tree used idle (once quiet) over as long,
 *   times the hours in an hour; as a share of one core too.
 * - Ingest beside it: single-segment POSTs as fast as they are answered (8 connections, each POST
 *   an object never used: the data set has enough) for `--ingest-seconds`, without the recording,
 *   with it, and without it again; the rate with it against the mean of the two without, measured
 *   in the same run. On 2 cores the load generator takes one: the recorder's CPU is taken from
 *   the server's.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readArgs } from './bench.argv.ts';
import { quietCpu, treeCpuMs } from './bench.cpu.ts';
import { buildDataset, runCopy } from './bench.dataset.ts';
import { type LoadResult, load } from './bench.load.ts';
import { singlePosts } from './bench.requests.ts';
import { freePort, type RunningServer, startTams } from './bench.server.ts';

interface Options {
  seconds: number;
  ingestSeconds: number;
  dir: string;
  quick: boolean;
}

const USAGE = 'recorder.bench.ts [--seconds N] [--ingest-seconds N] [--dir <dir>] [--quick]';
const options = readArgs(
  process.argv.slice(2),
  USAGE,
  { seconds: 120, ingestSeconds: 10, dir: join(tmpdir(), 'tams-bench-recorder'), quick: false } as Options,
  {
    '--seconds': { kind: 'int', key: 'seconds' },
    '--ingest-seconds': { kind: 'int', key: 'ingestSeconds' },
    '--dir': { kind: 'string', key: 'dir' },
    '--quick': { kind: 'set', key: 'quick' },
  },
);
if (options.quick) {
  options.seconds = Math.min(options.seconds, 20);
  options.ingestSeconds = Math.min(options.ingestSeconds, 3);
}
const log = (line: string) => process.stderr.write(`${line}\n`);
const FFMPEG = process.env.TAMS_RECORDER_FFMPEG ?? 'ffmpeg';
const CONNECTIONS = 8;
/** The source's length (looped by the sender): a minute, ten seconds in quick mode. */
const SOURCE_SECONDS = options.quick ? 10 : 60;

/** The source: a minute of 1080p25 test pattern and two-channel tone, as a broadcaster's encoder sends. */
function makeSource(file: string): void {
  if (existsSync(file)) return;
  log(`making ${SOURCE_SECONDS} s of 1080p25 H.264 in ${file}`);
  const partial = `${file}.partial.ts`;
  execFileSync(FFMPEG, [
    ...['-hide_banner', '-loglevel', 'error', '-nostdin', '-y'],
    ...['-f', 'lavfi', '-i', `testsrc2=size=1920x1080:rate=25:duration=${SOURCE_SECONDS}`],
    ...['-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${SOURCE_SECONDS}`],
    ...['-map', '0:v', '-map', '1:a'],
    ...['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p'],
    ...['-b:v', '8M', '-maxrate', '8M', '-bufsize', '16M'],
    ...['-g', '50', '-keyint_min', '50', '-sc_threshold', '0'],
    ...['-c:a', 'aac', '-b:a', '128k', '-ac', '2', partial],
  ]);
  renameSync(partial, file);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function api<T>(server: RunningServer, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: { ...server.headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return (text === '' ? undefined : JSON.parse(text)) as T;
}

interface Job {
  id: string;
  state: string;
  segments_written: number;
  lag_ms?: number;
  restarts: number;
  last_error?: string;
}

/** The server tree's CPU (ms) over `ms` of wall clock. */
async function cpuOver(pid: number, ms: number): Promise<number> {
  const before = treeCpuMs(pid);
  await sleep(ms);
  return treeCpuMs(pid) - before;
}

mkdirSync(options.dir, { recursive: true });
const source = join(options.dir, `source-1080p25-${SOURCE_SECONDS}s.ts`);
makeSource(source);
const dataset = await buildDataset(
  join(options.dir, 'dataset'),
  { flows: 20, segments: 20_000, spare: 8000, bulk: 0 },
  true,
  log,
);
const copy = runCopy(join(options.dir, 'dataset'), join(options.dir, 'run'), log);
// The workers at their default pace (TAMS_WORKER_IDLE_MS), as deployed: their polls are in the
// idle CPU subtracted.
const server = await startTams(copy, { TAMS_RECORDER_ALLOW: '127.0.0.1' });
const port = await freePort();
const sender = spawn(
  FFMPEG,
  [
    ...['-hide_banner', '-loglevel', 'error', '-nostdin', '-re', '-stream_loop', '-1', '-i', source],
    ...['-map', '0', '-c', 'copy', '-f', 'mpegts', `udp://127.0.0.1:${port}?pkt_size=1316`],
  ],
  { stdio: 'ignore' },
);
const next = singlePosts(dataset);
const ingest = () =>
  load({
    url: server.url,
    duration: options.ingestSeconds,
    warmup: options.quick ? 1 : 3,
    connections: CONNECTIONS,
    method: 'POST',
    headers: server.headers,
    next,
  });
const summary = (r: LoadResult) => ({
  posts_per_s: Math.round(r.rps),
  p50_ms: r.p50,
  p99_ms: r.p99,
  failed: r.failed,
});
const calm = () => quietCpu(() => treeCpuMs(server.pid), 120_000);
try {
  log('ingest without a recording');
  const before = await ingest();
  await calm();
  const idleMs = await cpuOver(server.pid, options.seconds * 1000);

  const job = await api<Job>(server, 'POST', '/recordings', {
    source: { url: `udp://127.0.0.1:${port}` },
    label: 'bench 1080p25',
  });
  const recording = async () => api<Job>(server, 'GET', `/recordings/${job.id}`);
  for (;;) {
    const j = await recording();
    if (j.state === 'recording' && j.segments_written >= 4) break;
    if (j.state === 'failed') throw new Error(`the job failed: ${j.last_error}`);
    await sleep(500);
  }
  log(`recording: ${options.seconds} s measured`);
  const segmentsBefore = (await recording()).segments_written;
  const recordingMs = await cpuOver(server.pid, options.seconds * 1000);
  const measured = await recording();
  log('ingest while recording');
  const during = await ingest();
  const last = await recording();
  await api(server, 'POST', `/recordings/${job.id}/stop`, {});
  await calm();
  log('ingest without a recording, again');
  const after = await ingest();

  const perHourCpuS = (((recordingMs - idleMs) / options.seconds) * 3600) / 1000;
  const without = (before.rps + after.rps) / 2;
  const result = {
    source: '1080p25 H.264 8 Mb/s + AAC stereo 128 kb/s, MPEG-TS over UDP, stream copy',
    recorded_seconds: options.seconds,
    segments_registered: measured.segments_written - segmentsBefore,
    server_tree_cpu_ms: { idle: idleMs, recording: recordingMs },
    cpu_seconds_per_recorded_hour: Math.round(perHourCpuS),
    share_of_a_core: Number(((recordingMs - idleMs) / (options.seconds * 1000)).toFixed(4)),
    lag_ms: last.lag_ms,
    restarts: last.restarts,
    ingest: {
      connections: CONNECTIONS,
      seconds: options.ingestSeconds,
      without_before: summary(before),
      with_recording: summary(during),
      without_after: summary(after),
      rate_with_vs_without: Number((during.rps / without).toFixed(3)),
    },
  };
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  log(
    `CPU per recorded hour: ${result.cpu_seconds_per_recorded_hour} s (${(result.share_of_a_core * 100).toFixed(2)} % of a core); ` +
      `ingest with the recording ${(result.ingest.rate_with_vs_without * 100).toFixed(1)} % of the rate without`,
  );
} finally {
  sender.kill('SIGKILL');
  await server.stop();
}
