import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config.ts';
import type { Engine, Row } from '../../db/db.types.ts';
import { openEngine } from '../../db/engine.factory.ts';
import { TableManager } from '../../db/manager.ts';
import { Migrator } from '../../db/migrate/migrate.runner.ts';
import type { MigrationContext } from '../../db/migrate/migrate.types.ts';
import { and, col } from '../../db/predicate.ts';
import { otrOf, timesOf } from '../objects/object-times.ts';
import { storeTables, T } from '../tables.ts';
import { backfillObjectTimes } from './m003.object-times.ts';
import { storeMigrations } from './migrations.list.ts';

const engines: Engine[] = [];
afterEach(async () => {
  for (const engine of engines.splice(0)) await engine.close();
});

const S = 1_000_000_000n;
const A = '0a000000-0000-4000-8000-000000000000';
const B = '0b000000-0000-4000-8000-000000000000';
/** Deleted: no row, no segments left; an object allocated for it lives on in B. */
const C = '0c000000-0000-4000-8000-000000000000';
const created = new Date(Date.UTC(2026, 10, 1));
const a = (n: number) => `a-${String(n).padStart(4, '0')}`;
/** More than one write batch of objects. */
const IN_A = 1200;

interface Seg {
  flow: string;
  object: string;
  start: bigint;
  end: bigint;
  ts?: bigint;
  kfc?: number;
  seq?: bigint;
  sample?: [number, number];
}

function segmentRow(s: Seg): Row {
  return {
    flow_id: s.flow,
    seg_start: s.start,
    seg_end: s.end,
    seg_start_incl: true,
    seg_end_incl: false,
    object_id: s.object,
    ts_offset: s.ts ?? null,
    key_frame_count: s.kfc === undefined ? null : BigInt(s.kfc),
    sample_offset: s.sample ? BigInt(s.sample[0]) : null,
    sample_count: s.sample ? BigInt(s.sample[1]) : null,
    seq: s.seq ?? null,
  };
}

/**
 * A store as the code before migration 3 wrote it: no object or segment holds an object
 * timerange. Flow A ingested 1,200 objects (odd ones with a ts_offset putting them at 0 on their
 * own timeline, even ones with a key_frame_count, one with the 7.0 sample counts); A uses a-0002
 * twice (registered first at its place, later again in part); B re-uses part of a-0005, first
 * registers the external object ext-1, and uses gone-1, allocated for the deleted Flow C; pending-1
 * is allocated for A and unused.
 */
async function legacyStore(): Promise<{ engine: Engine; db: TableManager }> {
  const engine = await openEngine(loadConfig({}), { memory: true });
  engines.push(engine);
  const db = await TableManager.open(engine, storeTables);
  const source = '05000000-0000-4000-8000-000000000000';
  await db.insert(
    T.flows,
    [A, B].map((id) => ({ id, source_id: source, format: 'urn:x-nmos:format:video' })),
  );
  const segs: Seg[] = [];
  const objects: Row[] = [];
  const refs: Row[] = [];
  const ref = (object: string, flow: string, segments: number, first: boolean) =>
    refs.push({
      ref_key: `${object}\n${flow}`,
      object_id: object,
      flow_id: flow,
      segments: BigInt(segments),
      first,
    });
  for (let n = 0; n < IN_A; n++) {
    const start = BigInt(n) * 2n * S;
    segs.push({
      flow: A,
      object: a(n),
      start,
      end: start + 2n * S,
      seq: BigInt(n + 1),
      ...(n % 2 === 1 ? { ts: start } : { kfc: 1 }),
      ...(n === 7 ? { sample: [10, 20] as [number, number] } : {}),
    });
    objects.push({ id: a(n), storage_id: 'fs', storage_path: `${A}/${a(n)}`, allocated_for: A, created });
    ref(a(n), A, n === 2 ? 2 : 1, true);
  }
  // a-0002 again in A, later and in part: [4s_5s) of the object's [4s_6s).
  segs.push({ flow: A, object: a(2), start: 5000n * S, end: 5001n * S, ts: 4996n * S, seq: 9000n });
  // B re-uses [0.5s_1.5s) of a-0005 ([0s_2s) on its own timeline).
  segs.push({ flow: B, object: a(5), start: 100n * S, end: 101n * S, ts: 99n * S + S / 2n });
  ref(a(5), B, 1, false);
  segs.push({ flow: B, object: 'ext-1', start: 200n * S, end: 210n * S });
  objects.push({ id: 'ext-1', created });
  ref('ext-1', B, 1, true);
  segs.push({ flow: B, object: 'gone-1', start: 300n * S, end: 302n * S, ts: 298n * S });
  objects.push({ id: 'gone-1', storage_id: 'fs', storage_path: `${C}/gone-1`, allocated_for: C, created });
  ref('gone-1', B, 1, false);
  objects.push({
    id: 'pending-1',
    storage_id: 'fs',
    storage_path: `${A}/pending-1`,
    allocated_for: A,
    created,
  });
  await db.insert(T.allocations, [{ object_id: 'pending-1', flow_id: A, created }]);
  await db.insert(T.objects, objects);
  await db.insert(T.objectRefs, refs);
  await db.insert(T.segments, segs.map(segmentRow));
  return { engine, db };
}

async function objectTimes(db: TableManager): Promise<Map<string, string | undefined>> {
  const rows = await db.select(T.objects);
  return new Map(
    rows.map((r) => {
      const t = timesOf(r);
      return [r.id as string, t && `${t.timerange.format()} kfc=${t.key_frame_count ?? '-'}`];
    }),
  );
}

async function segmentRanges(db: TableManager): Promise<string[]> {
  const rows = await db.select(T.segments, { where: and(col('otr_start').isNotNull()) });
  return rows.map((r) => `${r.flow_id === A ? 'A' : 'B'} ${r.object_id} ${otrOf(r)?.format()}`).sort();
}

describe('migration 3: object timeranges', () => {
  it("gives objects their first segment's times and partial uses the object's range, surviving a crash", async () => {
    const { engine, db } = await legacyStore();
    // Killed after the first Flow: the next start runs it whole again.
    let renewals = 0;
    const killed = (ctx: MigrationContext) =>
      backfillObjectTimes.up({
        ...ctx,
        renew: async () => {
          if (++renewals === 1) throw new Error('killed');
        },
      });
    const silent = { info: () => {}, warn: () => {} };
    const ctx = {
      db,
      has: () => false,
      dropRetired: async () => {},
      renew: async () => {},
      log: silent,
      release: '0.0.0',
      owner: 'test',
      now: () => new Date(),
    };
    await expect(killed(ctx)).rejects.toThrow('killed');
    expect((await objectTimes(db)).get(a(0))).toBe('[0:0_2:0) kfc=1');

    const options = { tables: storeTables, owner: 'test', release: '0.0.0' };
    expect(await new Migrator(engine, { ...options, migrations: storeMigrations }).run()).toEqual({
      from: 0,
      to: 5,
      ran: [1, 2, 3, 4, 5],
    });
    const times = await objectTimes(db);
    for (let n = 0; n < IN_A; n++) {
      const start = BigInt(n) * 2n;
      const range = n % 2 === 1 ? '[0:0_2:0)' : `[${start}:0_${start + 2n}:0)`;
      expect(times.get(a(n)), a(n)).toBe(`${range} kfc=${n % 2 === 1 ? '-' : '1'}`);
    }
    expect(times.get('ext-1')).toBe('[200:0_210:0) kfc=-');
    expect(times.get('gone-1')).toBe('[2:0_4:0) kfc=-');
    expect(times.get('pending-1')).toBeUndefined();
    expect(await segmentRanges(db)).toEqual([`A ${a(2)} [4:0_6:0)`, `B ${a(5)} [0:0_2:0)`]);

    // Again: nothing left to do, nothing written.
    const logged: object[] = [];
    await backfillObjectTimes.up({ ...ctx, log: { ...silent, info: (o) => logged.push(o) } });
    expect(logged).toEqual([]);
    expect(await segmentRanges(db)).toHaveLength(2);
  });
});
