import type {
  CoverageDoc,
  DurationsDoc,
  StorageDoc,
  TopDoc,
  UsageDoc,
} from '../src/analytics/analytics.schemas.ts';
import { columns, formatBytes } from './mgmt.io.ts';

/** The analytics reports as tables for people (`--json` prints the API's documents instead). */

const n = (v: number) => v.toLocaleString('en');
const RIGHT = (...i: number[]) => new Set(i);

export function usageText(doc: UsageDoc): string {
  const head =
    `Flow ${doc.flow_id}, ${doc.timerange}: ${n(doc.segments)} segments, ${doc.duration} s of media, ` +
    `${n(doc.objects)} objects, ${formatBytes(doc.bytes)} (${n(doc.unsized_objects)} objects of unknown size)\n` +
    `first segment ${doc.first_segment ?? '-'}, last ${doc.last_segment ?? '-'}\n`;
  const rows = doc.ingest.map((b) => [
    b.timerange,
    n(b.segments),
    b.duration,
    formatBytes(b.bytes),
    n(b.unsized_objects),
    b.media_rate.toFixed(3),
    formatBytes(Math.round(b.bytes_per_second)),
  ]);
  return (
    head +
    columns(
      [['BUCKET', 'SEGMENTS', 'DURATION', 'BYTES', 'UNSIZED', 'MEDIA/S', 'BYTES/S'], ...rows],
      RIGHT(1, 2, 3, 4, 5, 6),
    )
  );
}

export function coverageText(doc: CoverageDoc): string {
  const state = doc.live ? (doc.stalled ? 'live, STALLED' : 'live') : 'not live';
  const head =
    `Flow ${doc.flow_id}, ${doc.timerange}: ${n(doc.span_count)} spans, ${n(doc.gap_count)} gaps ` +
    `(${doc.gap_total} s), ${doc.covered} s covered by ${n(doc.segments)} segments; ` +
    `ends ${doc.end ?? '-'} (${doc.behind ?? '-'} s before now), ${state}\n`;
  const rows = [
    ...doc.spans.map((s) => ['span', s, '']),
    ...doc.gaps.map((g) => ['gap', g.timerange, g.duration]),
  ].sort((a, b) => order(a[1] as string) - order(b[1] as string));
  return head + columns([['KIND', 'TIMERANGE', 'DURATION'], ...rows], RIGHT(2));
}

/** Orders timeranges by their start (for listing spans and gaps together). */
function order(range: string): number {
  const m = /^[[(]?(-?\d+):(\d+)/.exec(range);
  return m === null ? Number.NEGATIVE_INFINITY : Number(m[1]) + Number(m[2]) / 1e9;
}

export function storageText(doc: StorageDoc): string {
  const backends = doc.backends.map((b) => [
    b.label ?? b.storage_id,
    n(b.objects),
    formatBytes(b.bytes),
    n(b.unsized_objects),
  ]);
  const formats = doc.formats.map((f) => [
    f.format ?? '(Flow gone)',
    n(f.objects),
    formatBytes(f.bytes),
    n(f.unsized_objects),
  ]);
  const growth = doc.growth.series.map((g) => [
    g.storage_id,
    g.start,
    n(g.objects),
    formatBytes(g.bytes),
    n(g.unsized_objects),
  ]);
  return (
    columns([['BACKEND', 'OBJECTS', 'BYTES', 'UNSIZED'], ...backends], RIGHT(1, 2, 3)) +
    '\n' +
    columns([['FORMAT', 'OBJECTS', 'BYTES', 'UNSIZED'], ...formats], RIGHT(1, 2, 3)) +
    `\ngrowth per ${doc.growth.bucket} since ${doc.growth.since}:\n` +
    columns([['BACKEND', 'START', 'OBJECTS', 'BYTES', 'UNSIZED'], ...growth], RIGHT(2, 3, 4)) +
    `\nstore: ${n(doc.totals.objects)} objects (external ones too), ${formatBytes(doc.totals.bytes)}, ` +
    `${n(doc.totals.unsized_objects)} of unknown size` +
    `\nawaiting collection: ${n(doc.unreferenced.allocated_unused)} objects allocated and never used, ` +
    `${n(doc.unreferenced.awaiting_deletion)} objects released with their bytes queued for deletion\n`
  );
}

type Figures = Omit<DurationsDoc, 'flows'>;
const durationRow = (label: string, f: Figures) => [
  label,
  n(f.segments),
  f.p50 ?? '-',
  f.p90 ?? '-',
  f.p99 ?? '-',
  f.min ?? '-',
  f.max ?? '-',
  f.mean ?? '-',
];

export function durationsText(doc: DurationsDoc): string {
  const rows = [durationRow('all', doc), ...(doc.flows ?? []).map((f) => durationRow(f.flow_id, f))];
  return columns(
    [['SCOPE', 'SEGMENTS', 'P50', 'P90', 'P99', 'MIN', 'MAX', 'MEAN'], ...rows],
    RIGHT(1, 2, 3, 4, 5, 6, 7),
  );
}

export function topText(doc: TopDoc): string {
  const rows = doc.flows.map((f) => [
    f.flow_id,
    f.label ?? '',
    n(f.segments),
    f.duration,
    formatBytes(f.bytes),
    f.media_rate === undefined ? '-' : f.media_rate.toFixed(3),
  ]);
  return (
    `top Flows by ${doc.by}, ${doc.timerange}:\n` +
    columns([['FLOW', 'LABEL', 'SEGMENTS', 'DURATION', 'BYTES', 'MEDIA/S'], ...rows], RIGHT(2, 3, 4, 5)) +
    `(${n(doc.unsized_objects)} objects in the store have no known size)\n`
  );
}
