/**
 * Snapshots of a Flow's segment index: what decodes is the index that was encoded (every read the
 * same, storage bytes remapped into another process's StorageIds, still writable), and anything
 * that is not a sound snapshot of this Flow, or cannot be interned, decodes to undefined.
 */
import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  FLOW,
  OTHER_FLOW,
  objectPool,
  randomFields,
  randomUuid,
  typicalSegment,
} from '../../../test/support/embedded/index/segment-index.testkit.ts';
import { pick, prng } from '../../../test/support/time/time.testkit.ts';
import { keyOf, type SegmentRecord } from '../../store/segments.repo.ts';
import { INT64_MIN, TimeRange } from '../../time/index.ts';
import { F, loadCapacity } from './segment-index.columns.ts';
import { FlowSegmentIndex } from './segment-index.flow.ts';
import { decodeSnapshot, encodeSnapshot } from './segment-index.snapshot.ts';
import { NO_STORAGE, StorageIds } from './segment-index.storage-ids.ts';

const SEQ = 123456789012345n;
const G = 10n;
/** Random segments live in slots of G from here; slots with slot % 7 === FREE stay empty. */
const BASE = -1000n;
const FREE = 3;
const ALL = { reverse: false, limit: 1_000_000 };

/**
 * Segments of every shape the index packs differently, in no particular order: random ones in
 * slots (non-UUID object ids, every storage path layout, external objects, bigint and sample
 * fields, large key_frame_counts), one at the int64 minimum, then typical ingest.
 */
function randomRecords(seed: number, slots: number): SegmentRecord[] {
  const rand = prng(seed);
  const objects = objectPool(rand);
  const records: SegmentRecord[] = [
    {
      flow_id: FLOW,
      object_id: 'at-the-very-start',
      timerange: TimeRange.fromBounds(INT64_MIN, INT64_MIN + 5n, true, false),
    },
  ];
  for (let slot = 0; slot < slots; slot++) {
    if (slot % 7 === FREE || rand() < 0.15) continue;
    const start = BASE + BigInt(slot) * G + pick(rand, [0n, 0n, 1n]);
    // Each segment stays inside its slot, so none overlap whatever their inclusivity.
    const timerange =
      rand() < 0.1
        ? TimeRange.instant(start)
        : TimeRange.fromBounds(start, start + BigInt(1 + Math.floor(rand() * 8)), rand() < 0.8, rand() < 0.3);
    const objectId = rand() < 0.3 ? randomUuid(rand) : pick(rand, objects);
    records.push({ flow_id: FLOW, object_id: objectId, timerange, ...randomFields(rand, objectId) });
  }
  for (let i = 0; i < 40; i++) records.push(typicalSegment(10_000 + i, pick(rand, ['store-a', 'store-c'])));
  // Any order: from() sorts.
  for (let i = records.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [records[i], records[j]] = [records[j] as SegmentRecord, records[i] as SegmentRecord];
  }
  return records;
}

/** Which packings the index's rows use, to show a test covered them all. */
function shapesOf(index: FlowSegmentIndex): Set<string> {
  const { cols, extras } = index.parts();
  const shapes = new Set<string>();
  for (let i = 0; i < cols.size; i++) {
    const flags = cols.flags[i] as number;
    if ((flags & F.OBJECT_UUID) === 0) shapes.add('non-UUID object');
    if (flags & F.PATH_OBJECT) shapes.add('default path');
    if (flags & F.PATH_UUID) shapes.add('path id');
    if (cols.storage[i] === NO_STORAGE) shapes.add('no storage');
    if (cols.keyFrames[i] === 255) shapes.add('key frames in extras');
    if (!(flags & F.START_INCL)) shapes.add('exclusive start');
    if (flags & F.END_INCL) shapes.add('inclusive end');
  }
  if (cols.pathIds) shapes.add('path ids column');
  for (const value of extras.values()) for (const field of Object.keys(value)) shapes.add(field);
  return shapes;
}

const EVERY_SHAPE = [
  'non-UUID object',
  'default path',
  'path id',
  'no storage',
  'key frames in extras',
  'exclusive start',
  'inclusive end',
  'path ids column',
  'object_id',
  'storage_path',
  'ts_offset',
  'last_duration',
  'sample_offset',
  'sample_count',
  'key_frame_count',
  'object_timerange',
];

function all(index: FlowSegmentIndex): SegmentRecord[] {
  const page = index.page(TimeRange.ETERNITY, ALL);
  expect(page.next).toBeUndefined();
  return page.items;
}

/** The StorageIds an index shares with other Flows of its process, whose ids came first. */
function sharedIds(): StorageIds {
  const ids = new StorageIds();
  for (const id of ['other-flow-1', 'store-c', 'other-flow-2']) ids.intern(id);
  return ids;
}

/** A StorageIds of another process: other ids (and one of the snapshot's) interned first. */
function otherProcessIds(): StorageIds {
  const ids = new StorageIds();
  for (const id of ['elsewhere-1', 'store-b', 'elsewhere-2', 'elsewhere-3']) ids.intern(id);
  return ids;
}

function fullIds(known: readonly string[] = []): StorageIds {
  const ids = new StorageIds();
  for (const id of known) ids.intern(id);
  for (let i = 0; ids.size < NO_STORAGE; i++) ids.intern(`filler-${i}`);
  expect(ids.intern('one-more')).toBeUndefined();
  return ids;
}

function decode(bytes: Uint8Array, ids = otherProcessIds(), flowId = FLOW): FlowSegmentIndex {
  const snapshot = decodeSnapshot(bytes, flowId, ids, loadCapacity);
  if (!snapshot) throw new Error('snapshot rejected');
  return snapshot.index;
}

/** Every read of `actual` gives what `expected` gives. */
function expectSameReads(actual: FlowSegmentIndex, expected: FlowSegmentIndex, objects: string[]): void {
  const records = all(expected);
  expect(actual.size).toBe(expected.size);
  expect(all(actual)).toStrictEqual(records);
  expect(actual.page(TimeRange.ETERNITY, { ...ALL, reverse: true }).items).toStrictEqual(
    [...records].reverse(),
  );
  for (const r of records) expect(actual.get(keyOf(r))).toStrictEqual(r);
  expect(actual.envelope()).toStrictEqual(expected.envelope());
  expect(actual.envelope().format()).toBe(expected.envelope().format());
  for (const objectId of objects) {
    expect(actual.page(TimeRange.ETERNITY, { ...ALL, objectId }).items).toStrictEqual(
      expected.page(TimeRange.ETERNITY, { ...ALL, objectId }).items,
    );
    expect(actual.countWithin(TimeRange.ETERNITY, objectId)).toBe(
      expected.countWithin(TimeRange.ETERNITY, objectId),
    );
  }
  const probe = TimeRange.fromBounds(BASE + 20n * G + 1n, BASE + 60n * G + 5n, false, true);
  expect(actual.overlapping(probe)).toStrictEqual(expected.overlapping(probe));
  expect(actual.within(probe)).toStrictEqual(expected.within(probe));
}

function headerOf(bytes: Uint8Array): Record<string, unknown> {
  const buf = Buffer.from(bytes);
  return JSON.parse(buf.toString('utf8', 8, 8 + buf.readUInt32LE(4))) as Record<string, unknown>;
}

/** The snapshot with its header edited and a valid checksum again (the columns kept as they were). */
function withHeader(bytes: Uint8Array, edit: (header: Record<string, unknown>) => void): Buffer {
  const buf = Buffer.from(bytes);
  const align8 = (n: number) => (n + 7) & ~7;
  const columns = buf.subarray(align8(8 + buf.readUInt32LE(4)), buf.length - 4);
  const header = headerOf(buf);
  edit(header);
  const head = Buffer.from(JSON.stringify(header), 'utf8');
  const at = align8(8 + head.length);
  const out = Buffer.alloc(at + columns.length + 4);
  out.writeUInt32LE(buf.readUInt32LE(0), 0);
  out.writeUInt32LE(head.length, 4);
  head.copy(out, 8);
  columns.copy(out, at);
  return resealed(out);
}

/** The bytes with a valid checksum over what precedes it. */
function resealed(buf: Buffer): Buffer {
  const out = Buffer.from(buf);
  out.writeUInt32LE(crc32(out.subarray(0, out.length - 4)), out.length - 4);
  return out;
}

describe('segment index snapshots', () => {
  describe.each([
    { seed: 1, slots: 300 },
    { seed: 2, slots: 120 },
    { seed: 3, slots: 500 },
  ])('round trip (seed $seed, $slots slots)', ({ seed, slots }) => {
    const records = randomRecords(seed, slots);
    const objects = [...new Set(records.map((r) => r.object_id)), 'never-used'];

    it('covers every shape of row the index packs', () => {
      const index = FlowSegmentIndex.from(FLOW, records, new StorageIds());
      expect([...shapesOf(index)].sort()).toStrictEqual([...EVERY_SHAPE].sort());
      const header = headerOf(encodeSnapshot(index, SEQ));
      expect(header.paths).toBe(true);
      expect((header.extras as unknown[]).length).toBeGreaterThan(10);
    });

    it('decodes into another StorageIds with every read the same', () => {
      const index = FlowSegmentIndex.from(FLOW, records, sharedIds());
      const bytes = encodeSnapshot(index, SEQ);
      const ids = otherProcessIds();
      const before = ids.size;
      const snapshot = decodeSnapshot(bytes, FLOW, ids, loadCapacity);
      if (!snapshot) throw new Error('snapshot rejected');
      expect(snapshot.seq).toBe(SEQ);
      expect(snapshot.index.flowId).toBe(FLOW);
      expectSameReads(snapshot.index, index, objects);
      // The snapshot's storage ids were interned at other bytes, store-b at the one it had.
      const used = new Set(records.flatMap((r) => (r.storage ? [r.storage.id] : [])));
      expect(used.has('store-b')).toBe(true);
      expect(ids.size).toBe(before + used.size - 1);
      expect(ids.intern('store-b')).toBe(1);
      // Only the ids the rows use are in the snapshot, not the other Flows' of the shared table.
      expect([...(headerOf(bytes).storage as string[])].sort()).toStrictEqual([...used].sort());
      // Same columns, capacity and extras as a load of the records gives.
      expect(snapshot.index.capacity).toBe(index.capacity);
      expect(snapshot.index.memoryBytes()).toBe(index.memoryBytes());
      expect(snapshot.index.memoryBytes()).toBeGreaterThan(35 * index.size);
    });

    it('decodes from a view at an odd offset of a larger buffer, and keeps no reference to it', () => {
      const index = FlowSegmentIndex.from(FLOW, records, new StorageIds());
      const bytes = encodeSnapshot(index, SEQ);
      const backing = new Uint8Array(bytes.length + 10);
      backing.set(bytes, 3);
      const view = backing.subarray(3, 3 + bytes.length);
      const decoded = decode(view);
      backing.fill(0);
      expectSameReads(decoded, index, objects);
    });

    it('encodes the decoded index to the same bytes, whatever its capacity', () => {
      const index = FlowSegmentIndex.from(FLOW, records, new StorageIds());
      const bytes = encodeSnapshot(index, SEQ);
      expect(encodeSnapshot(decode(bytes), SEQ).equals(bytes)).toBe(true);
      index.trim();
      expect(encodeSnapshot(index, SEQ).equals(bytes)).toBe(true);
      const roomy = decodeSnapshot(bytes, FLOW, new StorageIds(), (n) => 3 * n);
      expect(roomy && encodeSnapshot(roomy.index, SEQ).equals(bytes)).toBe(true);
    });

    it('decodes an index that takes further inserts, upserts and removals', () => {
      const index = FlowSegmentIndex.from(FLOW, records, sharedIds());
      const decoded = decode(encodeSnapshot(index, SEQ));
      const end = index.envelope().end as bigint;
      const objectId = randomUuid(prng(seed + 100));
      const appended: SegmentRecord = {
        flow_id: FLOW,
        object_id: objectId,
        timerange: TimeRange.fromBounds(end + 1n, end + 2_000_000_000n, true, false),
        storage: { id: 'store-new', path: `${FLOW}/${objectId}` },
        key_frame_count: 1,
      };
      const middle: SegmentRecord = {
        flow_id: FLOW,
        object_id: 'in-a-free-slot',
        timerange: TimeRange.fromBounds(
          BASE + BigInt(7 * 5 + FREE) * G + 2n,
          BASE + 38n * G + 6n,
          true,
          true,
        ),
        storage: { id: 'store-b', path: `${FLOW}/${randomUuid(prng(seed + 200))}` },
        ts_offset: -7n,
      };
      const existing = all(index);
      const withExtras = existing.find((r) => r.object_id === 'object-1' && r.storage) as SegmentRecord;
      const typical = existing.at(-1) as SegmentRecord;
      const repeated = existing.find((r, i) => i > 0 && r !== withExtras && r !== typical) as SegmentRecord;
      expect(withExtras).toBeDefined();
      const replacements: SegmentRecord[] = [
        {
          flow_id: FLOW,
          object_id: randomUuid(prng(seed + 300)),
          timerange: TimeRange.fromBounds(
            withExtras.timerange.start as bigint,
            (withExtras.timerange.start as bigint) + 1n,
            withExtras.timerange.startInclusive,
            true,
          ),
          key_frame_count: 3,
        },
        { ...typical, object_id: 'replaced', storage: { id: 'store-upsert', path: 'somewhere/else' } },
      ];
      for (const target of [index, decoded]) {
        target.insert([appended]);
        target.insert([middle]);
        target.upsert(replacements);
        // A row the snapshot holds already, applied again, changes nothing.
        target.upsert([repeated]);
      }
      expect(decoded.size).toBe(records.length + 2);
      expect(decoded.get(keyOf(appended))).toStrictEqual(appended);
      expect(decoded.get(keyOf(middle))).toStrictEqual(middle);
      for (const r of replacements) expect(decoded.get(keyOf(r))).toStrictEqual(r);
      expectSameReads(decoded, index, [...objects, 'replaced', 'in-a-free-slot']);
      const removed = [keyOf(existing[0] as SegmentRecord), keyOf(middle), keyOf(appended)];
      expect(decoded.remove(removed)).toBe(3);
      expect(index.remove(removed)).toBe(3);
      expectSameReads(decoded, index, objects);
    });
  });

  it('round-trips segments whose storage id did not fit the StorageIds of the index', () => {
    const records = randomRecords(7, 150);
    // Only store-a is interned: every other storage id is kept in the row's extras.
    const nearlyFull = fullIds(['store-a']);
    const index = FlowSegmentIndex.from(FLOW, records, nearlyFull);
    expect([...index.parts().extras.values()].some((e) => e.storage_id === 'store-b')).toBe(true);
    const bytes = encodeSnapshot(index, SEQ);
    const ids = new StorageIds();
    ids.intern('first');
    const decoded = decode(bytes, ids);
    expectSameReads(decoded, index, []);
    expect(ids.size).toBe(2);
    expect(ids.id(1)).toBe('store-a');
  });

  it('round-trips an empty index', () => {
    const index = FlowSegmentIndex.from(FLOW, [], new StorageIds());
    const bytes = encodeSnapshot(index, SEQ);
    const snapshot = decodeSnapshot(bytes, FLOW, otherProcessIds(), loadCapacity);
    if (!snapshot) throw new Error('snapshot rejected');
    expect(snapshot.seq).toBe(SEQ);
    expect(snapshot.index.size).toBe(0);
    expect(snapshot.index.envelope()).toStrictEqual(TimeRange.EMPTY);
    expect(snapshot.index.page(TimeRange.ETERNITY, ALL)).toStrictEqual({ items: [], next: undefined });
    expect(snapshot.index.memoryBytes()).toBe(index.memoryBytes());
    const record = typicalSegment(1, 'store-a');
    snapshot.index.insert([record]);
    expect(all(snapshot.index)).toStrictEqual([record]);
  });

  it.each([0n, 1n, SEQ, 2n ** 63n - 1n, 2n ** 70n + 3n])('gives back the write sequence %s', (seq) => {
    const index = FlowSegmentIndex.from(FLOW, [typicalSegment(0, 'store-a')], new StorageIds());
    expect(decodeSnapshot(encodeSnapshot(index, seq), FLOW, new StorageIds(), loadCapacity)?.seq).toBe(seq);
  });

  it('is a copy: writes to the index after encoding do not reach the bytes', () => {
    const records = randomRecords(4, 80);
    const index = FlowSegmentIndex.from(FLOW, records, new StorageIds());
    const original = all(index);
    const bytes = encodeSnapshot(index, SEQ);
    const copy = Buffer.from(bytes);
    const first = original[1] as SegmentRecord;
    const other = original.find((r) => r.ts_offset !== undefined && r !== first) as SegmentRecord;
    index.upsert([{ ...first, object_id: 'changed', ts_offset: 99n }]);
    index.remove([keyOf(other)]);
    index.insert([typicalSegment(50_000, 'store-later')]);
    index.trim();
    expect(bytes.equals(copy)).toBe(true);
    const decoded = decode(bytes);
    expect(all(decoded)).toStrictEqual(original);
    // Nor do writes to one decoded index reach another decoded from the same bytes.
    decoded.remove([keyOf(first)]);
    for (const extras of decoded.parts().extras.values()) extras.ts_offset = 7n;
    expect(all(decode(bytes))).toStrictEqual(original);
  });

  it('sizes the columns as the caller asks, never below the rows', () => {
    const index = FlowSegmentIndex.from(FLOW, randomRecords(5, 60), new StorageIds());
    const bytes = encodeSnapshot(index, SEQ);
    const roomy = decodeSnapshot(bytes, FLOW, new StorageIds(), (n) => n + 100);
    expect(roomy?.index.size).toBe(index.size);
    expect(roomy?.index.capacity).toBeGreaterThanOrEqual(index.size + 100);
    const tight = decodeSnapshot(bytes, FLOW, new StorageIds(), () => 0);
    expect(tight?.index.capacity).toBe(index.size);
    tight?.index.insert([typicalSegment(90_000, 'store-a')]);
    expect(tight?.index.size).toBe(index.size + 1);
    const empty = decodeSnapshot(
      encodeSnapshot(FlowSegmentIndex.from(FLOW, [], new StorageIds()), SEQ),
      FLOW,
      new StorageIds(),
      (n) => n + 100,
    );
    expect(empty?.index.capacity).toBeGreaterThanOrEqual(100);
  });

  describe('rejections', () => {
    const index = FlowSegmentIndex.from(FLOW, randomRecords(6, 200), new StorageIds());
    const bytes = encodeSnapshot(index, SEQ);
    const headLength = bytes.readUInt32LE(4);
    const columnsAt = (8 + headLength + 7) & ~7;
    const reject = (b: Uint8Array, ids = new StorageIds(), flowId = FLOW) =>
      decodeSnapshot(b, flowId, ids, loadCapacity);

    it('accepts the unchanged bytes (so the rejections below are about the change)', () => {
      expect(reject(bytes)).toBeDefined();
      expect(reject(withHeader(bytes, () => undefined))).toBeDefined();
      expect(reject(resealed(bytes))).toBeDefined();
    });

    it.each([
      ['the magic', 0],
      ['the header length', 5],
      ['the header', 8],
      ['the middle of the header', 8 + (headLength >> 1)],
      ['the header padding', columnsAt - 1],
      ['the first start', columnsAt],
      ['the ends', columnsAt + 8 * index.size + 3],
      ['the object ids', columnsAt + 16 * index.size + 17],
      ['the last column byte', bytes.length - 5],
      ['the checksum', bytes.length - 4],
      ['the last checksum byte', bytes.length - 1],
    ])('rejects a flipped byte in %s', (_, at) => {
      expect(at).toBeLessThan(bytes.length);
      for (const mask of [0x01, 0x80, 0xff]) {
        const flipped = Buffer.from(bytes);
        flipped[at] = (flipped[at] as number) ^ mask;
        const ids = new StorageIds();
        expect(reject(flipped, ids)).toBeUndefined();
        // Nothing was interned for a snapshot not used.
        expect(ids.size).toBe(0);
      }
    });

    it('rejects a flipped bit at every position of a small snapshot', () => {
      const small = encodeSnapshot(FlowSegmentIndex.from(FLOW, randomRecords(8, 12), new StorageIds()), SEQ);
      for (let at = 0; at < small.length; at++) {
        for (const mask of [0x01, 0x10, 0x80]) {
          const flipped = Buffer.from(small);
          flipped[at] = (flipped[at] as number) ^ mask;
          expect(reject(flipped), `byte ${at} ^ ${mask}`).toBeUndefined();
        }
      }
    });

    it('rejects truncated and extended bytes', () => {
      for (const cut of [1, 2, 4, 5, 8, 100, bytes.length - columnsAt, bytes.length - 12]) {
        expect(reject(bytes.subarray(0, bytes.length - cut)), `cut ${cut}`).toBeUndefined();
      }
      expect(reject(bytes.subarray(4))).toBeUndefined();
      expect(reject(Buffer.concat([bytes, Buffer.alloc(1)]))).toBeUndefined();
      expect(reject(Buffer.concat([bytes, bytes]))).toBeUndefined();
    });

    it('rejects bytes shorter than 12', () => {
      for (let length = 0; length < 12; length++) {
        expect(reject(bytes.subarray(0, length))).toBeUndefined();
        expect(reject(new Uint8Array(length))).toBeUndefined();
      }
      // 12 bytes with a sound checksum but an empty header.
      const bare = Buffer.alloc(12);
      bare.writeUInt32LE(bytes.readUInt32LE(0), 0);
      expect(reject(resealed(bare))).toBeUndefined();
    });

    it('rejects a snapshot of another Flow', () => {
      const ids = new StorageIds();
      expect(reject(bytes, ids, OTHER_FLOW)).toBeUndefined();
      expect(ids.size).toBe(0);
      // Even one whose checksum holds for a header naming the other Flow.
      expect(reject(withHeader(bytes, (h) => Object.assign(h, { flowId: OTHER_FLOW })))).toBeUndefined();
      expect(
        reject(
          withHeader(bytes, (h) => Object.assign(h, { flowId: OTHER_FLOW })),
          ids,
          OTHER_FLOW,
        ),
      ).toBeDefined();
    });

    const rows = (count: (n: number) => unknown) => (h: Record<string, unknown>) => {
      h.rows = count(h.rows as number);
    };
    it.each([
      ['one row too many', rows((n) => n + 1)],
      ['one row too few', rows((n) => n - 1)],
      ['negative rows', rows(() => -1)],
      ['fractional rows', rows((n) => n + 0.5)],
      ['rows not a number', rows(() => 'many')],
      ['no path ids column', (h: Record<string, unknown>) => Object.assign(h, { paths: false })],
    ])('rejects a sealed header whose rows do not match the columns: %s', (_, edit) => {
      expect(reject(withHeader(bytes, edit))).toBeUndefined();
    });

    it('rejects a sealed snapshot of the format before object timeranges (TSI1)', () => {
      // Migration 3 may have given its rows their object's timerange since: the Flow loads anew.
      const old = Buffer.from(bytes);
      old.write('TSI1', 0, 'latin1');
      expect(reject(resealed(old))).toBeUndefined();
      expect(bytes.toString('latin1', 0, 4)).toBe('TSI2');
    });

    it('rejects a sealed header that is not JSON', () => {
      const broken = Buffer.from(bytes);
      broken[8] = '}'.charCodeAt(0);
      expect(reject(resealed(broken))).toBeUndefined();
    });

    it('rejects a snapshot needing a new storage id when the StorageIds is full', () => {
      const header = headerOf(bytes);
      const needed = header.storage as string[];
      expect(header.paths).toBe(true);
      expect(needed.length).toBeGreaterThan(1);
      expect(reject(bytes, fullIds())).toBeUndefined();
      // All but one of its ids known is not enough either.
      expect(reject(bytes, fullIds(needed.slice(1)))).toBeUndefined();
      // A full table that knows every id it needs is fine, and so is any table for external segments.
      const known = fullIds(['unrelated', ...needed]);
      const decoded = reject(bytes, known);
      expect(decoded).toBeDefined();
      expect(all(decoded?.index as FlowSegmentIndex)).toStrictEqual(all(index));
      const external = FlowSegmentIndex.from(
        FLOW,
        randomRecords(9, 40).map(({ storage: _none, ...rest }) => rest),
        new StorageIds(),
      );
      expect(reject(encodeSnapshot(external, SEQ), fullIds())?.index.size).toBe(external.size);
    });
  });
});
