/**
 * Pages of segments on an engine that pushes neither ORDER BY nor LIMIT down (VAST), whose first
 * window is read beside the Flow's row and sized by a spacing hint (segments.window.ts
 * readAhead): whatever the hint, paging through a range gives exactly the segments a brute-force
 * filter gives, in order. Random Flows (gaps, bursts, segments of mixed lengths), random ranges,
 * both directions, limits, and hints from far too small to far too large.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryEngine } from '../../test/support/db/contract/memory.engine.ts';
import { prng as rng } from '../../test/support/time/time.testkit.ts';
import { TableManager } from '../db/manager.ts';
import { TimeRange } from '../time/index.ts';
import { CollectionsRepo } from './collections.repo.ts';
import { FlowsRepo } from './flows.repo.ts';
import { compareKeys, keyOf, type SegmentKey, type SegmentRecord, SegmentsRepo } from './segments.repo.ts';
import { SegmentSpacing } from './segments.spacing.ts';
import { storeTables, T } from './tables.ts';

const S = 1_000_000_000n;
let db: TableManager;
const flows: { id: string; segments: SegmentRecord[] }[] = [];

beforeAll(async () => {
  const engine = new MemoryEngine({ tables: new Map() }, { pushdown: { orderBy: false, limit: false } });
  db = await TableManager.open(engine, storeTables);
  const random = rng(7);
  const repo = new FlowsRepo(db, new CollectionsRepo(db));
  for (let f = 0; f < 6; f++) {
    const id = `00000000-0000-4000-8000-00000000000${f}`;
    const segments: SegmentRecord[] = [];
    let at = BigInt(Math.floor(random() * 1000)) * S;
    for (let i = 0; i < 400; i++) {
      // Lengths from 1 ms to 10 s; now and then a gap of up to an hour.
      const length = BigInt(Math.floor(random() * 10_000) + 1) * 1_000_000n;
      if (random() < 0.03) at += BigInt(Math.floor(random() * 3600)) * S;
      const exclusive = random() < 0.2;
      segments.push({
        flow_id: id,
        object_id: `o-${f}-${i}`,
        timerange: TimeRange.fromBounds(at, at + length, !exclusive, false),
      });
      at += length;
    }
    await db.insert(T.flows, [{ id, source_id: id, format: 'urn:x-nmos:format:video', deleting: false }]);
    await new SegmentsRepo(db).insertMany(segments);
    const envelope = segments.reduce((e, s) => e.envelope(s.timerange), TimeRange.EMPTY);
    await repo.setSegmentsStates([{ id, range: envelope, updated: new Date() }]);
    flows.push({ id, segments });
  }
});

afterAll(async () => {
  await db?.close();
});

describe('segment pages read ahead of the Flow row', () => {
  it('page through random ranges exactly, whatever the spacing hint', async () => {
    const random = rng(11);
    let pages = 0;
    let checked = 0;
    for (let q = 0; q < 120; q++) {
      const flow = flows[q % flows.length] as (typeof flows)[number];
      const all = flow.segments;
      const first = all[0]?.timerange.start as bigint;
      const last = all.at(-1)?.timerange.end as bigint;
      const pick = () =>
        first - 5n * S + BigInt(Math.floor(random() * Number((last - first + 10n * S) / S))) * S;
      const [a, b] = [pick(), pick()].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0)) as [bigint, bigint];
      const range =
        q % 5 === 0
          ? TimeRange.fromBounds(a, null, true, false)
          : q % 7 === 0
            ? TimeRange.fromBounds(null, b, true, false)
            : TimeRange.fromBounds(a, b + S, random() < 0.5, random() < 0.5);
      const reverse = random() < 0.4;
      const limit = 1 + Math.floor(random() * 40);
      // Hints from a hundredth to a hundred times the real mean spacing.
      const spacing = new SegmentSpacing();
      const mean = (last - first) / BigInt(all.length);
      const factor = 10 ** (random() * 4 - 2);
      spacing.learn(flow.id, [0n, BigInt(Math.max(1, Math.round(Number(mean) * factor)))]);
      const repo = new SegmentsRepo(db, false, spacing);

      const expected = all
        .filter((s) => s.timerange.overlaps(range))
        .sort((x, y) => compareKeys(keyOf(x), keyOf(y)) * (reverse ? -1 : 1))
        .map((s) => s.object_id);
      const got: string[] = [];
      let after: SegmentKey | undefined;
      for (;;) {
        const page = await repo.page(flow.id, range, { reverse, limit, after });
        pages++;
        expect(page.items.length).toBeLessThanOrEqual(limit);
        got.push(...page.items.map((s) => s.object_id));
        if (page.next === undefined) break;
        after = page.next;
      }
      expect(got, `${range.toString()} reverse=${reverse} limit=${limit} factor=${factor}`).toEqual(expected);
      checked += expected.length;
    }
    // The ranges were not all empty: the check covered thousands of segments over many pages.
    expect(checked).toBeGreaterThan(2000);
    expect(pages).toBeGreaterThan(200);
  });
});
