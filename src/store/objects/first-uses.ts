import type { DbSession, Row } from '../../db/db.types.ts';
import { and, col } from '../../db/predicate.ts';
import { TimeRange } from '../../time/index.ts';
import { big, bool, num, reqStr } from '../rows.ts';
import { T } from '../tables.ts';
import { type ObjectTimes, onObjectTimeline, otrOf } from './object-times.ts';

/** The segment columns an object's times are found from. */
export const FIRST_USE_COLUMNS = [
  'flow_id',
  'object_id',
  'seg_start',
  'seg_end',
  'seg_start_incl',
  'seg_end_incl',
  'ts_offset',
  'key_frame_count',
  'otr_start',
  'otr_end',
  'otr_start_incl',
  'otr_end_incl',
  'seq',
];

/**
 * An object's earliest registration among the segment rows offered, and the times it set. The
 * earliest: in the Flow that used the object first where that is known (the first registration
 * is on the Flow the object was allocated for), then by write sequence (rows without one are
 * older: written before sequences, or on an engine that keeps none), then by time in the Flow.
 */
export class EarliestUses {
  private readonly best = new Map<string, { rank: bigint[]; row: Row }>();

  /** `first`: per object, the Flow that used it first, where known. */
  constructor(private readonly first: ReadonlyMap<string, string | undefined> = new Map()) {}

  offer(row: Row): void {
    const id = reqStr(row, 'object_id');
    const seq = big(row, 'seq');
    const rank = [
      this.first.get(id) === reqStr(row, 'flow_id') ? 0n : 1n,
      seq === undefined ? 0n : 1n,
      seq ?? 0n,
      row.seg_start as bigint,
    ];
    const current = this.best.get(id);
    if (current === undefined || before(rank, current.rank)) this.best.set(id, { rank, row });
  }

  /** The times of each object offered (none for one whose range leaves the 64-bit range). */
  times(): Map<string, ObjectTimes> {
    const found = new Map<string, ObjectTimes>();
    for (const [id, { row }] of this.best) {
      const times = timesOfFirstUse(row);
      if (times) found.set(id, times);
    }
    return found;
  }
}

/** What the first segment of an object says of it: its object timerange, and key_frame_count. */
function timesOfFirstUse(row: Row): ObjectTimes | undefined {
  const own = TimeRange.fromBounds(
    row.seg_start as bigint,
    row.seg_end as bigint,
    bool(row, 'seg_start_incl') ?? true,
    bool(row, 'seg_end_incl') ?? false,
  );
  const timerange = otrOf(row) ?? onObjectTimeline(own, big(row, 'ts_offset'));
  if (timerange === undefined) return undefined;
  const keyFrames = num(row, 'key_frame_count');
  return keyFrames === undefined ? { timerange } : { timerange, key_frame_count: keyFrames };
}

function before(a: readonly bigint[], b: readonly bigint[]): boolean {
  for (let i = 0; i < a.length; i++) {
    if ((a[i] as bigint) !== (b[i] as bigint)) return (a[i] as bigint) < (b[i] as bigint);
  }
  return false;
}

/** An object whose times are to be found from its segments. */
export interface FirstUseQuery {
  id: string;
  /** The Flows whose segments may use it. */
  flows: readonly string[];
  /** The Flow that used it first, where known (its allocating Flow, or its `first` reference). */
  first?: string;
}

/** Objects per read: one `in` list of ids (and one of Flows) per select, as any engine takes. */
const CHUNK = 500;

/**
 * The times objects' first registrations set, found again from their segments: for objects
 * registered while the store wrote them behind (the cache: housekeeping writes them), and for
 * the migration of stores written before objects had them. An object none of whose segments is
 * left in the Flows named has none.
 */
export async function timesFromSegments(
  db: DbSession,
  queries: readonly FirstUseQuery[],
): Promise<Map<string, ObjectTimes>> {
  const found = new Map<string, ObjectTimes>();
  for (let at = 0; at < queries.length; at += CHUNK) {
    const chunk = queries.slice(at, at + CHUNK).filter((q) => q.flows.length > 0);
    if (chunk.length === 0) continue;
    const flows = [...new Set(chunk.flatMap((q) => q.flows))];
    const rows = await db.select(T.segments, {
      where: and(col('flow_id').in(flows), col('object_id').in(chunk.map((q) => q.id))),
      columns: FIRST_USE_COLUMNS,
    });
    const uses = new EarliestUses(new Map(chunk.map((q) => [q.id, q.first])));
    for (const row of rows) uses.offer(row);
    for (const [id, times] of uses.times()) found.set(id, times);
  }
  return found;
}
