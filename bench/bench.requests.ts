/** The requests the benchmark sends, built from the data set (both engines' runs use them). */
import { type Dataset, segmentRange } from './bench.dataset.ts';

export const BULK_BATCH = 1000;

const random = (n: number) => Math.floor(Math.random() * n);

export function pickFlow(dataset: Dataset): string {
  return dataset.flowIds[random(dataset.flowIds.length)] as string;
}

/** A page of 100 segments at a random position of a random Flow (a timerange of 200 segments). */
export function segmentsPath(dataset: Dataset): string {
  return pagePath(dataset, pickFlow(dataset));
}

/** A page of 100 segments at a random position of the Flow (a timerange of 200 segments). */
export function pagePath(dataset: Dataset, flowId: string): string {
  const k = random(Math.max(1, dataset.segmentsPerFlow - 200));
  const from = segmentRange(BigInt(k)).format().split('_')[0];
  const to = segmentRange(BigInt(k + 200))
    .format()
    .split('_')[0]
    ?.slice(1);
  return `/flows/${flowId}/segments?timerange=${encodeURIComponent(`${from}_${to})`)}&limit=100`;
}

/**
 * Single-segment POSTs: the Flows in turn, each one's next segment after its last, with the
 * objects allocated for it (used again once all were registered: an object may hold several
 * segments). Keep one per server: it remembers where each Flow is (in `next`, which generators
 * of different Flow sets on one store share).
 */
export function singlePosts(
  dataset: Dataset,
  next = new Map<string, number>(),
  /** Positions after each Flow's last segment where this run begins (runs in place, bench.place.ts). */
  base = 0,
): () => { path: string; body: string } {
  let turn = 0;
  return () => {
    const flowId = dataset.flowIds[turn++ % dataset.flowIds.length] as string;
    const n = next.get(flowId) ?? 0;
    next.set(flowId, n + 1);
    const objects = dataset.spare[flowId] as string[];
    const body = {
      object_id: objects[n % objects.length],
      timerange: segmentRange(BigInt(dataset.segmentsPerFlow + base + n)).format(),
    };
    return { path: `/flows/${flowId}/segments`, body: JSON.stringify(body) };
  };
}

/**
 * The body of bulk batch `b` (BULK_BATCH segments) for the data set's bulk Flow, from position
 * `base` of its timeline (runs in place begin where no earlier run wrote).
 */
export function bulkBody(dataset: Dataset, b: number, base = 0): string {
  return JSON.stringify(
    Array.from({ length: BULK_BATCH }, (_, i) => ({
      object_id: dataset.bulkObjects[(b * BULK_BATCH + i) % dataset.bulkObjects.length],
      timerange: segmentRange(BigInt(base + b * BULK_BATCH + i)).format(),
    })),
  );
}

/** Where the bulk batches of the data set's own Flows begin: far after any single POST's position. */
const FLOW_BULK_BASE = 100_000_000;

/**
 * The body of bulk batch `b` (BULK_BATCH segments) of one of the data set's Flows, far after its
 * single POSTs, on the objects allocated for it taken from the end of their list (single POSTs
 * take them from its start), used again once all were: an object may hold several segments.
 */
export function flowBulkBody(dataset: Dataset, flowId: string, b: number): string {
  const objects = dataset.spare[flowId] as string[];
  return JSON.stringify(
    Array.from({ length: BULK_BATCH }, (_, i) => ({
      object_id: objects[objects.length - 1 - ((b * BULK_BATCH + i) % objects.length)],
      timerange: segmentRange(BigInt(dataset.segmentsPerFlow + FLOW_BULK_BASE + b * BULK_BATCH + i)).format(),
    })),
  );
}
