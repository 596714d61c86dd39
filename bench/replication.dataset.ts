/**
 * The stores of the replication bench (replication.bench.ts): one Flow of N two-second segments,
 * written in the server's own process through its services (not over HTTP: the registration's
 * rules and writes, without a request per 1,000 segments), as the main bench's data set is
 * (bench.dataset.ts). Objects are allocated on the store's fs backend and given no bytes: a
 * tams-server origin hands out their `get_urls` (presigned, and the lasting unsigned one), which
 * is what a job by reference carries. Every segment has a `ts_offset`; every tenth a
 * `last_duration`. A store is built once in its folder and kept (its manifest says what it
 * holds); each run works on a copy (bench.dataset.ts runCopy).
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../src/config.ts';
import { buildRuntime, type Runtime } from '../src/deps.ts';
import type { SegmentPostBody } from '../src/segments/segments.objects.ts';
import { segmentRange } from './bench.dataset.ts';

/** Segments registered per call (a bulk POST's worth), and calls in flight (grouped by the Registrar). */
const PER_CALL = 1000;
const IN_FLIGHT = 4;
/** Objects allocated per transaction. */
const PER_ALLOCATION = 20_000;
/** Every segment's ts_offset: its object's timeline is 10 s behind the Flow's. */
export const TS_OFFSET = '10:0';
/** Every LAST_DURATION_EVERY-th segment says how long its last sample lasts (a 50 Hz frame). */
export const LAST_DURATION = '0:20000000';
export const LAST_DURATION_EVERY = 10;

export interface OneFlowStore {
  /** Bumped when what the builder writes changes: a kept store of another version is built again. */
  version: number;
  flowId: string;
  sourceId: string;
  segments: number;
  buildSeconds: number;
}

/** 2: built without the embedded accelerator (see oneFlowStore). */
const VERSION = 2;
const MANIFEST = 'replication-store.json';

export function flowBody(id: string, sourceId: string, label: string): Record<string, unknown> {
  return {
    id,
    source_id: sourceId,
    format: 'urn:x-nmos:format:video',
    codec: 'video/h264',
    container: 'video/mp2t',
    label,
    tags: { bench: 'replication' },
    essence_parameters: {
      frame_width: 1920,
      frame_height: 1080,
      frame_rate: { numerator: 50, denominator: 1 },
    },
  };
}

function segmentBody(index: number, objectId: string): SegmentPostBody {
  const body: SegmentPostBody = {
    object_id: objectId,
    timerange: segmentRange(BigInt(index)).format(),
    ts_offset: TS_OFFSET,
  };
  if (index % LAST_DURATION_EVERY === LAST_DURATION_EVERY - 1) body.last_duration = LAST_DURATION;
  return body;
}

/** Writes the Flow and its segments into the store `runtime` holds; answers the seconds it took. */
export async function writeFlow(
  runtime: Runtime,
  flow: { flowId: string; sourceId: string; segments: number; label: string },
  log: (line: string) => void,
): Promise<number> {
  const started = performance.now();
  await runtime.flows.put(flow.flowId, flowBody(flow.flowId, flow.sourceId, flow.label), 'bench');
  let reported = 0;
  for (let first = 0; first < flow.segments; first += PER_ALLOCATION) {
    const count = Math.min(PER_ALLOCATION, flow.segments - first);
    const objects = await runtime.storage.allocatePaths(flow.flowId, count);
    const calls: Promise<void>[] = [];
    const register = async (from: number): Promise<void> => {
      const bodies = objects
        .slice(from, from + PER_CALL)
        .map((o, i) => segmentBody(first + from + i, o.objectId));
      const failed = await runtime.segments.register(flow.flowId, bodies, '8.2');
      if (failed.length > 0)
        throw new Error(`${failed.length} segments refused, first: ${JSON.stringify(failed[0])}`);
    };
    for (let from = 0; from < count; from += PER_CALL) {
      calls.push(register(from));
      if (calls.length >= IN_FLIGHT) await Promise.all(calls.splice(0));
    }
    await Promise.all(calls);
    const written = first + count;
    if (Math.floor(written / 100_000) !== Math.floor(reported / 100_000) || written === flow.segments) {
      const seconds = (performance.now() - started) / 1000;
      log(
        `  ${flow.label}: ${written.toLocaleString('en')} segments (${seconds.toFixed(0)} s, ${Math.round(written / seconds).toLocaleString('en')}/s)`,
      );
      reported = written;
    }
  }
  return (performance.now() - started) / 1000;
}

function readManifest(dir: string): OneFlowStore | undefined {
  const file = join(dir, MANIFEST);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as OneFlowStore) : undefined;
}

/**
 * The embedded store in `dir` holding one Flow of `segments`: the one kept there when its manifest
 * matches (unless `rebuild`), else built anew.
 */
export async function oneFlowStore(
  dir: string,
  segments: number,
  label: string,
  rebuild: boolean,
  log: (line: string) => void,
): Promise<OneFlowStore> {
  const kept = rebuild ? undefined : readManifest(dir);
  if (kept?.version === VERSION && kept.segments === segments) {
    log(`reusing ${label} in ${dir} (${segments.toLocaleString('en')} segments)`);
    return kept;
  }
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  log(`building ${label} in ${dir}: one Flow of ${segments.toLocaleString('en')} segments`);
  // The core store, as the shared engines run it: its registrations delete the allocation rows of
  // the objects they use, which the embedded accelerator leaves to a running server's media
  // housekeeping (the store is left as housekeeping leaves it; before 938bfae a store left with
  // ~125,000 such rows or more did not start). It is also faster here: 8,557 segments/s at 1M
  // against 5,795 with the accelerator on, on a busy machine.
  const runtime = await buildRuntime(loadConfig({ TAMS_DATA_DIR: dir, TAMS_LOG_LEVEL: 'silent' }), {
    accelerator: false,
  });
  const store: OneFlowStore = {
    version: VERSION,
    flowId: randomUUID(),
    sourceId: randomUUID(),
    segments,
    buildSeconds: 0,
  };
  try {
    store.buildSeconds = await writeFlow(runtime, { ...store, label }, log);
  } finally {
    await runtime.close();
  }
  writeFileSync(join(dir, MANIFEST), JSON.stringify(store));
  log(
    `${label} built: ${segments.toLocaleString('en')} segments in ${store.buildSeconds.toFixed(0)} s (${Math.round(segments / store.buildSeconds).toLocaleString('en')}/s)`,
  );
  return store;
}

/**
 * The page Flow written into a store on a shared engine (PostgreSQL), which has no folder to keep:
 * built for each run, through a runtime on `env`, in `mediaDir`.
 */
export async function oneFlowOn(
  env: Record<string, string>,
  mediaDir: string,
  segments: number,
  label: string,
  log: (line: string) => void,
): Promise<OneFlowStore> {
  mkdirSync(mediaDir, { recursive: true });
  const runtime = await buildRuntime(
    loadConfig({ ...env, TAMS_DATA_DIR: mediaDir, TAMS_LOG_LEVEL: 'silent' }),
  );
  const store: OneFlowStore = {
    version: VERSION,
    flowId: randomUUID(),
    sourceId: randomUUID(),
    segments,
    buildSeconds: 0,
  };
  try {
    store.buildSeconds = await writeFlow(runtime, { ...store, label }, log);
  } finally {
    await runtime.close();
  }
  return store;
}
