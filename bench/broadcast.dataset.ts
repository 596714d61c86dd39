/**
 * The broadcast benchmark's data set: one long Flow of 2-second segments (a 24/7 channel: 10M is
 * 231 days) beside many short Flows, written through the server's own store (Flows through the
 * Flows service; segments, objects and references through the store's repositories in
 * transactions of 100,000 segments, which the PostgreSQL engine sends by `COPY … FROM STDIN`).
 * The long Flow's segments go in time order, each transaction with a share of the short Flows'
 * (a channel among others). On PostgreSQL the three big tables' indexes are dropped for the load
 * and built again by the store's own schema check when it next opens (CREATE INDEX over the
 * loaded table is several times quicker than keeping seven btrees up to date row by row).
 *
 * A manifest in `--dir` records what was built; `--reuse` measures it again (runs before and
 * after a change, on one data set). Each run deletes a day of its own (broadcast.runs.json).
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultObjectPath, newObjectId } from '../src/common/object-ids.ts';
import { loadConfig } from '../src/config.ts';
import { indexName } from '../src/db/engines/postgres/postgres.catalog.ts';
import { buildRuntime, type Runtime } from '../src/deps.ts';
import type { ObjectRecord } from '../src/store/objects.repo.ts';
import type { SegmentRecord } from '../src/store/segments.repo.ts';
import { storeTables, T } from '../src/store/tables.ts';
import { TimeRange } from '../src/time/index.ts';
import { allocateForRuns } from './bench.allocate.ts';
import { segmentRange } from './bench.dataset.ts';
import type { BroadcastOptions } from './broadcast.args.ts';
import type { BroadcastBackend } from './broadcast.backend.ts';

/** Segments of the long Flow per transaction. */
const CHUNK = 100_000;
/** Segments of one day of a channel in 2-second segments. */
export const DAY_SEGMENTS = 43_200;
/** The tag of every Flow of the data set: the long one's value is `long`, the others' a group 0-9. */
export const GROUP_TAG = 'channel_group';
const MANIFEST = 'broadcast.json';
const RUNS = 'broadcast.runs.json';
/** The tables whose indexes a PostgreSQL build drops for the load and builds after it. */
const BULK_TABLES = [T.segments, T.objects, T.objectRefs];

export interface BroadcastDataset {
  engine: string;
  segments: number;
  flows: number;
  flowSegments: number;
  longFlow: string;
  flowIds: string[];
  /** Seconds of the build: loading the rows, then building the indexes (PostgreSQL). */
  buildSeconds: number;
  indexSeconds: number;
  /** Bytes on disk once built (PostgreSQL's data directory with its WAL, the DuckDB file). */
  bytes?: number;
  /** PostgreSQL: the database's bytes, and each big table's with its indexes. */
  databaseBytes?: number;
  tableBytes?: Record<string, number>;
  built: string;
}

function flowBody(id: string, label: string, group: string) {
  return {
    id,
    source_id: randomUUID(),
    format: 'urn:x-nmos:format:video',
    codec: 'video/h264',
    container: 'video/mp2t',
    label,
    tags: { bench: 'broadcast', [GROUP_TAG]: group },
    essence_parameters: {
      frame_width: 1920,
      frame_height: 1080,
      frame_rate: { numerator: 50, denominator: 1 },
    },
  };
}

export function readBroadcastManifest(dir: string): BroadcastDataset | undefined {
  const file = join(dir, MANIFEST);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as BroadcastDataset) : undefined;
}

/** Whether the data set kept in `dir` is the one these options ask for. */
export function matches(kept: BroadcastDataset | undefined, options: BroadcastOptions): boolean {
  return (
    kept !== undefined &&
    kept.engine === options.engine &&
    kept.segments === options.segments &&
    kept.flows === options.flows &&
    kept.flowSegments === options.flowSegments
  );
}

/** The store on the backend's database, without the embedded accelerator, quiet. */
export function openStore(backend: BroadcastBackend): Promise<Runtime> {
  return buildRuntime(loadConfig({ ...backend.env, TAMS_LOG_LEVEL: 'silent' }), { accelerator: false });
}

/** What a build leaves in `dir`: nothing else is there when it is cleared for the next. */
const OURS = new Set([MANIFEST, RUNS, 'postgres', 'data']);

/**
 * `dir` emptied for a build (PostgreSQL's data directory is made by the backend); refused when it
 * holds anything a build did not leave (a --dir mistyped for a folder of one's own).
 */
export function clearForBuild(dir: string): void {
  const foreign = existsSync(dir) ? readdirSync(dir).filter((name) => !OURS.has(name)) : [];
  if (foreign.length > 0)
    throw new Error(
      `--dir ${dir} holds ${foreign.slice(0, 3).join(', ')}: not a broadcast data set, left alone`,
    );
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
}

export async function buildBroadcast(
  dir: string,
  backend: BroadcastBackend,
  options: BroadcastOptions,
  log: (line: string) => void,
): Promise<BroadcastDataset> {
  const started = performance.now();
  const longFlow = randomUUID();
  const flowIds = Array.from({ length: options.flows }, () => randomUUID());
  let runtime = await openStore(backend);
  try {
    await runtime.flows.put(longFlow, flowBody(longFlow, 'bench 24/7 channel', 'long'), 'bench');
    for (const [i, id] of flowIds.entries())
      await runtime.flows.put(id, flowBody(id, `bench channel ${i}`, String(i % 10)), 'bench');
    if (backend.sql) {
      for (const table of BULK_TABLES) {
        const def = storeTables.find((d) => d.name === table);
        for (const columns of def?.indexes ?? [])
          await backend.sql(`DROP INDEX IF EXISTS tams.${JSON.stringify(indexName(table, columns))}`);
      }
    }
    await writeRounds(runtime, { longFlow, flowIds }, options, log);
    const now = new Date();
    await runtime.store.transaction(async (tx) => {
      await tx.flows.setSegmentsState(longFlow, spanOf(options.segments), now);
      for (const id of flowIds) await tx.flows.setSegmentsState(id, spanOf(options.flowSegments), now);
    });
  } finally {
    await runtime.close();
  }
  const loaded = performance.now();
  log(`rows loaded in ${((loaded - started) / 1000).toFixed(0)} s`);
  // The store's schema check builds every declared index the tables lack.
  runtime = await openStore(backend);
  await runtime.close();
  await backend.afterBuild();
  const done = performance.now();
  const sizes = backend.sql ? await sizesOf(backend.sql) : {};
  const dataset: BroadcastDataset = {
    engine: options.engine,
    segments: options.segments,
    flows: options.flows,
    flowSegments: options.flowSegments,
    longFlow,
    flowIds,
    buildSeconds: (done - started) / 1000,
    indexSeconds: (done - loaded) / 1000,
    bytes: backend.bytes(),
    ...sizes,
    built: new Date().toISOString(),
  };
  if (options.engine !== 'vast') writeFileSync(join(dir, MANIFEST), JSON.stringify(dataset));
  return dataset;
}

async function sizesOf(
  sql: NonNullable<BroadcastBackend['sql']>,
): Promise<{ databaseBytes: number; tableBytes: Record<string, number> }> {
  const db = await sql('SELECT pg_database_size(current_database()) AS n');
  const tableBytes: Record<string, number> = {};
  for (const table of BULK_TABLES) {
    const { rows } = await sql(`SELECT pg_total_relation_size('tams.${table}') AS n`);
    tableBytes[table] = Number(rows[0]?.n);
  }
  return { databaseBytes: Number(db.rows[0]?.n), tableBytes };
}

function spanOf(segments: number): TimeRange {
  return TimeRange.fromBounds(segmentRange(0n).start, segmentRange(BigInt(segments - 1)).end, true, false);
}

/**
 * The long Flow's segments in time order, CHUNK a transaction, each with an even share of the
 * short Flows' (whole Flows, in order); objects and references with them, as registration
 * writes them.
 */
async function writeRounds(
  runtime: Runtime,
  ids: { longFlow: string; flowIds: readonly string[] },
  options: BroadcastOptions,
  log: (line: string) => void,
): Promise<void> {
  const { store } = runtime;
  const storageId = runtime.media.descriptors()[0]?.id as string;
  const rounds = Math.ceil(options.segments / CHUNK);
  const perRound = Math.ceil(ids.flowIds.length / rounds);
  const started = performance.now();
  const now = new Date();
  let written = 0;
  for (let r = 0; r < rounds; r++) {
    const segments: SegmentRecord[] = [];
    const objects: ObjectRecord[] = [];
    const add = (flowId: string, k: number) => {
      const objectId = newObjectId();
      const path = defaultObjectPath(flowId, objectId);
      objects.push({
        id: objectId,
        storage_id: storageId,
        storage_path: path,
        allocated_for: flowId,
        created: now,
        registered: true,
        times: { timerange: segmentRange(BigInt(k)), key_frame_count: 1 },
      });
      segments.push({
        flow_id: flowId,
        object_id: objectId,
        timerange: segmentRange(BigInt(k)),
        storage: { id: storageId, path },
        key_frame_count: 1,
      });
    };
    for (let k = r * CHUNK; k < Math.min(options.segments, (r + 1) * CHUNK); k++) add(ids.longFlow, k);
    for (const flowId of ids.flowIds.slice(r * perRound, (r + 1) * perRound))
      for (let k = 0; k < options.flowSegments; k++) add(flowId, k);
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
    if (r === 0 || Math.floor(written / 1_000_000) !== Math.floor(before / 1_000_000) || r === rounds - 1) {
      const seconds = (performance.now() - started) / 1000;
      log(
        `  ${written.toLocaleString('en')} segments written (${seconds.toFixed(0)} s, ${Math.round(written / Math.max(seconds, 0.001)).toLocaleString('en')} segments/s)`,
      );
    }
  }
}

/** Objects allocated for the long Flow's appended POSTs: fresh ones each run. */
export async function allocateAppends(
  backend: BroadcastBackend,
  longFlow: string,
  count: number,
): Promise<string[]> {
  const runtime = await openStore(backend);
  try {
    const made = await allocateForRuns(
      runtime,
      { flowIds: [], bulkFlow: longFlow },
      { spare: 0, bulk: count },
    );
    return made.bulkObjects;
  } finally {
    await runtime.close();
  }
}

/**
 * This run's number on the kept data set (0 for the first), counted before anything is written:
 * the day it deletes is one no earlier run deleted.
 */
export function nextRun(dir: string): number {
  const file = join(dir, RUNS);
  const runs = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { runs: number }).runs : 0;
  writeFileSync(file, JSON.stringify({ runs: runs + 1 }));
  return runs;
}

/**
 * The segments `[first, first + count)` of the long Flow this run deletes: a day (or a tenth of
 * a shorter Flow) in the band from 25 % to 45 % of it, where no page is measured, a different
 * one each run.
 */
export function deletedSpan(segments: number, run: number): { first: number; count: number } {
  const count = Math.min(DAY_SEGMENTS, Math.floor(segments / 10));
  const from = Math.floor(segments * 0.25);
  const slots = Math.max(1, Math.floor((segments * 0.2) / count));
  return { first: from + (run % slots) * count, count };
}
