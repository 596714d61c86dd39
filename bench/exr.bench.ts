/**
 * `npm run bench -- --exr`: the EXR catalogue's two figures.
 *
 * 1. Headers parsed per second from memory: every OpenEXR sample of ../shared/exr-samples in
 *    turn, as the catalogue parses them (header only) and with the offset tables checked, and a
 *    whole inspection (parse, rows, metadata vector) without a database. The baseline, measured
 *    in the same run so that the machine's speed cancels out, is JSON.parse of the same headers'
 *    reference dumps (json/), which carry the same information as text.
 * 2. Inspections per second end to end on the embedded store: a tams-server (DuckDB, local media
 *    directory, authentication on) with TAMS_EXR on; N frames allocated, uploaded to their put
 *    URLs and registered as segments of one image Flow (container image/x-exr) in bulk; the clock
 *    runs from the first registration until /exr/stats counts every frame. Registration itself is
 *    compared with the same registrations on an image Flow of another container in the same run,
 *    which the catalogue ignores: inspection follows the outbox, so ingest should not slow.
 */

import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspectBytes } from '../src/exr/exr.inspect.ts';
import { CATALOGUE_PARSE } from '../src/exr/exr.read.ts';
import { parseExrBytes } from '../src/exr/parser/exr.parse.ts';
import { sampleBytes, sampleNames, samplesGate, sampleText } from '../tools/exr-files/exr.samples.ts';
import type { ExrBenchOptions } from './bench.args.ts';
import { type Figure, printTable, writeResults } from './bench.report.ts';
import { type RunningServer, startTams } from './bench.server.ts';
import { type Allocated, must } from './search.client.ts';

interface Sample {
  name: string;
  bytes: Uint8Array;
  dump: string;
}

/** Runs `once` over the samples in turn for about `seconds`; returns headers per second. */
function rate(samples: readonly Sample[], seconds: number, once: (s: Sample) => unknown): number {
  // A warm-up pass so that the figure is of optimised code.
  for (let i = 0; i < 200; i++) once(samples[i % samples.length] as Sample);
  let n = 0;
  const start = performance.now();
  const until = start + seconds * 1000;
  let now = start;
  while (now < until) {
    for (const s of samples) once(s);
    n += samples.length;
    now = performance.now();
  }
  return n / ((now - start) / 1000);
}

function parseFigures(samples: readonly Sample[], seconds: number, record: (f: Figure) => void): void {
  const baseline = rate(samples, seconds, (s) => JSON.parse(s.dump));
  record({ name: 'baseline: JSON.parse of the reference dumps', value: baseline, unit: 'headers/s' });
  const catalogue = rate(samples, seconds, (s) => parseExrBytes(s.bytes, s.bytes.length, CATALOGUE_PARSE));
  record({
    name: 'headers parsed from memory (as the catalogue parses)',
    value: catalogue,
    unit: 'headers/s',
  });
  record({ name: '  ratio to the baseline', value: catalogue / baseline, unit: '', digits: 2 });
  const full = rate(samples, seconds, (s) => parseExrBytes(s.bytes, s.bytes.length));
  record({ name: 'headers parsed with offset tables checked', value: full, unit: 'headers/s' });
  const now = new Date().toISOString();
  const inspected = rate(samples, seconds, (s) => inspectBytes(s.bytes, { path: `${s.name}.exr`, now }));
  record({ name: 'inspections in memory (parse, rows, vector)', value: inspected, unit: 'files/s' });
  record({ name: '  ratio to the baseline', value: inspected / baseline, unit: '', digits: 2 });
}

const FRAME_NS = 40_000_000;
const frameRange = (n: number) => {
  const ts = (ns: number) => `${Math.floor(ns / 1e9)}:${ns % 1e9}`;
  return `[${ts(n * FRAME_NS)}_${ts((n + 1) * FRAME_NS)})`;
};

/** An image Flow of `frames` frames (25 fps) with its objects uploaded; returns its segments. */
async function uploadedFlow(
  server: RunningServer,
  container: string,
  samples: readonly Sample[],
  frames: number,
): Promise<{ flowId: string; segments: { object_id: string; timerange: string }[] }> {
  const flowId = randomUUID();
  await must(server, 'PUT', `/flows/${flowId}`, {
    id: flowId,
    source_id: randomUUID(),
    format: 'urn:x-tam:format:image',
    codec: container,
    container,
    label: `Render ${container}`,
    segment_duration: { numerator: 1, denominator: 25 },
    essence_parameters: { frame_width: 64, frame_height: 48 },
  });
  const segments: { object_id: string; timerange: string }[] = [];
  while (segments.length < frames) {
    const got = await must<Allocated>(server, 'POST', `/flows/${flowId}/storage`, {
      limit: Math.min(500, frames - segments.length),
    });
    // Eight uploads in flight: the server's PUT route, not the client, sets the pace.
    const queue = [...got.media_objects];
    const at = segments.length;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        for (let o = queue.shift(); o !== undefined; o = queue.shift()) {
          const n = at + got.media_objects.indexOf(o);
          const put = await fetch(o.put_url.url, {
            method: 'PUT',
            headers: { ...o.put_url.headers, 'content-type': o.put_url['content-type'] },
            body: (samples[n % samples.length] as Sample).bytes,
          });
          if (put.status >= 300) throw new Error(`upload: ${put.status}`);
          await put.arrayBuffer();
        }
      }),
    );
    got.media_objects.forEach((o, i) => {
      segments.push({ object_id: o.object_id, timerange: frameRange(at + i) });
    });
  }
  return { flowId, segments };
}

/** Registers the segments in bulk POSTs of 500; returns the seconds it took. */
async function register(server: RunningServer, flowId: string, segments: readonly object[]): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < segments.length; i += 500) {
    await must(server, 'POST', `/flows/${flowId}/segments`, segments.slice(i, i + 500));
  }
  return (performance.now() - start) / 1000;
}

async function endToEnd(
  samples: readonly Sample[],
  frames: number,
  dir: string,
  record: (f: Figure) => void,
  log: (line: string) => void,
): Promise<void> {
  const server = await startTams(dir, { TAMS_EXR: 'true' });
  try {
    log(`  uploading ${frames.toLocaleString('en')} frames to each of two Flows`);
    // A first registration warms the server's write path, so neither measured one pays for it.
    const warm = await uploadedFlow(server, 'image/png', samples, Math.min(frames, 500));
    await register(server, warm.flowId, warm.segments);
    const plain = await uploadedFlow(server, 'image/png', samples, frames);
    const exr = await uploadedFlow(server, 'image/x-exr', samples, frames);
    const plainSeconds = await register(server, plain.flowId, plain.segments);
    const start = performance.now();
    const exrSeconds = await register(server, exr.flowId, exr.segments);
    let stats = { files: 0, failed: 0 };
    while (stats.files + stats.failed < frames) {
      await new Promise((r) => setTimeout(r, 50));
      stats = await must(server, 'GET', `/exr/stats?flow_id=${exr.flowId}`);
    }
    const seconds = (performance.now() - start) / 1000;
    if (stats.failed > 0) throw new Error(`${stats.failed} frames failed inspection`);
    record({ name: 'inspections end to end (embedded store)', value: frames / seconds, unit: 'files/s' });
    record({
      name: 'segment registration, EXR Flow',
      value: frames / exrSeconds,
      unit: 'segments/s',
    });
    record({
      name: '  ratio to the same on a non-EXR image Flow',
      value: plainSeconds / exrSeconds,
      unit: '',
      digits: 2,
    });
  } finally {
    await server.stop();
  }
}

export async function runExrBench(options: ExrBenchOptions, log: (line: string) => void): Promise<void> {
  const gate = samplesGate({ ...process.env, EXR_SAMPLES_REQUIRED: '1' });
  const samples = sampleNames(gate.dir).map((name) => ({
    name,
    bytes: sampleBytes(gate.dir, name),
    dump: sampleText(gate.dir, 'json', name) ?? '{}',
  }));
  if (samples.length === 0) throw new Error(`no OpenEXR samples in ${gate.dir}`);
  log(`EXR benchmark: ${samples.length} sample files of ${gate.dir}, ${options.frames} frames end to end`);
  const figures: Figure[] = [];
  const record = (figure: Figure) => {
    figures.push(figure);
    log(`  ${figure.name}: ${figure.value.toFixed(figure.digits ?? 0)} ${figure.unit}`);
  };
  parseFigures(samples, options.quick ? 1 : 5, record);
  if (options.dir !== undefined) mkdirSync(options.dir, { recursive: true });
  const dir = mkdtempSync(join(options.dir ?? tmpdir(), 'tams-exr-bench-'));
  try {
    await endToEnd(samples, options.frames, dir, record, log);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  printTable(figures, log);
  writeResults(options.out, { options, figures }, log);
}
