/**
 * Seeded property test: a page written straight from the index's rows (renderPlainPage) is, byte
 * for byte, the JSON the route would otherwise serialise (records, buildMany, segmentDocument),
 * with the same envelope; for random Flows, queries and get_urls filters, over two fs backends,
 * as 7.0 answers and as 8.2 answers with the objects' timeranges.
 */
import { describe, expect, it } from 'vitest';
import { FLOW, randomFields, randomUuid } from '../../test/support/embedded/index/segment-index.testkit.ts';
import { pick, prng } from '../../test/support/time/time.testkit.ts';
import { FlowSegmentIndex, StorageIds } from '../embedded/index/index.ts';
import { FsMediaStore } from '../media/fs/fs.store.ts';
import { MediaRegistry } from '../media/media.registry.ts';
import type { StorageBackendDescriptor } from '../media/media.types.ts';
import type { SegmentKey, SegmentRecord } from '../store/segments.repo.ts';
import { envelopeOf, INT64_MAX, INT64_MIN, TimeRange } from '../time/index.ts';
import { PlainPages } from './segments.fastlane.ts';
import { segmentDocument } from './segments.mapper.ts';
import { renderPlainPage } from './segments.page.ts';
import type { FlowSegment } from './segments.schemas.ts';
import { GetUrlBuilder, type GetUrlFilter } from './segments.urls.ts';

const backend = (id: string, label: string, extra: Partial<StorageBackendDescriptor> = {}) =>
  new FsMediaStore({
    root: '/nonexistent',
    secret: Buffer.alloc(32, id.charCodeAt(0)),
    descriptor: {
      id,
      label,
      store_type: 'http_object_store',
      provider: 'tams-server',
      store_product: 'fs',
      ...extra,
    },
    now: () => 1_800_000_000_123,
  });
const STORES = [
  backend('11111111-1111-4111-8111-111111111111', 'local-media', { default_storage: true }),
  backend('22222222-2222-4222-8222-222222222222', 'second', { region: 'eu-west-1' }),
];
const builder = new GetUrlBuilder(new MediaRegistry(STORES));
/** Only its URLs are used here: each test reads its pages from an index of its own. */
const pages = new PlainPages({ plainPage: async () => undefined }, new MediaRegistry(STORES));
const LABELS = STORES.flatMap((s) =>
  [...builder.reservedLabels()].filter((l) => l.endsWith(s.descriptor.label ?? '')),
);

interface World {
  rand: () => number;
  index: FlowSegmentIndex;
  segments: SegmentRecord[];
}

/** Timestamps near zero, near the int64 ends, and around a real clock, negative ones too. */
function origin(rand: () => number): bigint {
  return pick(rand, [
    0n,
    -7_000_000_000n,
    1_700_000_000_000_000_000n,
    INT64_MIN + 10n,
    INT64_MAX - 10n ** 12n,
  ]);
}

function randomWorld(seed: number): World {
  const rand = prng(seed);
  // Most Flows are all plain (as ingest makes them); some have odd rows the renderer must refuse.
  const odd = rand() < 0.3 ? 0.2 : 0;
  const store = pick(rand, STORES).descriptor.id;
  const step = pick(rand, [1n, 3n, 2_000_000_000n]);
  let at = origin(rand);
  const segments: SegmentRecord[] = [];
  const count = Math.floor(rand() * 60);
  for (let i = 0; i < count; i++) {
    const length = rand() < 0.1 ? 0n : step * BigInt(1 + Math.floor(rand() * 3));
    const gap = rand() < 0.7 ? 0n : step * BigInt(Math.floor(rand() * 3));
    const start = at + gap;
    const timerange =
      length === 0n
        ? TimeRange.instant(start)
        : TimeRange.fromBounds(start, start + length, rand() < 0.9, rand() < 0.2);
    at = start + length + (timerange.endInclusive || length === 0n ? 1n : 0n);
    const objectId = randomUuid(rand);
    const segment: SegmentRecord = {
      flow_id: FLOW,
      object_id: objectId,
      timerange,
      storage: { id: store, path: `${FLOW}/${objectId}` },
    };
    if (rand() < 0.7) segment.key_frame_count = pick(rand, [0, 1, 25, 252, 253]);
    segments.push(rand() < odd ? { ...segment, ...randomFields(rand, objectId) } : segment);
  }
  return { rand, index: FlowSegmentIndex.from(FLOW, segments, new StorageIds()), segments };
}

/** What PlainPage takes: a UUID object at its default key, a small key_frame_count, nothing else. */
function isPlain(s: SegmentRecord): boolean {
  const { flow_id, object_id, timerange, storage, key_frame_count, ...rest } = s;
  return (
    Object.keys(rest).length === 0 &&
    /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(object_id) &&
    storage?.path === `${flow_id}/${object_id}` &&
    (key_frame_count === undefined || key_frame_count < 254)
  );
}

const backends = (items: readonly SegmentRecord[]) => new Set(items.map((s) => s.storage?.id)).size;

function randomRange(w: World): TimeRange {
  const { rand, segments } = w;
  if (segments.length === 0 || rand() < 0.2) return TimeRange.ETERNITY;
  const a = pick(rand, segments).timerange;
  const b = pick(rand, segments).timerange;
  const start = rand() < 0.5 ? a.start : a.end;
  const end = rand() < 0.5 ? b.end : b.start;
  return TimeRange.fromBounds(start, end, rand() < 0.5, rand() < 0.5);
}

function randomFilter(rand: () => number): GetUrlFilter {
  const filter: GetUrlFilter = { verbose: rand() < 0.1 };
  if (rand() < 0.3) filter.labels = new Set(LABELS.filter(() => rand() < 0.5));
  if (rand() < 0.2) filter.storageIds = new Set([pick(rand, STORES).descriptor.id]);
  if (rand() < 0.4) filter.presigned = rand() < 0.5;
  return filter;
}

describe('renderPlainPage', () => {
  it('writes what JSON.stringify writes for the same page, for random Flows, queries and filters', () => {
    let rendered = 0;
    let refused = 0;
    for (let seed = 1; seed <= 150; seed++) {
      const w = randomWorld(seed);
      let after: SegmentKey | undefined;
      for (let q = 0; q < 40; q++) {
        const range = randomRange(w);
        const options = {
          reverse: w.rand() < 0.3,
          limit: pick(w.rand, [0, 1, 2, 7, 100]),
          after: w.rand() < 0.3 ? after : undefined,
          objectId: w.rand() < 0.1 && w.segments.length > 0 ? pick(w.rand, w.segments).object_id : undefined,
        };
        const filter = randomFilter(w.rand);
        const ctx = {
          baseUrl: pick(w.rand, ['http://127.0.0.1:3000', 'https://tams.example/x/']),
          expiresIn: 3600,
        };
        const expected = w.index.page(range, options);
        after = expected.next ?? after;
        const plain = w.index.plainPage(range, options);
        if (!plain) {
          // Refused only for a row that is not plain, or rows in more than one backend.
          expect(expected.items.some((s) => !isPlain(s)) || backends(expected.items) > 1).toBe(true);
          refused++;
          continue;
        }
        expect(plain.count).toBe(expected.items.length);
        expect(plain.next).toEqual(expected.next);
        const kinds = pages.urls(plain.storageId, FLOW, plain.objectIds, plain.count, filter, ctx);
        if (!kinds) {
          expect(filter.verbose).toBe(true);
          continue;
        }
        const page = renderPlainPage(plain, kinds);
        if (!page) throw new Error('a page of plain rows with fs URLs was refused');
        const urls = builder.buildMany(expected.items, filter, ctx);
        const documents = expected.items.map((s, i) =>
          segmentDocument(s, urls[i] as FlowSegment['get_urls']),
        );
        expect(page.body.toString('utf8')).toBe(JSON.stringify(documents));
        expect(page.timerange.format()).toBe(envelopeOf(expected.items.map((s) => s.timerange)).format());
        // 8.2 with include_object_timerange=true: each object's timerange too.
        const view = { objectTimerange: true };
        const withRanges = expected.items.map((s, i) =>
          segmentDocument(s, urls[i] as FlowSegment['get_urls'], view),
        );
        expect(renderPlainPage(plain, kinds, view)?.body.toString('utf8')).toBe(JSON.stringify(withRanges));
        rendered++;
      }
    }
    // Both ways are exercised, the renderer on most pages.
    expect(rendered).toBeGreaterThan(3000);
    expect(refused).toBeGreaterThan(50);
  });

  it('leaves to JSON.stringify a page whose URLs would need escaping', () => {
    const store = STORES[0]?.descriptor.id as string;
    const segments = [0n, 1n, 2n].map((i) => {
      const objectId = randomUuid(prng(Number(i) + 1));
      return {
        flow_id: FLOW,
        object_id: objectId,
        timerange: TimeRange.fromBounds(i * 10n, i * 10n + 10n, true, false),
        storage: { id: store, path: `${FLOW}/${objectId}` },
      };
    });
    const index = FlowSegmentIndex.from(FLOW, segments, new StorageIds());
    const plain = index.plainPage(TimeRange.ETERNITY, { reverse: false, limit: 100 });
    expect(plain?.count).toBe(3);
    const ctx = { baseUrl: 'http://host/"quoted"', expiresIn: 60 };
    const kinds =
      plain && pages.urls(plain.storageId, FLOW, plain.objectIds, plain.count, { verbose: false }, ctx);
    expect(kinds?.length).toBe(2);
    expect(plain && renderPlainPage(plain, kinds ?? [])).toBeUndefined();
    // And rendered once the text is plain.
    const fine =
      plain &&
      pages.urls(
        plain.storageId,
        FLOW,
        plain.objectIds,
        plain.count,
        { verbose: false },
        { ...ctx, baseUrl: 'http://host' },
      );
    expect(plain && renderPlainPage(plain, fine ?? [])).toBeDefined();
  });
});
