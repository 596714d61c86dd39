import { defaultObjectPath } from '../common/object-ids.ts';
import type { ColumnGroup, DbSession, Row } from '../db/db.types.ts';
import { and, col } from '../db/predicate.ts';
import {
  compareStarts,
  containsBounds,
  INT64_MAX,
  INT64_MIN,
  overlapsBounds,
  TimeRange,
} from '../time/index.ts';
import { otrOf, putOtr } from './objects/object-times.ts';
import { big, num, reqStr, str } from './rows.ts';
import { SegmentSpacing } from './segments.spacing.ts';
import { firstWindowCeiling, holdsStart, readAhead, type WindowScan, windowScan } from './segments.window.ts';
import { T } from './tables.ts';

export interface SegmentUrl {
  url: string;
  label?: string;
}

export interface SegmentRecord {
  flow_id: string;
  object_id: string;
  timerange: TimeRange;
  /** Backend and key of the object's bytes (copied from the object); absent for external objects. */
  storage?: { id: string; path: string };
  ts_offset?: bigint;
  last_duration?: bigint;
  sample_offset?: number;
  sample_count?: number;
  key_frame_count?: number;
  /**
   * Client-supplied (uncontrolled) URLs of a segment being registered: they become instances of
   * its object (object_instances), and the table keeps none, so segments read have none.
   */
  get_urls?: SegmentUrl[];
  /**
   * The object's timerange, only where it is not `timerange - ts_offset` (the segment uses part
   * of its object): see objects/object-times.ts.
   */
  object_timerange?: TimeRange;
  /** The object's initialisation segment object (TAMS 8.2, ADR 0045), copied from the object. */
  init_object_id?: string;
}

/** Identifies a segment within its Flow: segments never overlap, so no two share a start. */
export interface SegmentKey {
  start: bigint;
  startInclusive: boolean;
}

export interface SegmentPageOptions {
  objectId?: string;
  reverse: boolean;
  limit: number;
  /** Key of the last segment of the previous page. */
  after?: SegmentKey;
}

/** What a scan needs of the Flow's row (see flowSpan). */
export interface FlowSpan {
  first?: bigint;
  last?: bigint;
  deleting: boolean;
  /** Whether its objects may have instances (flows.instances); undefined where not known. */
  instanced?: boolean;
}

const ORDER_ASC = [
  { column: 'seg_start', direction: 'asc' },
  { column: 'seg_start_incl', direction: 'desc' },
] as const;
const ORDER_DESC = [
  { column: 'seg_start', direction: 'desc' },
  { column: 'seg_start_incl', direction: 'asc' },
] as const;

/**
 * Segments that can reach a point from at or before it, at most: segments never overlap, so only
 * the last ones starting there can, and three touch there at most (`[s_t)`, `[t_t]`, `(t_e)`).
 */
const REACHING = 3;
/**
 * Spacings before a forward page's start its scan begins on an engine that sorts (see `page`):
 * the segment holding the start lies there unless a gap or a segment that long comes first.
 */
const LEAD_SPACINGS = 2n;
/** Windows back from a point on an unordered engine before both bounds are pushed down instead. */
const PROBES = 3;
/** Spacing of a Flow's segments assumed before any was seen: a second. */
const FIRST_PROBE_SPACING = 1_000_000_000n;
/**
 * The most spacing a read back from a point assumes: a Flow's spacing measured across a gap says
 * little of its segments' lengths, and a window that wide would read many of them.
 */
const MAX_PROBE_SPACING = 10_000_000_000n;

/** The Flow's row, read or being read. */
type Spans = FlowSpan | null | Promise<FlowSpan | null>;

const compareBig = (a: bigint, b: bigint) => (a < b ? -1 : a > b ? 1 : 0);

/** Whether a segment starts before `at`: as `holdsStart` asks of a window's rows. */
const startsBefore = (tr: TimeRange, at: bigint) =>
  tr.start !== null && (tr.start < at || (tr.start === at && tr.startInclusive));

/**
 * Segments of Flows. Queries push down coarse, single-column bounds (what every engine can
 * evaluate) and apply the exact, inclusivity-aware test here; the rows the bounds let through
 * beyond the exact answer are at most the few touching the query's edges.
 */
export class SegmentsRepo {
  /**
   * `ordered`: the engine sorts and stops at the limit itself (segments.window.ts); false reads
   * bounded on any engine, true saves a count or two on one that does.
   */
  constructor(
    private readonly db: DbSession,
    private readonly ordered = false,
    private readonly spacing = new SegmentSpacing(),
    /**
     * Where the Flow's envelope and state are known better than its row says: the store's cache,
     * which writes them behind (the row may lag by seconds). Null: no such Flow.
     */
    private readonly spans?: (flowId: string) => FlowSpan | null,
  ) {}

  /**
   * `seq`: the write sequence of the inserting transaction (the embedded store's, see
   * SegmentIndex.writeSeq), stored so that rows written after a snapshot can be read alone.
   */
  async insertMany(segments: readonly SegmentRecord[], seq?: bigint): Promise<void> {
    if (segments.length === 0) return;
    const rows = segments.map(toRow);
    if (seq !== undefined) for (const row of rows) row.seq = seq;
    await this.db.insert(T.segments, rows);
  }

  /** The highest write sequence in the table (0 when none): where the next one starts. */
  async lastSeq(): Promise<bigint> {
    const [row] = await this.db.select(T.segments, {
      where: and(col('seq').gt(0n)),
      columns: ['seq'],
      orderBy: [{ column: 'seq', direction: 'desc' }],
      limit: 1,
    });
    return (row?.seq as bigint | null | undefined) ?? 0n;
  }

  /**
   * The segments of these Flows written with a sequence above `seq`, by Flow, in no order: what a
   * Flow's snapshot current to `seq` lacks. Rows carry increasing sequences in the order they
   * were appended, so the engine skips the older parts of the table by their min/max statistics.
   */
  async writtenSince(flowIds: readonly string[], seq: bigint): Promise<Map<string, SegmentRecord[]>> {
    const found = new Map<string, SegmentRecord[]>();
    if (flowIds.length === 0) return found;
    await this.db.scan(T.segments, { where: and(col('flow_id').in(flowIds), col('seq').gt(seq)) }, (rows) => {
      for (const row of rows) {
        const segment = fromRow(row);
        const list = found.get(segment.flow_id);
        if (list) list.push(segment);
        else found.set(segment.flow_id, [segment]);
      }
    });
    return found;
  }

  /**
   * One page of the segments overlapping `range`, in time order (or reversed); none for a Flow
   * that does not exist or is being deleted.
   */
  async page(
    flowId: string,
    range: TimeRange,
    options: SegmentPageOptions,
  ): Promise<{ items: SegmentRecord[]; next?: SegmentKey; instanced?: boolean }> {
    const bounds = overlapBounds(range);
    if (bounds === null) return { items: [] };
    // The Flow's row, read anyway for the windows' bounds, also says whether it is being deleted
    // (gone for clients while the deletion worker removes its segments, DIGEST §9): no other read
    // of it. The segment holding the range's start is looked for at the same time.
    // On an unordered engine (VAST) the first window is read beside them too: one round trip.
    const where = [
      col('flow_id').eq(flowId),
      options.objectId !== undefined && col('object_id').eq(options.objectId),
      ...bounds,
    ];
    const ahead = this.ordered
      ? undefined
      : readAhead(this.db, {
          where,
          reverse: options.reverse,
          after: options.after,
          start: range.start,
          end: range.end,
          want: options.limit + 1,
          spacing: this.spacing.get(flowId),
        });
    // Forward, a first window read ahead from a little before the range's start usually holds
    // the segment holding that start (`holdsStart` tells) and the scan goes on from its far
    // edge, so the scan's lower bound only has to lie at or before that segment: the Flow's
    // first start does, and the select for that segment is left out. A window that does not
    // tell, or came back full (the scan then splits it by counts from its lower bound), wants
    // the tight one.
    const lean = ahead !== undefined && !options.reverse;
    const start = int64OrUndefined(range.start);
    // On an engine that sorts and stops at a limit, a page needs no probe for the segment holding
    // the range's start: after a cursor the scan begins at the cursor; reversed, it stops at the
    // first segment wholly before the range (segments never overlap: none further back reaches
    // it); forward, where the Flow's spacing is known, it begins a few spacings before the start
    // and the probe is left for a window that turns out not to hold that segment.
    const spacing = this.ordered ? this.spacing.get(flowId) : undefined;
    const near =
      this.ordered &&
      !options.reverse &&
      options.after === undefined &&
      options.objectId === undefined &&
      start !== undefined &&
      spacing
        ? start - LEAD_SPACINGS * spacing
        : undefined;
    const unprobed = this.ordered && (options.reverse || options.after !== undefined || near !== undefined);
    const spanRead = this.flowSpan(flowId);
    const [span, tight, ahead1] = await Promise.all([
      spanRead,
      lean || unprobed ? undefined : this.startBounds(flowId, range, true, spanRead),
      ahead,
    ]);
    if (span === null || span.deleting) return { items: [] };
    let first = ahead1;
    let starts = tight;
    if (near !== undefined) {
      starts = { lowest: near, highest: int64OrUndefined(range.end) };
    } else if (
      starts !== undefined ||
      options.after !== undefined ||
      first === undefined ||
      start === undefined
    ) {
      starts ??= { highest: int64OrUndefined(range.end) };
    } else if (first.rows.length >= firstWindowCeiling(options.limit + 1)) {
      starts = await this.startBounds(flowId, range, true, span);
    } else if (holdsStart(first.rows, start)) {
      starts = { highest: int64OrUndefined(range.end) };
    } else {
      // The segment holding the range's start, if there is one, may begin before the window (a
      // gap before the start, or a segment longer than the spacing): a probe of its own finds it.
      // Without one the window holds every segment from the start on.
      const lowest = await this.startAt(flowId, start, span);
      if (lowest < (first.from ?? INT64_MIN)) first = undefined;
      starts = { lowest, highest: int64OrUndefined(range.end) };
    }
    const overlaps = (tr: TimeRange) =>
      overlapsBounds(range, tr.start, tr.end, tr.startInclusive, tr.endInclusive);
    // Whether the scan saw a segment starting before the range's start: then the one holding it,
    // if any, was among them (the last such; earlier ones end before it begins).
    let held = near === undefined || (span.first !== undefined && near <= span.first);
    // From `near`, the segments ending before the start come back too (a few): whether one
    // starts before it is what tells that the scan saw the one holding it.
    const end = int64OrUndefined(range.end);
    const scanWhere = near === undefined ? where.slice(1) : [end !== undefined && col('seg_start').le(end)];
    const scanned = (lowest = starts.lowest) =>
      this.scan(
        flowId,
        scanWhere,
        (tr) => {
          if (!held && start !== undefined && startsBefore(tr, start)) held = true;
          return overlaps(tr);
        },
        {
          reverse: options.reverse,
          limit: options.limit + 1,
          // The few segments between `near` and the start, or the cursor's own (and one touching
          // it), read and passed over, on an engine that sorts (elsewhere the first window, read
          // ahead, was sized by the page alone).
          extra: this.ordered
            ? (near === undefined ? 0 : Number(LEAD_SPACINGS) + 1) + (options.after === undefined ? 0 : 2)
            : 0,
          closed: end !== undefined,
          past:
            this.ordered && options.reverse && start !== undefined
              ? (tr) => startsBefore(tr, start) && !overlaps(tr)
              : undefined,
          after: options.after,
          ...starts,
          lowest,
          first,
        },
        span,
      );
    let found = await scanned();
    if (!held && near !== undefined && start !== undefined) {
      // A gap before the start, or a segment longer than the spacing: probed after all.
      const lowest = await this.startAt(flowId, start, span);
      if (lowest < near) found = await scanned(lowest);
    }
    this.spacing.learn(
      flowId,
      found.map((s) => s.timerange.start as bigint),
    );
    const items = found.slice(0, options.limit);
    const lastItem = items.at(-1);
    const next = found.length > options.limit && lastItem ? keyOf(lastItem) : undefined;
    return span.instanced === undefined ? { items, next } : { items, next, instanced: span.instanced };
  }

  /** All the Flow's segments, in time order (to load an in-memory index). */
  async all(flowId: string): Promise<SegmentRecord[]> {
    const rows = await this.db.select(T.segments, {
      where: and(col('flow_id').eq(flowId)),
      orderBy: ORDER_ASC,
    });
    return rows.map(fromRow);
  }

  /**
   * Every segment of these Flows in one read, reported Flow after Flow (each once, in time
   * order; Flows without segments not at all): to load several in-memory indexes with one pass
   * over the table, holding one Flow's segments at a time.
   */
  async scanFlows(
    flowIds: readonly string[],
    onFlow: (flowId: string, segments: SegmentRecord[]) => void,
  ): Promise<void> {
    if (flowIds.length === 0) return;
    let current: SegmentRecord[] = [];
    const finish = () => {
      const first = current[0];
      if (first) onFlow(first.flow_id, current);
      current = [];
    };
    await this.db.scan(
      T.segments,
      { where: and(col('flow_id').in(flowIds)), orderBy: [{ column: 'flow_id' }, ...ORDER_ASC] },
      (rows) => {
        for (const row of rows) {
          const segment = fromRow(row);
          if (current.length > 0 && current[0]?.flow_id !== segment.flow_id) finish();
          current.push(segment);
        }
      },
    );
    finish();
  }

  /** Every segment of the Flow overlapping `range` (for overlap checks on registration). */
  async overlapping(flowId: string, range: TimeRange): Promise<SegmentRecord[]> {
    return (await this.overlappingMany(new Map([[flowId, range]]))).get(flowId) ?? [];
  }

  /**
   * `overlapping` for many Flows at once (a batch of registrations): one select for Flows whose
   * ranges lie close together in time (ingest into many Flows at once), `flow_id in (...)` and
   * the envelope of their ranges; Flows far apart in time get selects of their own, so no select
   * covers a stretch much wider than the ranges asked about.
   *
   * A select reads the segments starting within the envelope, a range of seg_start bounded on
   * both sides, and each Flow's segments reaching the envelope's start from before it come from
   * a probe of their own (`reaching`): no read then depends on where in its Flow the range lies.
   * (`seg_start <= end and seg_end >= start` alone is served by one index or the other, each
   * read from the range to one end of the Flow.)
   */
  async overlappingMany(ranges: ReadonlyMap<string, TimeRange>): Promise<Map<string, SegmentRecord[]>> {
    const found = new Map<string, SegmentRecord[]>();
    const clusters = clusterRanges(ranges);
    const keep = (rows: readonly Row[]) => {
      for (const row of rows) {
        const segment = fromRow(row);
        const range = ranges.get(segment.flow_id);
        if (!range?.overlaps(segment.timerange)) continue;
        const list = found.get(segment.flow_id);
        if (list) list.push(segment);
        else found.set(segment.flow_id, [segment]);
      }
    };
    await Promise.all(
      clusters.map(async ({ flowIds, span }) => {
        const bounds = overlapBounds(span);
        if (bounds === null) return;
        const start = int64OrUndefined(span.start);
        if (start === undefined) {
          keep(await this.db.select(T.segments, { where: and(col('flow_id').in(flowIds), ...bounds) }));
          return;
        }
        // From a few spacings before the envelope's start: usually from the last segment before
        // it on, which shows that no earlier one reaches into the ranges (`holdsStart`).
        let back = 0n;
        for (const f of flowIds) back = max(back, this.reachBack(f)) as bigint;
        const low = start - back;
        const end = int64OrUndefined(span.end);
        // Flows whose spacing this process has not seen (new ones, most often: no segment before)
        // are looked behind the window at once, beside it; the others only where it falls short.
        const unseen = low > INT64_MIN ? flowIds.filter((f) => !this.spacing.lookedBehind(f)) : [];
        for (const f of unseen) this.spacing.markLookedBehind(f);
        const [rows, early] = await Promise.all([
          this.db.select(T.segments, {
            where: and(
              col('flow_id').in(flowIds),
              low > INT64_MIN && col('seg_start').ge(low),
              end !== undefined && col('seg_start').le(end),
            ),
          }),
          this.behind(unseen, low, start),
        ]);
        keep(rows);
        keep(early);
        const byFlow = new Map<string, Row[]>();
        for (const r of rows) {
          const f = r.flow_id as string;
          const list = byFlow.get(f);
          if (list) list.push(r);
          else byFlow.set(f, [r]);
        }
        // The spacing from the segments before each range to its start (what it is about to be).
        for (const [f, list] of byFlow) {
          const at = int64OrUndefined(ranges.get(f)?.start ?? null);
          const starts = list.map((r) => r.seg_start as bigint).filter((b) => at === undefined || b < at);
          if (at !== undefined) starts.push(at);
          this.spacing.learn(f, starts.sort(compareBig));
        }
        if (low <= INT64_MIN) return;
        const looked = new Set(unseen);
        const unsure = flowIds.filter((f) => !looked.has(f) && !holdsStart(byFlow.get(f) ?? [], start));
        keep(await this.behind(unsure, low, start));
      }),
    );
    // Each Flow's segments in time order (the reads come in no order).
    for (const list of found.values()) list.sort((a, b) => compareKeys(keyOf(a), keyOf(b)));
    return found;
  }

  /**
   * Segments of `flowIds` starting before `low` and reaching `at` (>= low): on an engine that
   * sorts, each Flow's from a probe of its own (an index walked back from `at`); elsewhere where
   * the engine evaluates both bounds (read from one end of the Flow to `at`, but cheap before or
   * after a Flow's segments and for a Flow without any: the cases that come here most).
   */
  private async behind(flowIds: readonly string[], low: bigint, at: bigint): Promise<Row[]> {
    if (flowIds.length === 0) return [];
    const rows = this.ordered
      ? (await Promise.all(flowIds.map((f) => this.reaching(f, at)))).flat()
      : await this.db.select(T.segments, {
          where: and(col('flow_id').in(flowIds), col('seg_start').lt(low), col('seg_end').ge(at)),
        });
    return rows.filter((r) => (r.seg_start as bigint) < low);
  }

  /** How far before a point a read starts to hold the segment reaching it: four spacings. */
  private reachBack(flowId: string): bigint {
    const spacing = this.spacing.get(flowId) ?? FIRST_PROBE_SPACING;
    return 4n * (spacing > MAX_PROBE_SPACING ? MAX_PROBE_SPACING : spacing < 1n ? 1n : spacing);
  }

  /** Segments wholly inside `range`, in time order, at most `limit`. */
  async within(
    flowId: string,
    range: TimeRange,
    objectId?: string,
    limit?: number,
  ): Promise<SegmentRecord[]> {
    const bounds = withinBounds(range);
    if (bounds === null) return [];
    return this.scan(
      flowId,
      [objectId !== undefined && col('object_id').eq(objectId), ...bounds],
      (tr) => containsBounds(range, tr.start, tr.end, tr.startInclusive, tr.endInclusive),
      { reverse: false, limit, ...(await this.startBounds(flowId, range, false)) },
    );
  }

  /**
   * The seg_start bounds of segments overlapping `range` (`overlapping`), or lying within it:
   * overlapping ones may start before range.start, in the one segment holding it.
   */
  private async startBounds(
    flowId: string,
    range: TimeRange,
    overlapping: boolean,
    span?: Spans,
  ): Promise<{ lowest?: bigint; highest?: bigint }> {
    const start = int64OrUndefined(range.start);
    return {
      lowest: start === undefined ? undefined : overlapping ? await this.startAt(flowId, start, span) : start,
      highest: int64OrUndefined(range.end),
    };
  }

  /**
   * Keyset scan in time order through windows on seg_start (segments.window.ts): pushed-down
   * `where` plus the window, keeping the segments `accept` passes until `limit` of them are found.
   * The windows start at `lowest` (or after the cursor) and stop at the Flow's envelope.
   */
  private async scan(
    flowId: string,
    where: (ColumnGroup | false)[],
    accept: (tr: TimeRange) => boolean,
    options: {
      reverse: boolean;
      limit?: number;
      /** Rows read beyond `limit` in a select, for those `accept` is expected to pass over. */
      extra?: number;
      /** A segment past which, in the scan's direction, `accept` passes none: the scan stops. */
      past?: (tr: TimeRange) => boolean;
      /** `where` bounds seg_start at `highest` (WindowScan.closed). */
      closed?: boolean;
      after?: SegmentKey;
      lowest?: bigint;
      highest?: bigint;
      first?: WindowScan['first'];
    },
    span?: FlowSpan | null,
  ): Promise<SegmentRecord[]> {
    const found: SegmentRecord[] = [];
    const { reverse, limit } = options;
    const flow = span === undefined ? await this.flowSpan(flowId) : span;
    // The first start that can match, in the scan's direction, and the last.
    const low = max(options.lowest, flow?.first);
    const high = min(options.highest, flow?.last);
    if (flow !== null && low !== undefined && high !== undefined && low > high) return found;
    const from = options.after?.start ?? (reverse ? high : low);
    const until = reverse ? low : high;
    await windowScan(this.db, {
      where: [col('flow_id').eq(flowId), ...where],
      reverse,
      ordered: this.ordered,
      // Without an envelope (no Flow row, or none known) one unbounded select answers.
      from: from ?? (reverse ? INT64_MAX : INT64_MIN),
      until: until ?? from ?? (reverse ? INT64_MAX : INT64_MIN),
      closed: options.closed === true && !reverse && high !== undefined && high === options.highest,
      after: options.after,
      want: limit === undefined ? 10_000 : limit + (options.extra ?? 0),
      first: options.first,
      spacing: this.ordered ? this.spacing.guess(flowId) : undefined,
      compare: compareKeys,
      keyOf: (row) => ({ start: row.seg_start as bigint, startInclusive: row.seg_start_incl as boolean }),
      take: (rows) => {
        for (const row of rows) {
          const segment = fromRow(row);
          if (options.past?.(segment.timerange)) return false;
          if (accept(segment.timerange)) found.push(segment);
          if (limit !== undefined && found.length >= limit) return false;
        }
        return true;
      },
    });
    return found;
  }

  /**
   * The starts of the Flow's first and last segments as its row records them (the envelope
   * segment writes maintain); null without a row, undefined bounds when it records none.
   */
  private async flowSpan(flowId: string): Promise<FlowSpan | null> {
    if (this.spans) return this.spans(flowId);
    const [row] = await this.db.select(T.flows, {
      where: and(col('id').eq(flowId)),
      columns: ['tr_start', 'tr_end', 'deleting', 'instances'],
      limit: 1,
    });
    if (row === undefined) return null;
    return {
      first: big(row, 'tr_start'),
      last: big(row, 'tr_end'),
      deleting: row.deleting === true,
      instanced: row.instances === true,
    };
  }

  /**
   * The start of the segment holding `at`, if one does (segments never overlap: one at most, or
   * a few touching there), else `at`: where a scan for segments reaching `at` or later begins.
   * `span`: the Flow's row, where read already (its first start ends a search back early).
   */
  private async startAt(flowId: string, at: bigint, span?: Spans): Promise<bigint> {
    const rows = await this.reaching(flowId, at, span);
    return rows.reduce(
      (low, r) =>
        (r.seg_end as bigint) >= at && (r.seg_start as bigint) < low ? (r.seg_start as bigint) : low,
      at,
    );
  }

  /**
   * Segments of the Flow starting at or before `at`, among them every one reaching `at`
   * (REACHING), read in time proportional to them wherever `at` lies in the Flow:
   * `seg_start <= at and seg_end >= at` has no index or projection bounded on both sides, and
   * is read from one end of the Flow to `at`. On an engine that sorts and stops at a limit, the
   * last REACHING of them (latest first): one probe backwards from `at` (on PostgreSQL an index
   * walked back from the point). Elsewhere (VAST), windows of seg_start back from `at`, each
   * bounded on both sides, sized by the Flow's spacing and widening until one holds a segment
   * starting before `at` (no earlier one reaches it: they end before it starts) or reaches back
   * to the Flow's first segment; past PROBES of them (a long gap or segment) the engine evaluates
   * the two bounds where the data is.
   */
  private async reaching(flowId: string, at: bigint, span?: Spans): Promise<Row[]> {
    if (this.ordered) {
      return this.db.select(T.segments, {
        where: and(col('flow_id').eq(flowId), col('seg_start').le(at)),
        orderBy: ORDER_DESC,
        limit: REACHING,
      });
    }
    let width = this.reachBack(flowId);
    for (let probe = 0; probe < PROBES; probe++) {
      const low = at - width;
      // The first probe goes beside the Flow's row being read; the row then says whether the
      // window reached back past the Flow's first segment (nothing further back to find).
      const [rows, row] = await Promise.all([
        this.db.select(T.segments, {
          where: and(
            col('flow_id').eq(flowId),
            col('seg_start').le(at),
            low > INT64_MIN && col('seg_start').gt(low),
          ),
        }),
        span,
      ]);
      const first = row?.first;
      if (
        low <= INT64_MIN ||
        (first !== undefined && low < first) ||
        rows.some((r) => (r.seg_start as bigint) < at)
      ) {
        return rows;
      }
      width *= 16n;
    }
    return this.db.select(T.segments, {
      where: and(col('flow_id').eq(flowId), col('seg_start').le(at), col('seg_end').ge(at)),
    });
  }

  /**
   * An upper bound of the number of segments wholly inside `range` (exact but for segments
   * touching its ends): decides whether a deletion runs now or in the background.
   */
  async countWithin(flowId: string, range: TimeRange, objectId?: string): Promise<number> {
    const bounds = withinBounds(range);
    if (bounds === null) return 0;
    return this.db.count(
      T.segments,
      and(col('flow_id').eq(flowId), objectId !== undefined && col('object_id').eq(objectId), ...bounds),
    );
  }

  async countFlow(flowId: string): Promise<number> {
    return this.db.count(T.segments, and(col('flow_id').eq(flowId)));
  }

  /**
   * Whether the Flow has a segment whose object has an init object (`withInit`), or one whose
   * has none: what a change of the Flow's `init_segments` must agree with (TAMS 8.2, ADR 0045).
   */
  async hasSegmentWithInit(flowId: string, withInit: boolean): Promise<boolean> {
    const init = col('init_object_id');
    const rows = await this.db.select(T.segments, {
      where: and(col('flow_id').eq(flowId), withInit ? init.isNotNull() : init.isNull()),
      columns: ['flow_id'],
      limit: 1,
    });
    return rows.length > 0;
  }

  /**
   * How many segments the Flow has, for deciding how to delete many of them, where that costs no
   * round trip: from an in-memory index (IndexedSegments). Undefined here: a count is a further
   * round trip on a remote engine, which deletion does without.
   */
  async sizeForDeletion(_flowId: string): Promise<number | undefined> {
    return undefined;
  }

  /**
   * Points the Flow's segments of one object at another location of its bytes (the object moved:
   * TAMS 8.2's promotion of a copy, objects/objects.promote.ts); returns them as they now are.
   * `beforeWrite` is called once there are some, before they change.
   */
  async relocate(
    flowId: string,
    objectId: string,
    to: { id: string; path: string },
    beforeWrite?: () => void,
  ): Promise<SegmentRecord[]> {
    const where = and(col('flow_id').eq(flowId), col('object_id').eq(objectId));
    const rows = await this.db.select(T.segments, { where });
    if (rows.length === 0) return [];
    beforeWrite?.();
    const path = to.path === defaultObjectPath(flowId, objectId) ? null : to.path;
    await this.db.update(T.segments, where, { storage_id: to.id, storage_path: path });
    return rows.map((row) => ({ ...fromRow(row), storage: { ...to } }));
  }

  /** Deletes the given segments of the Flow; returns how many went. */
  async deleteKeys(flowId: string, keys: readonly SegmentKey[]): Promise<number> {
    let deleted = 0;
    for (const inclusive of [true, false]) {
      const starts = keys.filter((k) => k.startInclusive === inclusive).map((k) => k.start);
      if (starts.length === 0) continue;
      deleted += await this.db.delete(
        T.segments,
        and(col('flow_id').eq(flowId), col('seg_start').in(starts), col('seg_start_incl').eq(inclusive)),
      );
    }
    return deleted;
  }

  /**
   * The envelope of all the Flow's segments: the Flow's timerange. Windows from the ends its row
   * records (segments.window.ts), which are exact but for a deletion shrinking them.
   */
  async envelope(flowId: string): Promise<TimeRange> {
    const [first] = await this.scan(flowId, [], () => true, { reverse: false, limit: 1 });
    if (!first) return TimeRange.EMPTY;
    // Segments never overlap: the last to start is the last to end.
    const [last] = await this.scan(flowId, [], () => true, { reverse: true, limit: 1 });
    return first.timerange.envelope((last ?? first).timerange);
  }
}

export function keyOf(segment: SegmentRecord): SegmentKey {
  const start = segment.timerange.start;
  if (start === null) throw new Error('stored segments are bounded');
  return { start, startInclusive: segment.timerange.startInclusive };
}

/** Time order of segment keys: by start, an inclusive start before an exclusive one. */
export function compareKeys(a: SegmentKey, b: SegmentKey): number {
  return compareStarts(a.start, a.startInclusive, b.start, b.startInclusive);
}

/**
 * Groups Flows whose ranges (bounded, non-empty) lie close in time: in start order, a range joins
 * the group before it when the gap between them is no wider than that group's span, so a group's
 * envelope is at most about twice the time its ranges cover.
 */
function clusterRanges(ranges: ReadonlyMap<string, TimeRange>): { flowIds: string[]; span: TimeRange }[] {
  const sorted = [...ranges].sort(([, a], [, b]) => compareByStartOf(a, b));
  const clusters: { flowIds: string[]; span: TimeRange }[] = [];
  for (const [flowId, range] of sorted) {
    const last = clusters.at(-1);
    if (last && closeEnough(last.span, range)) {
      last.flowIds.push(flowId);
      last.span = last.span.envelope(range);
    } else {
      clusters.push({ flowIds: [flowId], span: range });
    }
  }
  return clusters;
}

function compareByStartOf(a: TimeRange, b: TimeRange): number {
  const x = a.start ?? INT64_MIN;
  const y = b.start ?? INT64_MIN;
  return x < y ? -1 : x > y ? 1 : 0;
}

function closeEnough(span: TimeRange, next: TimeRange): boolean {
  if (span.start === null || span.end === null || next.start === null) return false;
  return next.start - span.end <= span.end - span.start;
}

/** A range bound as a seg_start bound: undefined when unbounded or beyond int64. */
function int64OrUndefined(v: bigint | null): bigint | undefined {
  return v !== null && v >= INT64_MIN && v <= INT64_MAX ? v : undefined;
}

/** Coarse bounds for "overlaps `range`"; null when nothing can match. */
function overlapBounds(range: TimeRange): ColumnGroup[] | null {
  if (range.isEmpty()) return null;
  if (range.end !== null && range.end < INT64_MIN) return null;
  if (range.start !== null && range.start > INT64_MAX) return null;
  const groups: ColumnGroup[] = [];
  if (range.end !== null && range.end <= INT64_MAX) groups.push(col('seg_start').le(range.end));
  if (range.start !== null && range.start >= INT64_MIN) groups.push(col('seg_end').ge(range.start));
  return groups;
}

/** Coarse bounds for "wholly inside `range`"; null when nothing can match. */
function withinBounds(range: TimeRange): ColumnGroup[] | null {
  if (range.isEmpty()) return null;
  if (range.end !== null && range.end < INT64_MIN) return null;
  if (range.start !== null && range.start > INT64_MAX) return null;
  const groups: ColumnGroup[] = [];
  if (range.start !== null && range.start >= INT64_MIN) groups.push(col('seg_start').ge(range.start));
  if (range.end !== null && range.end <= INT64_MAX) {
    groups.push(col('seg_end').le(range.end));
    // Implied (a segment starts before it ends), and what bounds seg_start's range from above:
    // a count of a day from the middle of a Flow reads that day, not the rest of the Flow.
    groups.push(col('seg_start').le(range.end));
  }
  return groups;
}

function toRow(s: SegmentRecord): Row {
  const tr = s.timerange;
  const opt = (v: number | undefined) => (v === undefined ? null : BigInt(v));
  const row: Row = {
    flow_id: s.flow_id,
    seg_start: tr.start,
    seg_end: tr.end,
    seg_start_incl: tr.startInclusive,
    seg_end_incl: tr.endInclusive,
    object_id: s.object_id,
    storage_id: s.storage?.id ?? null,
    // Null when it is the object's default key: fromRow makes it again.
    storage_path:
      s.storage === undefined || s.storage.path === defaultObjectPath(s.flow_id, s.object_id)
        ? null
        : s.storage.path,
    ts_offset: s.ts_offset ?? null,
    last_duration: s.last_duration ?? null,
    sample_offset: opt(s.sample_offset),
    sample_count: opt(s.sample_count),
    key_frame_count: opt(s.key_frame_count),
    // Its object's instances hold them (ObjectInstances).
    get_urls: null,
  };
  // Left out (null) on the common row, as the object timerange is.
  if (s.init_object_id !== undefined) row.init_object_id = s.init_object_id;
  return putOtr(row, s.object_timerange);
}

function fromRow(row: Row): SegmentRecord {
  const segment: SegmentRecord = {
    flow_id: reqStr(row, 'flow_id'),
    object_id: reqStr(row, 'object_id'),
    timerange: TimeRange.fromBounds(
      row.seg_start as bigint,
      row.seg_end as bigint,
      row.seg_start_incl as boolean,
      row.seg_end_incl as boolean,
    ),
  };
  const storageId = str(row, 'storage_id');
  if (storageId !== undefined) {
    const path = str(row, 'storage_path') ?? defaultObjectPath(segment.flow_id, segment.object_id);
    segment.storage = { id: storageId, path };
  }
  const tsOffset = big(row, 'ts_offset');
  if (tsOffset !== undefined) segment.ts_offset = tsOffset;
  const lastDuration = big(row, 'last_duration');
  if (lastDuration !== undefined) segment.last_duration = lastDuration;
  const sampleOffset = num(row, 'sample_offset');
  if (sampleOffset !== undefined) segment.sample_offset = sampleOffset;
  const sampleCount = num(row, 'sample_count');
  if (sampleCount !== undefined) segment.sample_count = sampleCount;
  const keyFrames = num(row, 'key_frame_count');
  if (keyFrames !== undefined) segment.key_frame_count = keyFrames;
  const objectRange = otrOf(row);
  if (objectRange !== undefined) segment.object_timerange = objectRange;
  const init = str(row, 'init_object_id');
  if (init !== undefined) segment.init_object_id = init;
  return segment;
}

/** The greater of two optional bounds (undefined: no bound). */
function max(a: bigint | undefined, b: bigint | undefined): bigint | undefined {
  if (a === undefined) return b;
  return b === undefined || a > b ? a : b;
}

/** The lesser of two optional bounds (undefined: no bound). */
function min(a: bigint | undefined, b: bigint | undefined): bigint | undefined {
  if (a === undefined) return b;
  return b === undefined || a < b ? a : b;
}
