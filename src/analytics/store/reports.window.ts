import type { AnalyticsRow } from '../../db/analytics/analytics.types.ts';
import type { ColumnGroup } from '../../db/db.types.ts';
import { col } from '../../db/predicate.ts';
import type { TimeRange } from '../../time/index.ts';

/**
 * The rows whose `column` (a time in nanoseconds) lies in `window`, inclusivity included: the
 * analytics' rule for attributing a segment (or an object) to a window or a bucket is where it
 * starts, so that a segment counts once however the timeline is cut.
 */
export function within(column: string, window: TimeRange): ColumnGroup[] {
  if (window.isEmpty()) return [col(column).in([])];
  const groups: ColumnGroup[] = [];
  if (window.start !== null) groups.push(col(column)[window.startInclusive ? 'ge' : 'gt'](window.start));
  if (window.end !== null) groups.push(col(column)[window.endInclusive ? 'le' : 'lt'](window.end));
  return groups;
}

/**
 * The segments that may overlap `window` (ends at or after its start, starts at or before its
 * end): exact but for a segment meeting the window only at an excluded point, which adds nothing
 * to a timeline clipped to the window.
 */
export function mayOverlap(window: TimeRange): ColumnGroup[] {
  if (window.isEmpty()) return [col('seg_start').in([])];
  const groups: ColumnGroup[] = [];
  if (window.start !== null) groups.push(col('seg_end').ge(window.start));
  if (window.end !== null) groups.push(col('seg_start').le(window.end));
  return groups;
}

/** Readers of analytics rows (integers come as bigint). */
export function count(row: AnalyticsRow | undefined, name: string): number {
  const v = row?.[name];
  return typeof v === 'bigint' ? Number(v) : typeof v === 'number' ? v : 0;
}

export function bigOr0(row: AnalyticsRow | undefined, name: string): bigint {
  const v = row?.[name];
  return typeof v === 'bigint' ? v : 0n;
}

export function bigOrNull(row: AnalyticsRow | undefined, name: string): bigint | null {
  const v = row?.[name];
  return typeof v === 'bigint' ? v : null;
}

export function text(row: AnalyticsRow | undefined, name: string): string | null {
  const v = row?.[name];
  return typeof v === 'string' ? v : null;
}
