/**
 * The benchmark's data set, built through the server's own store (not over HTTP, which would
 * take hours for ten million segments): Flows through the Flows service, segments, objects and
 * references through the store's repositories, in the order a fleet of live channels writes
 * them (every Flow's next few segments, then the next), with object ids made as the server's
 * storage allocation makes them.
 */
import { randomUUID } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultObjectPath, newObjectId } from '../src/common/object-ids.ts';
import { loadConfig } from '../src/config.ts';
import { buildRuntime, type Runtime } from '../src/deps.ts';
import type { ObjectRecord } from '../src/store/objects.repo.ts';
import type { SegmentRecord } from '../src/store/segments.repo.ts';
import { T } from '../src/store/tables.ts';
import { TimeRange } from '../src/time/index.ts';
import { allocateForRuns } from './bench.allocate.ts';

export const SEGMENT_SECONDS = 2n;
/** Timeline origin: a TAI-like timestamp, as live ingest produces. */
export const ORIGIN_SECONDS = 1_700_000_000n;
const NS = 1_000_000_000n;
/**
 * Rows written per transaction: one DuckDB row group (122,880 rows). Each such commit passes the
 * WAL's checkpoint threshold, so each checkpoint writes one nearly full row group per table, as a
 * server that has been ingesting for a while has them (its checkpoints merge the small groups
 * that trickled in). With 50,000 rows, the checkpoints wrote groups of 100,000, and every
 * checkpoint of the runs then merged and rewrote two or three of them: 438-738 ms for the slow
 * ones, against 49-183 ms for the same appends to a data set of full groups (docs/benchmarks-history.md).
 */
const CHUNK_ROWS = 122_880;

export interface Dataset {
  flows: number;
  segments: number;
  flowIds: string[];
  segmentsPerFlow: number;
  /** Objects allocated but not yet used, per Flow, for the single-segment POST run. */
  spare: Record<string, string[]>;
  /** A Flow without segments and objects allocated for it, for the bulk POST run. */
  bulkFlow: string;
  bulkObjects: string[];
  buildSeconds: number;
}

export function segmentRange(index: bigint): TimeRange {
  const start = (ORIGIN_SECONDS + index * SEGMENT_SECONDS) * NS;
  return TimeRange.fromBounds(start, start + SEGMENT_SECONDS * NS, true, false);
}

function flowBody(id: string, index: number) {
  return {
    id,
    source_id: randomUUID(),
    format: 'urn:x-nmos:format:video',
    codec: 'video/h264',
    container: 'video/mp2t',
    label: `bench channel ${index}`,
    tags: { bench: 'true', group: String(index % 10) },
    essence_parameters: {
      frame_width: 1920,
      frame_height: 1080,
      frame_rate: { numerator: 50, denominator: 1 },
    },
  };
}

export function dbFile(dir: string): string {
  return join(dir, 'tams.duckdb');
}

export function dbBytes(dir: string): number {
  return [dbFile(dir), `${dbFile(dir)}.wal`].reduce((n, f) => n + (existsSync(f) ? statSync(f).size : 0), 0);
}

/** A fresh copy of the built data set in `target`, for one run to change. */
export function runCopy(dataset: string, target: string, log: (line: string) => void): string {
  const started = performance.now();
  rmSync(target, { recursive: true, force: true });
  cpSync(dataset, target, { recursive: true });
  log(`data set copied for this run (${((performance.now() - started) / 1000).toFixed(1)} s)`);
  return target;
}

const MANIFEST = 'bench-dataset.json';
/**
 * Written before a build's first round and removed when its manifest is written: a folder with
 * this file and no manifest holds a build that stopped half way, which `--reuse` resumes.
 */
const PROGRESS = 'bench-build.json';

interface BuildProgress {
  flows: number;
  segments: number;
  flowIds: string[];
  bulkFlow: string;
  /** Seconds spent by the attempts before this one. */
  seconds: number;
}

function readJson<T>(file: string): T | undefined {
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as T) : undefined;
}

/** Whether the data set in `dir` is complete (a build that stopped half way has no manifest). */
export function readManifest(dir: string): Dataset | undefined {
  return readJson<Dataset>(join(dir, MANIFEST));
}

export function writeManifest(dir: string, dataset: Dataset): void {
  writeFileSync(join(dir, MANIFEST), JSON.stringify(dataset));
}

type Size = { flows: number; segments: number; spare: number; bulk: number };

function enoughObjects(kept: Dataset, size: Size): boolean {
  return (
    kept.bulkObjects.length >= size.bulk && Object.values(kept.spare).every((ids) => ids.length >= size.spare)
  );
}

/**
 * The data set in `dir`: with `reuse`, the one built there before when it has this size (with
 * more objects allocated if it has too few for these runs), or the rest of a build of this size
 * that stopped half way; else built anew.
 */
export async function buildDataset(
  dir: string,
  size: Size,
  reuse: boolean,
  log: (line: string) => void,
  /** Settings of the store it is written through (TAMS_DB=vast and its TAMS_VAST_*). */
  env: Record<string, string> = {},
): Promise<Dataset> {
  const kept = reuse ? readManifest(dir) : undefined;
  if (kept && kept.flows === size.flows && kept.segments === size.segments) {
    if (enoughObjects(kept, size)) {
      log(`reusing the data set in ${dir}`);
      return kept;
    }
    log(`reusing the data set in ${dir}, with more objects allocated for the POST runs`);
    return reallocate(dir, kept, size, env);
  }
  const progressFile = join(dir, PROGRESS);
  let progress = reuse && !kept ? readJson<BuildProgress>(progressFile) : undefined;
  if (progress?.flows !== size.flows || progress.segments !== size.segments) progress = undefined;
  if (progress === undefined) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    progress = {
      flows: size.flows,
      segments: size.segments,
      flowIds: Array.from({ length: size.flows }, () => randomUUID()),
      bulkFlow: randomUUID(),
      seconds: 0,
    };
    writeFileSync(progressFile, JSON.stringify(progress));
  }
  const started = performance.now();
  const before = progress.seconds;
  const spent = () => before + (performance.now() - started) / 1000;
  const runtime = await buildRuntime(loadConfig({ ...env, TAMS_DATA_DIR: dir, TAMS_LOG_LEVEL: 'silent' }));
  let dataset: Dataset;
  try {
    const { flowIds, bulkFlow } = progress;
    const perFlow = Math.floor(size.segments / size.flows);
    const written = await runtime.db.count(T.segments);
    if (written % size.flows !== 0) throw new Error(`${dir}: ${written} segments is not a whole round`);
    if (written === 0) {
      // PUT creates or replaces: a build stopped among these puts does them again.
      for (const [i, id] of flowIds.entries()) await runtime.flows.put(id, flowBody(id, i), 'bench');
      await runtime.flows.put(bulkFlow, flowBody(bulkFlow, size.flows), 'bench');
    } else {
      log(`resuming the build in ${dir}: ${written.toLocaleString('en')} segments were written`);
    }
    await writeRounds(runtime, flowIds, { from: written / size.flows, perFlow }, log, () => {
      writeFileSync(progressFile, JSON.stringify({ ...progress, seconds: spent() }));
    });
    const envelope = TimeRange.fromBounds(
      segmentRange(0n).start,
      segmentRange(BigInt(perFlow - 1)).end,
      true,
      false,
    );
    const now = new Date();
    await runtime.store.transaction(async (tx) => {
      for (const flowId of flowIds) await tx.flows.setSegmentsState(flowId, envelope, now);
    });
    const allocated = await allocateForRuns(runtime, progress, size);
    dataset = {
      flows: size.flows,
      segments: size.segments,
      flowIds,
      segmentsPerFlow: perFlow,
      ...allocated,
      bulkFlow,
      buildSeconds: spent(),
    };
  } finally {
    await runtime.close();
  }
  writeManifest(dir, dataset);
  rmSync(progressFile, { force: true });
  log(
    `data set built: ${size.segments.toLocaleString('en')} segments in ${dataset.buildSeconds.toFixed(0)} s (${Math.round(size.segments / dataset.buildSeconds).toLocaleString('en')} segments/s)`,
  );
  return dataset;
}

/**
 * Objects for the POST runs in a kept data set, besides those it holds unused: enough for `size`.
 * Opening the store also replays a write-ahead log a run killed left behind.
 */
export async function reallocate(
  dir: string,
  kept: Dataset,
  size: { spare: number; bulk: number },
  env: Record<string, string> = {},
): Promise<Dataset> {
  const runtime = await buildRuntime(loadConfig({ ...env, TAMS_DATA_DIR: dir, TAMS_LOG_LEVEL: 'silent' }));
  let dataset: Dataset;
  try {
    dataset = { ...kept, ...(await allocateForRuns(runtime, kept, size, kept)) };
  } finally {
    await runtime.close();
  }
  writeManifest(dir, dataset);
  return dataset;
}

/**
 * The segments, their objects and references, round by round from Flow position `from`: every
 * Flow's next few segments, then the next (one transaction and three bulk inserts per round,
 * whatever the number of Flows). `saved` is called after each commit (the time spent so far).
 */
async function writeRounds(
  runtime: Runtime,
  flowIds: readonly string[],
  span: { from: number; perFlow: number },
  log: (line: string) => void,
  saved: () => void,
): Promise<void> {
  const { store } = runtime;
  const storageId = runtime.media.descriptors()[0]?.id as string;
  const perRound = Math.max(1, Math.floor(CHUNK_ROWS / flowIds.length));
  const started = performance.now();
  const now = new Date();
  let written = span.from * flowIds.length;
  for (let first = span.from; first < span.perFlow; first += perRound) {
    const last = Math.min(span.perFlow, first + perRound);
    const segments: SegmentRecord[] = [];
    const objects: ObjectRecord[] = [];
    for (const flowId of flowIds) {
      for (let k = first; k < last; k++) {
        const objectId = newObjectId();
        const path = defaultObjectPath(flowId, objectId);
        objects.push({
          id: objectId,
          storage_id: storageId,
          storage_path: path,
          allocated_for: flowId,
          created: now,
          registered: true,
          // What the registration of its segment sets (the object is all of it).
          times: { timerange: segmentRange(BigInt(k)), key_frame_count: 1 },
        });
        segments.push({
          flow_id: flowId,
          object_id: objectId,
          timerange: segmentRange(BigInt(k)),
          storage: { id: storageId, path },
          key_frame_count: 1,
        });
      }
    }
    await store.transaction(async (tx) => {
      await tx.segments.insertMany(segments);
      await tx.objects.insertMany(objects);
      await tx.objects.addRefs(
        segments.map((s) => ({ objectId: s.object_id, flowId: s.flow_id, segments: 1, first: true })),
        new Set(objects.map((o) => o.id)),
      );
    });
    const before = written;
    written += segments.length;
    saved();
    if (first === span.from || Math.floor(written / 1_000_000) !== Math.floor(before / 1_000_000)) {
      const seconds = (performance.now() - started) / 1000;
      const rate = seconds > 0 ? Math.round((written - span.from * flowIds.length) / seconds) : 0;
      log(
        `  ${written.toLocaleString('en')} segments written (${seconds.toFixed(0)} s, ${rate.toLocaleString('en')} segments/s)`,
      );
    }
  }
}
