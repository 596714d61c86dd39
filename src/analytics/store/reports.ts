import type { Analytics, ExportStream } from '../../db/analytics/analytics.ts';
import type { ExportFormat, IslandsResult, TruncUnit } from '../../db/analytics/analytics.types.ts';
import type { TableInfo } from '../../db/db.types.ts';
import type { TimeRange } from '../../time/index.ts';
import {
  type DurationFigures,
  type FlowDurations,
  type SegmentScope,
  segmentDurations,
} from './reports.durations.ts';
import { type ExportScope, exportRows, exportScope } from './reports.export.ts';
import { type FlowUsage, flowIslands, flowUsage } from './reports.flows.ts';
import { type TopBy, type TopFlow, topFlows } from './reports.segments.ts';
import {
  orphanSizes,
  type StorageFigures,
  type StorageReport,
  storageReport,
  storeTotals,
} from './reports.store.ts';

export type { Interval, IslandsResult } from '../../db/analytics/analytics.types.ts';
export type { DurationFigures, FlowDurations, SegmentScope } from './reports.durations.ts';
export type { ExportScope, ExportTable } from './reports.export.ts';
export { EXPORTABLE, isExportable } from './reports.export.ts';
export type { FlowUsage, UsageBucket, UsageFigures } from './reports.flows.ts';
export type { TopBy, TopFlow } from './reports.segments.ts';
export type { StorageFigures, StorageGrowth, StorageReport } from './reports.store.ts';

/**
 * The store's analytic reports: which tables and columns each reads, under which predicates
 * (src/analytics/store/reports.*.ts), run by the table manager's analytics (db/analytics/). What
 * the figures mean for TAMS (windows, buckets, gaps, rates) is the analytics service's.
 */
export class AnalyticsReports {
  constructor(
    private readonly analytics: Analytics,
    /** The declared definition of a table (exports write every declared column). */
    private readonly tableInfo: (name: string) => TableInfo,
  ) {}

  usage(
    flowId: string,
    window: TimeRange,
    bucketNs: bigint,
    page: { after?: bigint; limit: number },
  ): Promise<FlowUsage> {
    return flowUsage(this.analytics, flowId, window, bucketNs, page);
  }

  islands(
    flowId: string,
    window: TimeRange,
    bridge: bigint | undefined,
    page: { after?: bigint; limit: number },
  ): Promise<IslandsResult> {
    return flowIslands(this.analytics, flowId, window, bridge, page);
  }

  storage(since: Date | undefined, unit: TruncUnit): Promise<StorageReport> {
    return storageReport(this.analytics, since, unit);
  }

  /** Every object segments use, its bytes and those of unknown size (the storage report's totals). */
  storeTotals(): Promise<StorageFigures> {
    return storeTotals(this.analytics);
  }

  /** Size rows whose objects are gone (see orphanSizes). */
  orphanSizes(limit: number): Promise<string[]> {
    return orphanSizes(this.analytics, limit);
  }

  durations(
    scope: SegmentScope,
    at: readonly number[],
    perFlow?: { after?: string; limit: number },
  ): Promise<{ across?: DurationFigures; flows?: FlowDurations[]; next?: string }> {
    return segmentDurations(this.analytics, scope, at, perFlow);
  }

  top(by: TopBy, window: TimeRange, limit: number): Promise<TopFlow[]> {
    return topFlows(this.analytics, by, window, limit);
  }

  exportRows(scope: ExportScope): Promise<number> {
    return exportRows(this.analytics, scope, this.tableInfo(scope.table));
  }

  export(scope: ExportScope, format: ExportFormat, limit: number): ExportStream {
    return exportScope(this.analytics, scope, this.tableInfo(scope.table), format, limit);
  }

  close(): Promise<void> {
    return this.analytics.close();
  }
}
