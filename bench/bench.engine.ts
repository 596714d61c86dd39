/**
 * The bulk POST's baseline: the rows a batch of 1,000 segments commits, inserted through the
 * table manager (db/) in this process, without HTTP, into the store's tables on the engine and
 * settings the server runs with (a fresh store in its own folder, so its checkpoints are paid
 * as the server's are). Per batch, one transaction: the 1,000 `segments` rows (written by the
 * store's SegmentsRepo, so they are the server's rows exactly), the 1,000 `object_refs` rows of
 * the objects' first use, and the `flows/segments_added` event holding the 1,000 segments.
 * What the server does beyond that (parsing and checking the request, reading the Flow, the
 * neighbouring segments and the objects, its caches, answering) is what the ratio measures.
 */
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { defaultObjectPath, newObjectId } from '../src/common/object-ids.ts';
import { loadConfig } from '../src/config.ts';
import type { JsonValue, Row } from '../src/db/db.types.ts';
import { openDatabase } from '../src/deps.store.ts';
import { segmentFields } from '../src/segments/segments.mapper.ts';
import { ObjectRefs } from '../src/store/objects/refs.table.ts';
import { type SegmentRecord, SegmentsRepo } from '../src/store/segments.repo.ts';
import { T } from '../src/store/tables.ts';
import { segmentRange } from './bench.dataset.ts';
import { BULK_BATCH } from './bench.requests.ts';

interface Batch {
  segments: SegmentRecord[];
  event: Row;
}

function batchOf(flowId: string, sourceId: string, storageId: string, b: number): Batch {
  const segments: SegmentRecord[] = Array.from({ length: BULK_BATCH }, (_, i) => {
    const objectId = newObjectId();
    return {
      flow_id: flowId,
      object_id: objectId,
      timerange: segmentRange(BigInt(b * BULK_BATCH + i)),
      storage: { id: storageId, path: defaultObjectPath(flowId, objectId) },
    };
  });
  const event: Row = {
    seq: BigInt(b + 1),
    event_type: 'flows/segments_added',
    event_timestamp: new Date(),
    flow_id: flowId,
    source_id: sourceId,
    flow_collected_by: [],
    source_collected_by: [],
    // As the outbox keeps it: the segments' fields, the object's default key left out.
    payload: {
      flow_id: flowId,
      segments: segments.map((s) => ({ ...segmentFields(s), storage: { id: storageId } })),
    } as unknown as JsonValue,
  };
  return { segments, event };
}

/**
 * Segments per second of `batches` batches inserted in sequence into a fresh store in `dir`, the
 * first `warmup` not counted (as the bulk POST run counts its batches).
 */
export async function engineBulkRate(
  dir: string,
  batches: number,
  warmup: number,
  env: Record<string, string> = {},
): Promise<number> {
  rmSync(dir, { recursive: true, force: true });
  // The settings the server gets: this process's environment (TAMS_DUCKDB_* included).
  const { db } = await openDatabase(
    loadConfig({ ...process.env, ...env, TAMS_DATA_DIR: dir, TAMS_LOG_LEVEL: 'silent' }),
  );
  try {
    const flowId = randomUUID();
    const sourceId = randomUUID();
    const storageId = randomUUID();
    // Built before the clock starts: the baseline is the engine's work alone.
    const all = Array.from({ length: batches }, (_, b) => batchOf(flowId, sourceId, storageId, b));
    let started = performance.now();
    for (const [b, { segments, event }] of all.entries()) {
      if (b === warmup) started = performance.now();
      await db.transaction(async (tx) => {
        await new SegmentsRepo(tx).insertMany(segments);
        await new ObjectRefs(tx).add(
          segments.map((s) => ({ objectId: s.object_id, flowId, segments: 1, first: true })),
          new Set(segments.map((s) => s.object_id)),
        );
        await tx.insert(T.events, [event]);
      });
    }
    return ((batches - warmup) * BULK_BATCH) / ((performance.now() - started) / 1000);
  } finally {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
