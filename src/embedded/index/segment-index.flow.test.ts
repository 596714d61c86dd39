import { describe, expect, it } from 'vitest';
import {
  FLOW,
  OTHER_FLOW,
  typicalSegment,
} from '../../../test/support/embedded/index/segment-index.testkit.ts';
import { keyOf, type SegmentRecord } from '../../store/segments.repo.ts';
import { INT64_MAX, TimeRange } from '../../time/index.ts';
import { FlowSegmentIndex } from './segment-index.flow.ts';
import { StorageIds } from './segment-index.storage-ids.ts';

const OBJ = '1b4e28ba-2fa1-41d2-883f-0016d3cca427';
const PATH_ID = 'a3bb189e-8bf9-4888-9912-ace4e6543002';
const S = 1_000_000_000n;

function seg(start: bigint, end: bigint, fields: Partial<SegmentRecord> = {}): SegmentRecord {
  return {
    flow_id: FLOW,
    object_id: OBJ,
    timerange: TimeRange.fromBounds(start, end, true, false),
    ...fields,
  };
}

describe('FlowSegmentIndex records', () => {
  const cases: [string, Partial<SegmentRecord>][] = [
    ['a bare external segment', {}],
    ['the default storage path', { storage: { id: 's', path: `${FLOW}/${OBJ}` } }],
    ['a UUID key apart from the object id', { storage: { id: 's', path: `${FLOW}/${PATH_ID}` } }],
    ['another Flow allocated the object', { storage: { id: 's', path: `${OTHER_FLOW}/${OBJ}` } }],
    ['an odd path', { storage: { id: 's', path: 'media/x.ts' } }],
    ['an empty path and storage id', { storage: { id: '', path: '' } }],
    ['an uppercase object id', { object_id: OBJ.toUpperCase() }],
    [
      'a non-UUID id on the default path',
      { object_id: 'obj/1', storage: { id: 's', path: `${FLOW}/obj/1` } },
    ],
    ['an empty object id', { object_id: '' }],
    ['key_frame_count 0', { key_frame_count: 0 }],
    ['key_frame_count 253 (largest packed)', { key_frame_count: 253 }],
    ['key_frame_count 254 (first in extras)', { key_frame_count: 254 }],
    ['a large key_frame_count', { key_frame_count: 1_000_000 }],
    ['ts_offset and last_duration', { ts_offset: -5n * S - 1n, last_duration: 40_000_000n }],
    ['sample_offset and sample_count', { sample_offset: 0, sample_count: 25 }],
    [
      'everything at once',
      {
        object_id: 'x',
        storage: { id: 't', path: 'p' },
        ts_offset: 1n,
        last_duration: 2n,
        sample_offset: 3,
        sample_count: 4,
        key_frame_count: 5,
      },
    ],
  ];
  it.each(cases)('round-trips %s', (_, fields) => {
    const record = seg(10n * S, 12n * S, fields);
    const index = FlowSegmentIndex.from(FLOW, [seg(0n, S), record, seg(20n * S, 21n * S)], new StorageIds());
    expect(index.get(keyOf(record))).toStrictEqual(record);
    expect(index.overlapping(record.timerange)).toStrictEqual([record]);
  });

  it('keeps every timerange inclusivity and the int64 extremes', () => {
    const records = [
      { ...seg(0n, 0n), timerange: TimeRange.instant(-(2n ** 63n)) },
      { ...seg(0n, 0n), timerange: TimeRange.fromBounds(-S, 0n, true, true) },
      { ...seg(0n, 0n), timerange: TimeRange.fromBounds(0n, S, false, false) },
      { ...seg(0n, 0n), timerange: TimeRange.instant(S) },
      { ...seg(0n, 0n), timerange: TimeRange.fromBounds(S, INT64_MAX, false, true) },
    ];
    const index = FlowSegmentIndex.from(FLOW, records, new StorageIds());
    expect(index.overlapping(TimeRange.ETERNITY)).toStrictEqual(records);
    expect(index.envelope()).toStrictEqual(TimeRange.fromBounds(-(2n ** 63n), INT64_MAX, true, true));
  });

  it('keeps no get_urls, as the table keeps none (its object instances hold them)', () => {
    for (const get_urls of [[], [{ url: 'https://cdn/y', label: 'cdn' }]]) {
      const index = FlowSegmentIndex.from(FLOW, [seg(0n, S, { get_urls })], new StorageIds());
      expect(index.get({ start: 0n, startInclusive: true })).toStrictEqual(seg(0n, S));
    }
  });

  it('keeps storage ids apart once the shared table is full', () => {
    const ids = new StorageIds();
    for (let i = 0; i < 255; i++) ids.intern(`backend-${i}`);
    const record = seg(0n, S, { storage: { id: 'one-too-many', path: `${FLOW}/${OBJ}` } });
    const index = FlowSegmentIndex.from(FLOW, [record], ids);
    expect(index.get(keyOf(record))).toStrictEqual(record);
    expect(ids.size).toBe(255);
  });
});

describe('FlowSegmentIndex writes', () => {
  it('refuses what its rows cannot hold, changing nothing', () => {
    const index = FlowSegmentIndex.from(FLOW, [seg(0n, 10n * S)], new StorageIds());
    const bad: [string, SegmentRecord][] = [
      ['an overlap', seg(5n * S, 15n * S)],
      ['a duplicate key', seg(0n, S)],
      ['another Flow', { ...seg(20n * S, 21n * S), flow_id: OTHER_FLOW }],
      ['an unbounded range', { ...seg(0n, 0n), timerange: TimeRange.from(30n * S, null) }],
      ['an empty range', { ...seg(0n, 0n), timerange: TimeRange.EMPTY }],
      ['a bound beyond int64', seg(30n * S, 2n ** 64n)],
    ];
    for (const [what, record] of bad) {
      expect(() => index.insert([seg(40n * S, 41n * S), record]), what).toThrow();
      expect(index.size, what).toBe(1);
    }
    expect(() => index.insert([seg(40n * S, 42n * S), seg(41n * S, 43n * S)])).toThrow(/overlap/);
    expect(() => FlowSegmentIndex.from(FLOW, [seg(0n, 2n), seg(1n, 3n)], new StorageIds())).toThrow(
      /overlap/,
    );
  });

  it('inserts before, between and after, and removes, keeping rare fields with their segment', () => {
    const ids = new StorageIds();
    const index = FlowSegmentIndex.from(FLOW, [seg(10n, 20n), seg(30n, 40n, { sample_count: 3 })], ids);
    index.insert([seg(50n, 60n, { object_id: 'late' }), seg(0n, 5n, { ts_offset: 7n }), seg(20n, 30n)]);
    expect(index.overlapping(TimeRange.ETERNITY).map((s) => s.timerange.start)).toStrictEqual([
      0n,
      10n,
      20n,
      30n,
      50n,
    ]);
    expect(index.get({ start: 0n, startInclusive: true })?.ts_offset).toBe(7n);
    expect(index.get({ start: 30n, startInclusive: true })?.sample_count).toBe(3);
    expect(index.get({ start: 50n, startInclusive: true })?.object_id).toBe('late');
    expect(
      index.remove([
        keyOf(seg(0n, 5n)),
        keyOf(seg(20n, 30n)),
        keyOf(seg(0n, 5n)),
        { start: 0n, startInclusive: false },
      ]),
    ).toBe(2);
    expect(index.get({ start: 30n, startInclusive: true })?.sample_count).toBe(3);
    expect(index.get({ start: 50n, startInclusive: true })?.object_id).toBe('late');
    expect(index.get({ start: 0n, startInclusive: true })).toBeUndefined();
    // A re-added segment at a removed key must not inherit the old rare fields.
    index.insert([seg(0n, 5n)]);
    expect(index.get({ start: 0n, startInclusive: true })).toStrictEqual(seg(0n, 5n));
    expect(index.size).toBe(4);
  });

  it('grows by about 1.25x on appends and trims to size', () => {
    const ids = new StorageIds();
    const index = FlowSegmentIndex.from(FLOW, [], ids);
    const capacities = new Set<number>();
    for (let i = 0; i < 1000; i++) {
      index.insert([typicalSegment(i, 'store')]);
      capacities.add(index.capacity);
    }
    const sorted = [...capacities].sort((a, b) => a - b);
    for (let i = 1; i < sorted.length; i++) {
      const ratio = (sorted[i] as number) / (sorted[i - 1] as number);
      expect(ratio).toBeGreaterThanOrEqual(1.2);
      // Rounding up makes the small steps a little larger (8, 10, 13, 17, ...).
      expect(ratio).toBeLessThanOrEqual(1.35);
    }
    expect(index.capacity).toBeGreaterThan(1000);
    const before = index.memoryBytes();
    index.trim();
    expect(index.capacity).toBe(1000);
    expect(index.memoryBytes()).toBeLessThan(before);
    expect(index.get({ start: 999n * 2n * S, startInclusive: true })).toStrictEqual(
      typicalSegment(999, 'store'),
    );
    index.insert([typicalSegment(1000, 'store')]);
    expect(index.size).toBe(1001);
  });

  it('sorts an unsorted bulk load and leaves room for 1/16 more', () => {
    const records = Array.from({ length: 100 }, (_, i) => typicalSegment((i * 37) % 100, 'store'));
    const index = FlowSegmentIndex.from(FLOW, records, new StorageIds());
    expect(index.capacity).toBe(107);
    const all = index.overlapping(TimeRange.ETERNITY);
    expect(all.map((s) => s.object_id)).toStrictEqual(
      Array.from({ length: 100 }, (_, i) => typicalSegment(i, 'store').object_id),
    );
  });
});

describe('FlowSegmentIndex loaded after a restart', () => {
  it('takes its next segments without reallocating, then grows once the room is used', () => {
    const records = Array.from({ length: 1600 }, (_, i) => typicalSegment(i, 'store'));
    const index = FlowSegmentIndex.from(FLOW, records, new StorageIds());
    expect(index.capacity).toBe(1700);
    const memory = index.memoryBytes();
    for (let i = 1600; i < 1700; i++) index.insert([typicalSegment(i, 'store')]);
    expect(index.capacity).toBe(1700);
    expect(index.memoryBytes()).toBe(memory);
    index.insert([typicalSegment(1700, 'store')]);
    expect(index.capacity).toBe(2125);
    expect(index.get({ start: 1700n * 2n * S, startInclusive: true })).toStrictEqual(
      typicalSegment(1700, 'store'),
    );
    expect(index.overlapping(TimeRange.ETERNITY)).toHaveLength(1701);
  });
});

describe('FlowSegmentIndex edge reads', () => {
  const index = FlowSegmentIndex.from(FLOW, [seg(0n, 10n), seg(10n, 20n), seg(20n, 30n)], new StorageIds());
  const everything = TimeRange.ETERNITY;

  it('pages nothing for a zero or negative limit, with no cursor', () => {
    expect(index.page(everything, { reverse: false, limit: 0 })).toStrictEqual({
      items: [],
      next: undefined,
    });
    expect(index.page(everything, { reverse: true, limit: -1 })).toStrictEqual({
      items: [],
      next: undefined,
    });
  });

  it('returns no segments for a zero within limit (SegmentsRepo would return one)', () => {
    expect(index.within(everything, undefined, 0)).toStrictEqual([]);
    expect(index.within(everything, undefined, 2)).toHaveLength(2);
  });

  it('treats segments meeting at an exclusive end as apart', () => {
    expect(index.overlapping(TimeRange.instant(10n)).map((s) => s.timerange.start)).toStrictEqual([10n]);
    expect(index.countWithin(TimeRange.fromBounds(0n, 20n, true, false))).toBe(2);
    expect(index.countWithin(TimeRange.fromBounds(0n, 20n, false, false))).toBe(1);
  });

  it('has an EMPTY envelope and no reads when empty', () => {
    const empty = FlowSegmentIndex.from(FLOW, [], new StorageIds());
    expect(empty.envelope()).toBe(TimeRange.EMPTY);
    expect(empty.page(everything, { reverse: false, limit: 10 })).toStrictEqual({
      items: [],
      next: undefined,
    });
    expect(empty.remove([{ start: 0n, startInclusive: true }])).toBe(0);
    expect(empty.countWithin(everything)).toBe(0);
  });
});

describe('FlowSegmentIndex memory', () => {
  it('holds a typical segment in at most 48 bytes', () => {
    // The estimate counts the typed arrays exactly; a measurement of process memory would also
    // count buffers dropped while growing that the collector has not freed yet.
    const n = 200_000;
    const ids = new StorageIds();
    const index = FlowSegmentIndex.from(FLOW, [], ids);
    for (let i = 0; i < n; i += 10_000) {
      index.insert(Array.from({ length: 10_000 }, (_, j) => typicalSegment(i + j, 'store')));
    }
    index.trim();
    expect(index.size).toBe(n);
    expect(index.memoryBytes() / n).toBeLessThanOrEqual(48);
    expect(index.memoryBytes()).toBeGreaterThanOrEqual(35 * n);
    expect(index.get({ start: 2n * S * 123_456n, startInclusive: true })).toStrictEqual(
      typicalSegment(123_456, 'store'),
    );
  });

  it('counts rare fields in its estimate and gives them back on removal', () => {
    const index = FlowSegmentIndex.from(FLOW, [seg(0n, S)], new StorageIds());
    index.trim();
    const bare = index.memoryBytes();
    const odd = seg(S, 2n * S, { object_id: 'x'.repeat(1000), storage: { id: 's', path: 'y'.repeat(1000) } });
    index.insert([odd]);
    expect(index.memoryBytes()).toBeGreaterThan(bare + 2000);
    index.remove([keyOf(odd)]);
    index.trim();
    expect(index.memoryBytes()).toBe(bare);
  });
});
