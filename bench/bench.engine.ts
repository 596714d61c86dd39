/**
 * The engine's own inserts of what registrations commit, through the table manager (db/) in this
 * process, without HTTP, into the store's tables on the engine and settings the server runs with
 * (a fresh store in its own folder, so its checkpoints are paid as the server's are).
 *
 * The bulk POST's baseline: per batch, one transaction: the 1,000 `segments` rows (written by the
 * store's SegmentsRepo, so they are the server's rows exactly), the 1,000 `object_refs` rows of
 * the objects' first use, and the `flows/segments_added` events holding the 1,000 segments (two or
 * more: as registration, each payload within one cell).
 * What the server does beyond that (parsing and checking the request, reading the Flow, the
 * neighbouring segments and the objects, its caches, answering) is what the ratio measures.
 *
 * The single-segment POSTs' ceiling: the same rows for group commits of single segments of many
 * Flows (engineSingleRate).
 */
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { defaultObjectPath, newObjectId } from '../src/common/object-ids.ts';
import { loadConfig } from '../src/config.ts';
import type { JsonValue, Row } from '../src/db/db.types.ts';
import { openDatabase } from '../src/deps.store.ts';
import { segmentsAddedPayloads } from '../src/segments/segments.events.ts';
import { ObjectRefs } from '../src/store/objects/refs.table.ts';
import { type SegmentRecord, SegmentsRepo } from '../src/store/segments.repo.ts';
import { T } from '../src/store/tables.ts';
import { segmentRange } from './bench.dataset.ts';
import { BULK_BATCH } from './bench.requests.ts';

interface Batch {
  segments: SegmentRecord[];
  events: Row[];
}

function batchOf(flowId: string, sourceId: string, storageId: string, b: number, seq: () => bigint): Batch {
  const segments: SegmentRecord[] = Array.from({ length: BULK_BATCH }, (_, i) => {
    const objectId = newObjectId();
    return {
      flow_id: flowId,
      object_id: objectId,
      timerange: segmentRange(BigInt(b * BULK_BATCH + i)),
      storage: { id: storageId, path: defaultObjectPath(flowId, objectId) },
    };
  });
  return { segments, events: eventsOf(seq, flowId, sourceId, segments) };
}

/**
 * The `flows/segments_added` outbox rows of `segments`, as registration records them: split into
 * several events where the payload would not fit one cell (segmentsAddedPayloads); `seq` numbers each.
 */
function eventsOf(seq: () => bigint, flowId: string, sourceId: string, segments: SegmentRecord[]): Row[] {
  const firsts = new Map(segments.map((s) => [s.object_id, s.flow_id]));
  return segmentsAddedPayloads(flowId, segments, firsts).map((payload) => ({
    seq: seq(),
    event_type: 'flows/segments_added',
    event_timestamp: new Date(),
    flow_id: flowId,
    source_id: sourceId,
    flow_collected_by: [],
    source_collected_by: [],
    payload: payload as unknown as JsonValue,
  }));
}

type Db = Awaited<ReturnType<typeof openDatabase>>['db'];

/** A fresh store in `dir` on the settings the server gets (this process's environment, TAMS_DUCKDB_*). */
async function withFreshStore<T>(
  dir: string,
  env: Record<string, string>,
  work: (db: Db) => Promise<T>,
): Promise<T> {
  rmSync(dir, { recursive: true, force: true });
  const { db } = await openDatabase(
    loadConfig({ ...process.env, ...env, TAMS_DATA_DIR: dir, TAMS_LOG_LEVEL: 'silent' }),
  );
  try {
    return await work(db);
  } finally {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Commits each batch in its own transaction, as registration does; segments per second after `warmup`. */
async function commitRate(
  db: Db,
  all: readonly { segments: SegmentRecord[]; events: Row[] }[],
  warmup: number,
): Promise<number> {
  let started = performance.now();
  let counted = 0;
  for (const [b, { segments, events }] of all.entries()) {
    if (b === warmup) started = performance.now();
    if (b >= warmup) counted += segments.length;
    await db.transaction(async (tx) => {
      await new SegmentsRepo(tx).insertMany(segments);
      await new ObjectRefs(tx).add(
        segments.map((s) => ({ objectId: s.object_id, flowId: s.flow_id, segments: 1, first: true })),
        new Set(segments.map((s) => s.object_id)),
      );
      await tx.insert(T.events, events);
    });
  }
  return counted / ((performance.now() - started) / 1000);
}

/**
 * Segments per second of `batches` batches inserted in sequence into a fresh store in `dir`, the
 * first `warmup` not counted (as the bulk POST run counts its batches).
 */
export function engineBulkRate(
  dir: string,
  batches: number,
  warmup: number,
  env: Record<string, string> = {},
): Promise<number> {
  return withFreshStore(dir, env, (db) => {
    const flowId = randomUUID();
    const sourceId = randomUUID();
    const storageId = randomUUID();
    // Built before the clock starts: the baseline is the engine's work alone.
    let seq = 0n;
    const all = Array.from({ length: batches }, (_, b) =>
      batchOf(flowId, sourceId, storageId, b, () => ++seq),
    );
    return commitRate(db, all, warmup);
  });
}

/**
 * What the engine itself commits of single-segment registrations grouped as the server groups
 * them: transactions of `size` segments, each of another Flow, with their object_refs rows and a
 * `flows/segments_added` event per segment (the rows registration writes for them; the Flows'
 * timeranges are written behind, not in the transaction). No HTTP, no checks: the most the
 * single-segment POST run could reach with batches of that size on this engine and disk.
 */
export function engineSingleRate(
  dir: string,
  size: number,
  batches: number,
  warmup: number,
): Promise<number> {
  return withFreshStore(dir, {}, (db) => {
    const sourceId = randomUUID();
    const storageId = randomUUID();
    const flows = Array.from({ length: size }, () => randomUUID());
    let seq = 0n;
    const all = Array.from({ length: batches }, (_, b) => {
      const segments = flows.map((flowId) => {
        const objectId = newObjectId();
        return {
          flow_id: flowId,
          object_id: objectId,
          timerange: segmentRange(BigInt(b)),
          storage: { id: storageId, path: defaultObjectPath(flowId, objectId) },
        };
      });
      const events = segments.flatMap((s) => eventsOf(() => ++seq, s.flow_id, sourceId, [s]));
      return { segments, events };
    });
    return commitRate(db, all, warmup);
  });
}
