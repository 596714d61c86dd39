/**
 * Seeded property test: thousands of random inserts (anywhere), removals and reads, every read
 * compared with the naive model. Bounds come from a coarse grid with small offsets so queries
 * land exactly on segment edges (where inclusivity decides) as often as between them.
 */
import { describe, expect, it } from 'vitest';
import {
  FLOW,
  NaiveSegments,
  objectPool,
  randomFields,
} from '../../../test/support/embedded/index/segment-index.testkit.ts';
import { pick, prng } from '../../../test/support/time/time.testkit.ts';
import { keyOf, type SegmentKey, type SegmentRecord } from '../../store/segments.repo.ts';
import { INT64_MAX, INT64_MIN, TimeRange } from '../../time/index.ts';
import { FlowSegmentIndex } from './segment-index.flow.ts';
import { StorageIds } from './segment-index.storage-ids.ts';

const G = 10n;

interface World {
  rand: () => number;
  slots: number;
  objects: string[];
  model: NaiveSegments;
  index: FlowSegmentIndex;
}

function bound(w: World): bigint {
  return BigInt(Math.floor(w.rand() * (w.slots + 4)) - 2) * G + pick(w.rand, [0n, 0n, 0n, 1n, -1n, 5n]);
}

function randomQuery(w: World): TimeRange {
  const r = w.rand();
  if (r < 0.04) return TimeRange.EMPTY;
  if (r < 0.08) return TimeRange.ETERNITY;
  if (r < 0.12) return TimeRange.instant(bound(w));
  if (r < 0.15) {
    // Beyond what the table's int64 columns hold.
    return TimeRange.fromBounds(INT64_MIN - 5n, INT64_MAX + 5n, w.rand() < 0.5, w.rand() < 0.5);
  }
  const start = w.rand() < 0.15 ? null : bound(w);
  const end = w.rand() < 0.15 ? null : start !== null && w.rand() < 0.6 ? start + bound(w) / 4n : bound(w);
  // fromBounds normalises reversed and touching-exclusive ranges to EMPTY, which is tested too.
  return TimeRange.fromBounds(start, end, w.rand() < 0.5, w.rand() < 0.5);
}

function randomSegment(w: World): SegmentRecord | undefined {
  const start = BigInt(Math.floor(w.rand() * w.slots)) * G + pick(w.rand, [0n, 0n, 0n, 1n, 5n]);
  const length = w.rand() < 0.15 ? 0n : BigInt(1 + Math.floor(w.rand() * 4)) * G + pick(w.rand, [0n, 0n, 3n]);
  const timerange = TimeRange.fromBounds(start, start + length, w.rand() < 0.85, w.rand() < 0.4);
  if (timerange.isEmpty()) return undefined;
  const objectId = pick(w.rand, w.objects);
  return { flow_id: FLOW, object_id: objectId, timerange, ...randomFields(w.rand, objectId) };
}

/** Segments overlapping neither the Flow nor each other, as the store's checks would leave. */
function randomBatch(w: World): SegmentRecord[] {
  const batch: SegmentRecord[] = [];
  const count = 1 + Math.floor(w.rand() * 6);
  for (let tries = 0; tries < 30 && batch.length < count; tries++) {
    const s = randomSegment(w);
    if (!s || w.model.overlapsAny(s.timerange) || batch.some((b) => b.timerange.overlaps(s.timerange)))
      continue;
    batch.push(s);
  }
  return batch;
}

function randomKeys(w: World): SegmentKey[] {
  const keys: SegmentKey[] = [];
  const existing = w.model.segments;
  const count = Math.floor(w.rand() * 5);
  for (let i = 0; i < count; i++) {
    const s = existing[Math.floor(w.rand() * existing.length)];
    if (s && w.rand() < 0.8) keys.push(keyOf(s));
    else keys.push({ start: bound(w), startInclusive: w.rand() < 0.5 });
  }
  if (keys.length > 0 && w.rand() < 0.2) keys.push({ ...(keys[0] as SegmentKey) });
  return keys;
}

function randomObjectFilter(w: World): string | undefined {
  const r = w.rand();
  if (r < 0.6) return undefined;
  return r < 0.95 ? pick(w.rand, w.objects) : 'never-used';
}

/** Walks every page via `next` and checks each against the model's page for the same cursor. */
function checkWalk(w: World): void {
  const range = randomQuery(w);
  const reverse = w.rand() < 0.5;
  const objectId = randomObjectFilter(w);
  const limit = pick(w.rand, [1, 1, 2, 3, 7, 50]);
  let after: SegmentKey | undefined;
  const walked: SegmentRecord[] = [];
  for (let pages = 0; pages < 10_000; pages++) {
    const options = { objectId, reverse, limit, after };
    const got = w.index.page(range, options);
    expect(got).toStrictEqual(w.model.page(range, options));
    walked.push(...got.items);
    if (!got.next) break;
    after = got.next;
  }
  const all = w.model.overlapping(range).filter((s) => objectId === undefined || s.object_id === objectId);
  expect(walked).toStrictEqual(reverse ? all.reverse() : all);
}

function checkReads(w: World): void {
  const range = randomQuery(w);
  const objectId = randomObjectFilter(w);
  const limit = w.rand() < 0.5 ? undefined : 1 + Math.floor(w.rand() * 5);
  expect(w.index.size).toBe(w.model.segments.length);
  expect(w.index.overlapping(range)).toStrictEqual(w.model.overlapping(range));
  expect(w.index.within(range, objectId, limit)).toStrictEqual(w.model.within(range, objectId, limit));
  expect(w.index.countWithin(range, objectId)).toBe(w.model.countWithin(range, objectId));
  expect(w.index.envelope()).toStrictEqual(w.model.envelope());
  const key = randomKeys(w)[0];
  if (key) expect(w.index.get(key)).toStrictEqual(w.model.get(key));
}

function run(seed: number, slots: number, operations: number): { inserted: number; removed: number } {
  const rand = prng(seed);
  const model = new NaiveSegments();
  const w: World = { rand, slots, objects: objectPool(rand), model, index: undefined as never };
  // Start from a bulk load of unsorted records, as the store loads a Flow.
  const initial = Array.from({ length: 4 }, () => randomBatch(w)).flat();
  const unique = initial.filter(
    (s, i) => !initial.some((o, j) => j < i && o.timerange.overlaps(s.timerange)),
  );
  model.insert(unique);
  w.index = FlowSegmentIndex.from(FLOW, [...unique].reverse(), new StorageIds());
  let inserted = unique.length;
  let removed = 0;
  for (let op = 0; op < operations; op++) {
    const r = rand();
    if (r < 0.35) {
      const batch = randomBatch(w);
      w.index.insert(batch);
      model.insert(batch);
      inserted += batch.length;
    } else if (r < 0.5) {
      const keys = randomKeys(w);
      const count = w.index.remove(keys);
      expect(count).toBe(model.remove(keys));
      removed += count;
    } else if (r < 0.52) {
      w.index.trim();
      expect(w.index.capacity).toBe(w.index.size);
    } else if (r < 0.75) {
      checkWalk(w);
    } else {
      checkReads(w);
    }
  }
  return { inserted, removed };
}

describe('FlowSegmentIndex against the naive model', () => {
  it.each([
    { seed: 1, slots: 60 },
    { seed: 2, slots: 200 },
    { seed: 3, slots: 350 },
    { seed: 4, slots: 25 },
  ])('agrees on every read over random operations (seed $seed, $slots slots)', ({ seed, slots }) => {
    const { inserted, removed } = run(seed, slots, 2500);
    // The run must have exercised both growth and shrinkage, or it proved little.
    expect(inserted).toBeGreaterThan(100);
    expect(removed).toBeGreaterThan(20);
  });
});
