/**
 * The data set and hot queries of the PostgreSQL engine's benchmarks (postgres.queries.ts,
 * postgres.prepared.ts): Flows whose segments are written interleaved, as live ingest of many
 * channels writes them, with an object, a reference and an outbox event per segment, and the
 * statements the store sends on its hot paths (as pg_stat_statements showed them).
 */
import { newObjectId } from '../src/common/object-ids.ts';
import type { Engine, Row, SelectOptions } from '../src/db/db.types.ts';
import { and, col } from '../src/db/predicate.ts';
import { T } from '../src/store/tables.ts';

export const SECOND = 1_000_000_000n;

export interface Shape {
  readonly flows: number;
  readonly perFlow: number;
}

export function flowIds(shape: Shape): string[] {
  return Array.from(
    { length: shape.flows },
    (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
  );
}

/** Writes the data set through the engine: returns each Flow's object ids, in order. */
export async function loadStore(
  engine: Engine,
  shape: Shape,
  log: (line: string) => void,
): Promise<string[][]> {
  const flows = flowIds(shape);
  const PER_FLOW = shape.perFlow;
  const t0 = Date.UTC(2026, 0, 1);
  const ids = flows.map(() => [] as string[]);
  const started = performance.now();
  const STEP = 100;
  let seq = 0n;
  for (let k = 0; k < PER_FLOW; k += STEP) {
    const segments: Row[] = [];
    const objects: Row[] = [];
    const refs: Row[] = [];
    const events: Row[] = [];
    for (let i = k; i < Math.min(PER_FLOW, k + STEP); i++) {
      for (const [f, flowId] of flows.entries()) {
        const objectId = newObjectId(t0 + i * 1000 + f);
        ids[f]?.push(objectId);
        const start = BigInt(i) * SECOND;
        segments.push(segmentRow(flowId, start, objectId));
        objects.push({
          id: objectId,
          storage_id: 'store',
          storage_path: null,
          allocated_for: flowId,
          created: new Date(t0),
        });
        refs.push({
          ref_key: `${objectId}/${flowId}`,
          object_id: objectId,
          flow_id: flowId,
          segments: 1n,
          first: true,
        });
        seq += 1n;
        events.push({
          seq,
          event_type: 'flows/segments_added',
          event_timestamp: new Date(t0),
          flow_id: flowId,
          source_id: flowId,
          flow_collected_by: null,
          source_collected_by: null,
          payload: JSON.stringify({ flow_id: flowId, segments: [{ object_id: objectId }] }),
        });
      }
    }
    await engine.session.insert(T.segments, segments);
    await engine.session.insert(T.objects, objects);
    await engine.session.insert(T.objectRefs, refs);
    await engine.session.insert(T.events, events);
  }
  const guards: Row[] = Array.from({ length: 1024 }, (_, i) => ({
    key: `stripe:${String(i).padStart(4, '0')}`,
    stamp: 0n,
    owner: null,
    until: null,
  }));
  await engine.session.insert(T.guards, guards);
  log(`loaded in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return ids;
}

export function segmentRow(flowId: string, start: bigint, objectId: string): Row {
  return {
    flow_id: flowId,
    seg_start: start,
    seg_end: start + SECOND,
    seg_start_incl: true,
    seg_end_incl: false,
    object_id: objectId,
    storage_id: 'store',
    storage_path: null,
    ts_offset: null,
    last_duration: null,
    sample_offset: null,
    sample_count: null,
    key_frame_count: null,
    get_urls: null,
    seq: null,
  };
}

export interface QueryCase {
  name: string;
  table: string;
  /** Options of one run (a random position each time). */
  options: () => SelectOptions;
}

export const pick = <V>(list: readonly V[]): V => list[Math.floor(Math.random() * list.length)] as V;
const ORDER = [
  { column: 'seg_start', direction: 'asc' },
  { column: 'seg_start_incl', direction: 'desc' },
] as const;
const REVERSE = [
  { column: 'seg_start', direction: 'desc' },
  { column: 'seg_start_incl', direction: 'asc' },
] as const;

/** The statements the store sends on its hot paths (as pg_stat_statements showed them). */
export function queryCases(shape: Shape, objectIds: readonly string[][]): QueryCase[] {
  const flows = flowIds(shape);
  const PER_FLOW = shape.perFlow;
  const FLOWS = shape.flows;
  const at = () => BigInt(Math.floor(Math.random() * (PER_FLOW - 300))) * SECOND;
  const window = 125n * SECOND;
  const some = (n: number) => {
    const f = Math.floor(Math.random() * flows.length);
    const from = Math.floor(Math.random() * (PER_FLOW - n));
    return (objectIds[f] ?? []).slice(from, from + n);
  };
  const lastEnd = BigInt(PER_FLOW) * SECOND;
  return [
    {
      name: 'segment page (Flow, seg_start window, 100 rows)',
      table: T.segments,
      options: () => {
        const a = at();
        return {
          where: and(col('flow_id').eq(pick(flows)), col('seg_start').ge(a), col('seg_start').lt(a + window)),
          orderBy: ORDER,
          limit: 100,
        };
      },
    },
    {
      name: 'segment page with a timerange',
      table: T.segments,
      options: () => {
        const a = at();
        return {
          where: and(
            col('flow_id').eq(pick(flows)),
            col('seg_start').le(a + 200n * SECOND),
            col('seg_end').ge(a),
            col('seg_start').ge(a - SECOND),
            col('seg_start').lt(a + window),
          ),
          orderBy: ORDER,
          limit: 100,
        };
      },
    },
    {
      name: 'segment page, reverse order',
      table: T.segments,
      options: () => {
        const a = at() + window;
        return {
          where: and(col('flow_id').eq(pick(flows)), col('seg_start').le(a), col('seg_start').gt(a - window)),
          orderBy: REVERSE,
          limit: 100,
        };
      },
    },
    {
      name: 'overlap check, appending after the last segment',
      table: T.segments,
      options: () => ({
        where: and(
          col('flow_id').in([pick(flows)]),
          col('seg_start').le(lastEnd + SECOND),
          col('seg_end').ge(lastEnd),
        ),
        orderBy: ORDER,
      }),
    },
    {
      name: 'overlap check, in the middle of the Flow',
      table: T.segments,
      options: () => {
        const a = at();
        return {
          where: and(col('flow_id').in([pick(flows)]), col('seg_start').le(a + SECOND), col('seg_end').ge(a)),
          orderBy: ORDER,
        };
      },
    },
    {
      name: 'objects by id (30 ids)',
      table: T.objects,
      options: () => ({ where: and(col('id').in(some(30))) }),
    },
    {
      name: 'object refs by object id (30 ids)',
      table: T.objectRefs,
      options: () => ({
        where: and(col('object_id').in(some(30))),
        columns: ['object_id', 'ref_key', 'segments'],
      }),
    },
    {
      name: 'outbox read (100 events after a cursor)',
      table: T.events,
      options: () => {
        const from = BigInt(Math.floor(Math.random() * (FLOWS * PER_FLOW - 1000)));
        return {
          where: and(col('seq').gt(from), col('seq').le(from + 1000n)),
          orderBy: [{ column: 'seq' }],
          limit: 100,
        };
      },
    },
    {
      name: 'guard row by key (1,024 stripes)',
      table: T.guards,
      options: () => ({
        where: and(col('key').eq(`stripe:${String(Math.floor(Math.random() * 1024)).padStart(4, '0')}`)),
        columns: ['owner', 'until'],
      }),
    },
  ];
}

/** The p-th percentile of sorted values (nearest rank). */
export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}
