/**
 * The benchmark's data set, built through the server's own store (not over HTTP, which would
 * take hours for ten million segments): Flows through the Flows service, segments, objects and
 * references through the store's repositories, in the order a fleet of live channels writes
 * them (every Flow's next few segments, then the next), with object ids made as the server's
 * storage allocation makes them.
 */
import { randomUUID } from 'node:crypto';
import { cpSync, existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultObjectPath, newObjectId } from '../src/common/object-ids.ts';
import { loadConfig } from '../src/config.ts';
import { buildRuntime } from '../src/deps.ts';
import type { ObjectRecord } from '../src/store/objects.repo.ts';
import type { SegmentRecord } from '../src/store/segments.repo.ts';
import { TimeRange } from '../src/time/index.ts';

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
 * ones, against 49-183 ms for the same appends to a data set of full groups (BENCHMARKS.md).
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

export async function buildDataset(
  dir: string,
  size: { flows: number; segments: number; spare: number; bulk: number },
  reuse: boolean,
  log: (line: string) => void,
  /** Settings of the store it is written through (TAMS_DB=vast and its TAMS_VAST_*). */
  env: Record<string, string> = {},
): Promise<Dataset> {
  const manifest = join(dir, 'bench-dataset.json');
  if (reuse && existsSync(manifest)) {
    const kept = JSON.parse(readFileSync(manifest, 'utf8')) as Dataset;
    if (
      kept.flows === size.flows &&
      kept.segments === size.segments &&
      kept.bulkObjects.length >= size.bulk &&
      Object.values(kept.spare).every((ids) => ids.length >= size.spare)
    ) {
      log(`reusing the data set in ${dir}`);
      return kept;
    }
  }
  rmSync(dir, { recursive: true, force: true });
  const started = performance.now();
  const config = loadConfig({ ...env, TAMS_DATA_DIR: dir, TAMS_LOG_LEVEL: 'silent' });
  const runtime = await buildRuntime(config);
  const { store } = runtime;
  const storageId = runtime.media.descriptors()[0]?.id as string;
  const flowIds = Array.from({ length: size.flows }, () => randomUUID());
  for (const [i, id] of flowIds.entries()) await runtime.flows.put(id, flowBody(id, i), 'bench');
  const bulkFlow = randomUUID();
  await runtime.flows.put(bulkFlow, flowBody(bulkFlow, size.flows), 'bench');

  const perFlow = Math.floor(size.segments / size.flows);
  const perRound = Math.max(1, Math.floor(CHUNK_ROWS / size.flows));
  const now = new Date();
  let written = 0;
  for (let first = 0; first < perFlow; first += perRound) {
    const last = Math.min(perFlow, first + perRound);
    // One transaction and three bulk inserts per round, whatever the number of Flows.
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
    written += (last - first) * size.flows;
    if (
      first === 0 ||
      Math.floor(written / 1_000_000) !== Math.floor((written - (last - first) * size.flows) / 1_000_000)
    ) {
      log(
        `  ${written.toLocaleString('en')} segments written (${((performance.now() - started) / 1000).toFixed(0)} s)`,
      );
    }
  }
  const envelope = TimeRange.fromBounds(
    segmentRange(0n).start,
    segmentRange(BigInt(perFlow - 1)).end,
    true,
    false,
  );
  await store.transaction(async (tx) => {
    for (const flowId of flowIds) await tx.flows.setSegmentsState(flowId, envelope, now);
  });

  const allocate = async (flowId: string, n: number) => {
    const objects: ObjectRecord[] = Array.from({ length: n }, () => {
      const id = newObjectId();
      return {
        id,
        storage_id: storageId,
        storage_path: defaultObjectPath(flowId, id),
        allocated_for: flowId,
        created: now,
        registered: false,
      };
    });
    await store.transaction((tx) => tx.objects.insertMany(objects));
    return objects.map((o) => o.id);
  };
  const spare: Record<string, string[]> = {};
  for (const flowId of flowIds) spare[flowId] = await allocate(flowId, size.spare);
  const bulkObjects = await allocate(bulkFlow, size.bulk);
  await runtime.close();

  const dataset: Dataset = {
    flows: size.flows,
    segments: size.segments,
    flowIds,
    segmentsPerFlow: perFlow,
    spare,
    bulkFlow,
    bulkObjects,
    buildSeconds: (performance.now() - started) / 1000,
  };
  writeFileSync(manifest, JSON.stringify(dataset));
  return dataset;
}
