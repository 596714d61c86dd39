/**
 * Test-only: random segments of every shape the index packs differently, and a naive model of the
 * SegmentsRepo reads (an array filtered and sorted with TimeRange methods) to compare it with.
 */

import {
  compareKeys,
  keyOf,
  type SegmentKey,
  type SegmentPageOptions,
  type SegmentRecord,
} from '../../../../src/store/segments.repo.ts';
import { envelopeOf, TimeRange } from '../../../../src/time/index.ts';
import { pick } from '../../time/time.testkit.ts';

export const FLOW = '0c2f1a3e-5b6d-4e7f-8a9b-0c1d2e3f4a5b';
export const OTHER_FLOW = '9d8c7b6a-5f4e-4d3c-2b1a-0f9e8d7c6b5a';

export function randomUuid(rand: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(rand() * 16).toString(16)).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** A typical ingested segment: UUID object, default storage path, one key frame. */
export function typicalSegment(i: number, storageId: string, durationNs = 2_000_000_000n): SegmentRecord {
  const objectId = `${(0x10000000 + i).toString(16)}-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;
  const start = BigInt(i) * durationNs;
  return {
    flow_id: FLOW,
    object_id: objectId,
    timerange: TimeRange.fromBounds(start, start + durationNs, true, false),
    storage: { id: storageId, path: `${FLOW}/${objectId}` },
    key_frame_count: 1,
  };
}

/** Object ids from a small pool (so filters match several segments), some of them not UUIDs. */
export function objectPool(rand: () => number): string[] {
  const uuids = Array.from({ length: 6 }, () => randomUuid(rand));
  return [...uuids, 'object-1', 'OBJ', uuids[0]?.toUpperCase() ?? 'X', `{${uuids[1]}}`, ''];
}

/** Random optional fields, each present about a fifth of the time, so most rows stay compact. */
export function randomFields(rand: () => number, objectId: string): Partial<SegmentRecord> {
  const fields: Partial<SegmentRecord> = {};
  const sometimes = () => rand() < 0.2;
  const storageId = pick(rand, ['store-a', 'store-b', 'e2a0c3f4-0000-4000-8000-000000000001']);
  const paths = [
    `${FLOW}/${objectId}`,
    `${FLOW}/${randomUuid(rand)}`,
    `${OTHER_FLOW}/${objectId}`,
    `${FLOW}/${objectId}.ts`,
    'flat-key',
    `${FLOW}/`,
  ];
  if (rand() < 0.7)
    fields.storage = { id: storageId, path: rand() < 0.5 ? (paths[0] as string) : pick(rand, paths) };
  if (sometimes()) fields.ts_offset = BigInt(Math.floor(rand() * 2e9) - 1e9);
  if (sometimes()) fields.last_duration = BigInt(Math.floor(rand() * 1e9));
  if (sometimes()) fields.sample_offset = Math.floor(rand() * 100);
  if (sometimes()) fields.sample_count = Math.floor(rand() * 100);
  if (rand() < 0.6) fields.key_frame_count = pick(rand, [0, 1, 2, 253, 254, 255, 100_000]);
  if (sometimes()) {
    fields.object_timerange = pick(rand, [
      TimeRange.fromBounds(0n, 10_000_000_000n, true, false),
      TimeRange.fromBounds(-5n, 7n, false, true),
      TimeRange.instant(3n),
    ]);
  }
  if (sometimes()) {
    fields.get_urls = pick(rand, [
      [],
      [{ url: 'https://example.com/a' }],
      [{ url: 'https://example.com/b', label: 'mirror' }, { url: 's3://bucket/c' }],
    ]);
  }
  return fields;
}

/** What the table gives back for a record: no get_urls (its object's instances hold them). */
export function stored(record: SegmentRecord): SegmentRecord {
  if (record.get_urls === undefined) return record;
  const { get_urls: _dropped, ...rest } = record;
  return rest;
}

/** The reads of SegmentsRepo, spelled out naively over an array. */
export class NaiveSegments {
  segments: SegmentRecord[] = [];

  insert(records: readonly SegmentRecord[]): void {
    this.segments.push(...records.map(stored));
  }

  remove(keys: readonly SegmentKey[]): number {
    const before = this.segments.length;
    this.segments = this.segments.filter((s) => !keys.some((k) => compareKeys(keyOf(s), k) === 0));
    return before - this.segments.length;
  }

  get(key: SegmentKey): SegmentRecord | undefined {
    return this.segments.find((s) => compareKeys(keyOf(s), key) === 0);
  }

  overlapsAny(range: TimeRange): boolean {
    return this.segments.some((s) => s.timerange.overlaps(range));
  }

  overlapping(range: TimeRange): SegmentRecord[] {
    return this.sorted().filter((s) => s.timerange.overlaps(range));
  }

  page(range: TimeRange, options: SegmentPageOptions): { items: SegmentRecord[]; next?: SegmentKey } {
    if (range.isEmpty()) return { items: [] };
    const { after, reverse, limit, objectId } = options;
    const dir = reverse ? -1 : 1;
    const found = this.sorted(reverse)
      .filter((s) => s.timerange.overlaps(range))
      .filter((s) => objectId === undefined || s.object_id === objectId)
      .filter((s) => after === undefined || dir * compareKeys(keyOf(s), after) > 0)
      .slice(0, limit + 1);
    const items = found.slice(0, limit);
    const last = items.at(-1);
    return { items, next: found.length > limit && last ? keyOf(last) : undefined };
  }

  within(range: TimeRange, objectId?: string, limit?: number): SegmentRecord[] {
    const all = this.sorted().filter(
      (s) => range.contains(s.timerange) && (objectId === undefined || s.object_id === objectId),
    );
    return limit === undefined ? all : all.slice(0, limit);
  }

  countWithin(range: TimeRange, objectId?: string): number {
    return this.within(range, objectId).length;
  }

  envelope(): TimeRange {
    return envelopeOf(this.segments.map((s) => s.timerange));
  }

  private sorted(reverse = false): SegmentRecord[] {
    const dir = reverse ? -1 : 1;
    return [...this.segments].sort((a, b) => dir * compareKeys(keyOf(a), keyOf(b)));
  }
}
