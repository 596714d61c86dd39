import type { Analytics } from '../../db/analytics/analytics.ts';
import type { AggregateQuery, AnalyticsRow } from '../../db/analytics/analytics.types.ts';
import { and, col } from '../../db/predicate.ts';
import { T } from '../../store/tables.ts';
import type { TimeRange } from '../../time/index.ts';
import { AT } from './analytics.tables.ts';
import { bigOr0, count, text, within } from './reports.window.ts';

const DURATION = { sub: [{ col: 'seg_end' }, { col: 'seg_start' }] } as const;

export type TopBy = 'bytes' | 'segments' | 'duration';

export interface TopFlow {
  flowId: string;
  label: string | null;
  format: string | null;
  segments: number;
  duration: bigint;
  /** Objects the Flow registered first (as the size follower recorded them) in the window. */
  objects: number;
  /** Their bytes, where known. */
  bytes: bigint;
  /** Of those objects, the ones with no known size (external ones among them). */
  unsized: number;
}

/** Segments and duration per Flow (start in the window), for `ids` or the top `limit` by `by`. */
function segmentQuery(
  window: TimeRange,
  by: 'segments' | 'duration' | undefined,
  ids: string[] | undefined,
  limit: number,
): AggregateQuery {
  return {
    kind: 'aggregate',
    from: {
      table: T.segments,
      columns: ['flow_id', 'seg_start', 'seg_end'],
      where: and(...within('seg_start', window), ids !== undefined && col('flow_id').in(ids)),
    },
    groupBy: { flow_id: { col: 'flow_id' } },
    measures: { segments: { fn: 'count' }, duration: { fn: 'sum', of: DURATION } },
    ...(by !== undefined && { orderBy: [{ by, direction: 'desc' }, { by: 'flow_id' }], limit }),
  };
}

/**
 * Objects and bytes per Flow from the size table: each object attributed to the Flow and time
 * that registered it (external ones too: their rows are unsized).
 */
function bytesQuery(window: TimeRange, ids: string[] | undefined, limit: number | undefined): AggregateQuery {
  return {
    kind: 'aggregate',
    from: {
      table: AT.sizes,
      columns: ['flow_id', 'size', 'seg_start'],
      where: and(
        col('flow_id').isNotNull(),
        ...within('seg_start', window),
        ids !== undefined && col('flow_id').in(ids),
      ),
    },
    groupBy: { flow_id: { col: 'flow_id' } },
    measures: {
      objects: { fn: 'count' },
      bytes: { fn: 'sum', of: { col: 'size' } },
      unsized: { fn: 'count', where: { isNull: { col: 'size' } } },
    },
    ...(limit !== undefined && { orderBy: [{ by: 'bytes', direction: 'desc' }, { by: 'flow_id' }], limit }),
  };
}

/**
 * The top `limit` Flows by bytes, segments or duration over `window` (media timeline: segments,
 * and objects by their registering segment, whose start lies in it), each with every figure.
 * Flows with nothing in the window are left out. Two steps: the ranking from one table, then the
 * other figures of the ranked Flows.
 */
export async function topFlows(
  analytics: Analytics,
  by: TopBy,
  window: TimeRange,
  limit: number,
): Promise<TopFlow[]> {
  const ranked =
    by === 'bytes'
      ? await analytics.aggregate(bytesQuery(window, undefined, limit))
      : await analytics.aggregate(segmentQuery(window, by, undefined, limit));
  const ids = ranked.map((r) => text(r, 'flow_id') ?? '');
  if (ids.length === 0) return [];
  const [other, flows] = await analytics.run([
    by === 'bytes' ? segmentQuery(window, undefined, ids, limit) : bytesQuery(window, ids, undefined),
    {
      kind: 'aggregate',
      from: { table: T.flows, columns: ['id', 'label', 'format'], where: and(col('id').in(ids)) },
      groupBy: { id: { col: 'id' } },
      measures: { label: { fn: 'max', of: { col: 'label' } }, format: { fn: 'max', of: { col: 'format' } } },
    },
  ]);
  const rowsOf = (r: typeof other) => (r?.kind === 'aggregate' ? r.rows : []);
  const byId = (rows: AnalyticsRow[], key: string) => new Map(rows.map((r) => [text(r, key) ?? '', r]));
  const others = byId(rowsOf(other), 'flow_id');
  const meta = byId(rowsOf(flows), 'id');
  return ranked.map((r) => {
    const flowId = text(r, 'flow_id') ?? '';
    const o = others.get(flowId);
    const seg = by === 'bytes' ? o : r;
    const size = by === 'bytes' ? r : o;
    const m = meta.get(flowId);
    return {
      flowId,
      label: text(m, 'label'),
      format: text(m, 'format'),
      segments: count(seg, 'segments'),
      duration: bigOr0(seg, 'duration'),
      objects: count(size, 'objects'),
      bytes: bigOr0(size, 'bytes'),
      unsized: count(size, 'unsized'),
    };
  });
}
