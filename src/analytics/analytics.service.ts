import type { Readable } from 'node:stream';
import type { Clock } from '../common/clock.ts';
import { BadRequestError, NotFoundError } from '../common/errors.ts';
import type { MediaRegistry } from '../media/media.registry.ts';
import type { TamsStore } from '../store/store.ts';
import { formatTimestamp, NS_PER_SECOND, TimeRange, utcMillisToTai } from '../time/index.ts';
import { coverageFigures } from './analytics.coverage.ts';
import { durationParam, positionParam, windowParam } from './analytics.params.ts';
import type {
  CoverageDoc,
  CoverageQuery,
  DurationsDoc,
  DurationsQuery,
  ExportQuery,
  StorageDoc,
  StorageQuery,
  TopDoc,
  TopQuery,
  UsageDoc,
  UsageQuery,
} from './analytics.schemas.ts';
import { storageDoc } from './analytics.storage.ts';
import type { AnalyticsReports, DurationFigures, ExportTable } from './store/reports.ts';
import { isExportable } from './store/reports.ts';

const BUCKETS = { '1m': 60n, '1h': 3600n, '1d': 86_400n } as const;
/** A Flow whose timeline ends further back than this is not live (stalled or not). */
const LIVE_HORIZON_NS = 86_400n * NS_PER_SECOND;
const DEFAULT_STALL_NS = 60n * NS_PER_SECOND;
const PERCENTILES = [0.5, 0.9, 0.99];
const DAY_MS = 86_400_000;
/** Growth buckets per backend a storage report may hold (10,000 hours: over a year). */
const MAX_GROWTH_BUCKETS = 10_000;

export interface AnalyticsServiceDeps {
  reports: AnalyticsReports;
  store: TamsStore;
  media: MediaRegistry;
  clock: Clock;
  /** TAMS_ANALYTICS_EXPORT_MAX_ROWS. */
  exportMaxRows: number;
}

/** A page of a report's list: its size, and where the previous page ended (a cursor). */
export interface PageRequest {
  limit: number;
  after?: string;
}

export interface ExportPlan {
  table: ExportTable;
  format: 'parquet' | 'csv';
  /** Rows the table (or selection) held when counted. */
  rows: number;
  limit: number;
  truncated: boolean;
  /** Starts the export (never for HEAD). */
  open(): Readable;
}

/**
 * The bucket of `width` at `start`: the database gives the bucket of times within a width of the
 * int64 minimum as that minimum (an int64 page key), which lies in the bucket floored from it.
 */
function bucketRange(start: bigint, width: bigint): TimeRange {
  const floor = start - (((start % width) + width) % width);
  return TimeRange.fromBounds(floor, floor + width, true, false);
}

const perSecond = (amount: bigint, ns: bigint) => Number(amount) / (Number(ns) / 1e9);

function durationsDoc(f: DurationFigures) {
  const [p50, p90, p99] = f.percentiles;
  const fmt = (v: bigint | null | undefined) =>
    v === null || v === undefined ? undefined : formatTimestamp(v);
  const figures = {
    p50: fmt(p50),
    p90: fmt(p90),
    p99: fmt(p99),
    min: fmt(f.min),
    max: fmt(f.max),
    mean: fmt(f.segments === 0 ? null : f.sum / BigInt(f.segments)),
  };
  return {
    segments: f.segments,
    ...Object.fromEntries(Object.entries(figures).filter(([, v]) => v !== undefined)),
  };
}

/**
 * The analytics reports as the API gives them (beyond TAMS 7.0). Semantics: the media timeline
 * (TAI nanoseconds) for Flows: a segment counts in a window, and a bucket, where it starts;
 * bytes are those of objects with a known size, each object once, and every report says how
 * many objects have none; storage growth is on the wall clock (when objects were registered).
 */
export class AnalyticsService {
  constructor(private readonly deps: AnalyticsServiceDeps) {}

  private async flowOrThrow(flowId: string) {
    const flow = await this.deps.store.flows.get(flowId);
    if (flow === null) throw new NotFoundError(`The Flow ${flowId} does not exist.`);
    return flow;
  }

  async usage(flowId: string, q: UsageQuery, page: PageRequest): Promise<{ doc: UsageDoc; next?: string }> {
    await this.flowOrThrow(flowId);
    const range = windowParam(q.timerange);
    const bucket = q.bucket ?? '1h';
    const width = BUCKETS[bucket] * NS_PER_SECOND;
    const after = positionParam(page.after);
    const usage = await this.deps.reports.usage(flowId, range, width, {
      limit: page.limit,
      ...(after !== undefined && { after }),
    });
    const { totals } = usage;
    const doc: UsageDoc = {
      flow_id: flowId,
      timerange: range.format(),
      bucket,
      segments: totals.segments,
      duration: formatTimestamp(totals.duration),
      objects: totals.objects,
      bytes: Number(totals.bytes),
      unsized_objects: totals.unsized,
      ...(usage.first !== undefined && { first_segment: usage.first.format() }),
      ...(usage.last !== undefined && { last_segment: usage.last.format() }),
      ingest: usage.buckets.map((b) => ({
        timerange: bucketRange(b.start, width).format(),
        segments: b.segments,
        duration: formatTimestamp(b.duration),
        objects: b.objects,
        bytes: Number(b.bytes),
        unsized_objects: b.unsized,
        media_rate: Number(b.duration) / Number(width),
        bytes_per_second: perSecond(b.bytes, width),
      })),
    };
    return { doc, ...(usage.next !== undefined && { next: usage.next.toString() }) };
  }

  async coverage(
    flowId: string,
    q: CoverageQuery,
    page: PageRequest,
  ): Promise<{ doc: CoverageDoc; next?: string }> {
    const flow = await this.flowOrThrow(flowId);
    const range = windowParam(q.timerange);
    const minGap = durationParam(q.min_gap, 'min_gap');
    const stallAfter = durationParam(q.stall_after, 'stall_after') ?? DEFAULT_STALL_NS;
    const after = positionParam(page.after);
    const islands = await this.deps.reports.islands(flowId, range, minGap, {
      limit: page.limit,
      ...(after !== undefined && { after }),
    });
    const figures = coverageFigures(islands, range, minGap, after === undefined);
    const end = flow.timerange.isEmpty() ? null : flow.timerange.end;
    const now = utcMillisToTai(this.deps.clock.now().getTime());
    const behind = end === null ? undefined : now - end;
    const live = behind !== undefined && behind <= LIVE_HORIZON_NS;
    const last = islands.spans[islands.spans.length - 1];
    const doc: CoverageDoc = {
      flow_id: flowId,
      timerange: range.format(),
      spans: figures.spans,
      gaps: figures.gaps,
      span_count: islands.islands,
      gap_count: figures.gapCount,
      gap_total: formatTimestamp(figures.gapTotal),
      covered: formatTimestamp(islands.covered),
      segments: islands.intervals,
      ...(end !== null && { end: formatTimestamp(end) }),
      ...(behind !== undefined && { behind: formatTimestamp(behind) }),
      live,
      stalled: live && behind !== undefined && behind > stallAfter,
    };
    return { doc, ...(islands.next !== undefined && last !== undefined && { next: last.start.toString() }) };
  }

  async storage(q: StorageQuery): Promise<StorageDoc> {
    const since =
      q.since === undefined ? new Date(this.deps.clock.now().getTime() - 30 * DAY_MS) : new Date(q.since);
    if (Number.isNaN(since.getTime())) throw new BadRequestError('query.since is not a date-time');
    const bucket = q.bucket ?? 'day';
    const buckets =
      (this.deps.clock.now().getTime() - since.getTime()) / (bucket === 'day' ? DAY_MS : DAY_MS / 24);
    if (buckets > MAX_GROWTH_BUCKETS) {
      throw new BadRequestError(
        `query.since: at most ${MAX_GROWTH_BUCKETS} ${bucket}s of growth (use bucket=day)`,
      );
    }
    const report = await this.deps.reports.storage(since, bucket);
    return storageDoc(report, this.deps.media.descriptors(), since, bucket);
  }

  async durations(q: DurationsQuery, page: PageRequest): Promise<{ doc: DurationsDoc; next?: string }> {
    if (q.flow_id !== undefined) await this.flowOrThrow(q.flow_id);
    const scope = {
      window: windowParam(q.timerange),
      ...(q.flow_id !== undefined && { flowId: q.flow_id }),
      ...(q.format !== undefined && { format: q.format }),
      ...(q.codec !== undefined && { codec: q.codec }),
      ...(q.source_id !== undefined && { sourceId: q.source_id }),
    };
    const across = await this.deps.reports.durations(scope, PERCENTILES);
    const doc: DurationsDoc = across.across ? durationsDoc(across.across) : { segments: 0 };
    if (q.group_by !== 'flow') return { doc };
    const flows = await this.deps.reports.durations(scope, PERCENTILES, {
      limit: page.limit,
      ...(page.after !== undefined && { after: page.after }),
    });
    doc.flows = (flows.flows ?? []).map((f) => ({ flow_id: f.flowId, ...durationsDoc(f) }));
    return { doc, ...(flows.next !== undefined && { next: flows.next }) };
  }

  async top(q: TopQuery): Promise<TopDoc> {
    const by = q.by ?? 'bytes';
    const range = windowParam(q.timerange);
    const span = range.isBounded() && !range.isEmpty() ? range.durationNs() : null;
    if (by === 'rate' && (span === null || span === 0n)) {
      throw new BadRequestError('query.by=rate needs a bounded, non-empty query.timerange');
    }
    const flows = await this.deps.reports.top(by === 'rate' ? 'duration' : by, range, q.limit ?? 10);
    const store = await this.deps.reports.storeTotals();
    return {
      by,
      timerange: range.format(),
      flows: flows.map((f) => ({
        flow_id: f.flowId,
        ...(f.label !== null && { label: f.label }),
        ...(f.format !== null && { format: f.format }),
        segments: f.segments,
        duration: formatTimestamp(f.duration),
        objects: f.objects,
        bytes: Number(f.bytes),
        unsized_objects: f.unsized,
        ...(span !== null &&
          span > 0n && {
            media_rate: Number(f.duration) / Number(span),
            bytes_per_second: perSecond(f.bytes, span),
          }),
      })),
      unsized_objects: store.unsized,
    };
  }

  async export(q: ExportQuery): Promise<ExportPlan> {
    const table = q.table;
    if (!isExportable(table)) throw new BadRequestError(`query.table: ${table} cannot be exported`);
    if (table !== 'segments' && (q.flow_id !== undefined || q.timerange !== undefined)) {
      throw new BadRequestError(
        'query.flow_id and query.timerange select segments: use them with table=segments',
      );
    }
    const scope = {
      table,
      ...(q.flow_id !== undefined && { flowId: q.flow_id }),
      ...(q.timerange !== undefined && { window: windowParam(q.timerange) }),
    };
    const limit = Math.min(q.limit ?? this.deps.exportMaxRows, this.deps.exportMaxRows);
    const rows = await this.deps.reports.exportRows(scope);
    const format = q.format ?? 'parquet';
    return {
      table,
      format,
      rows: Math.min(rows, limit),
      limit,
      truncated: rows > limit,
      open: () => this.deps.reports.export(scope, format, limit).stream,
    };
  }
}
