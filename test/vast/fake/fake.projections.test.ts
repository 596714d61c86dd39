/**
 * Semi-sorted projections on the fake: managed as the SDK manages them, and read instead of the
 * table by QueryData. The VAST engine's answers and round trips must not change when the cluster
 * serves its queries from a projection, whose rows come in another order with other cursors.
 */
import { tableFromIPC } from 'apache-arrow';
import { Builder } from 'flatbuffers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VastMethod } from '../../../src/db/engines/vast/transport/transport.types.ts';
import type { VastEngine } from '../../../src/db/engines/vast/vast.engine.ts';
import { FbTable, LAYOUT } from '../../../src/db/engines/vast/wire/wire.fb.ts';
import { encodeSchemaMessage } from '../../../src/db/engines/vast/wire/wire.schema.ts';
import { TableManager } from '../../../src/db/manager.ts';
import { col, where } from '../../../src/db/predicate.ts';
import { encodeCreateProjection } from '../../../tools/vast-fake/fake.projections.ts';
import { type FakeVast, startFakeVast } from '../../../tools/vast-fake/fake.server.ts';
import { testEngine } from '../../support/db/engines/vast/vast.testkit.ts';
import { COLUMNS, FakeClient, refusal } from './fake.client.testkit.ts';

let vast: FakeVast;
let client: FakeClient;
beforeAll(async () => {
  vast = await startFakeVast();
  client = new FakeClient(vast);
  await client.createSchema(0n, 's');
  await client.createTable(0n, 's', 't');
});
afterAll(async () => {
  client.close();
  await vast.close();
});

const call = (method: VastMethod, command: string, name?: string, body?: Uint8Array, table = 's/t') =>
  client.transport.request({
    method,
    path: `/${vast.bucket}/${table}`,
    query: name === undefined ? [[command]] : [[command], ['name', name]],
    body,
  });

async function listed(): Promise<string[]> {
  const r = await call('GET', 'projection');
  return FbTable.root(r.body)
    .tables(3)
    .map((d) => d.str(LAYOUT['tabular.ObjectDetails'].name) ?? '');
}

describe('fake VAST: projections as the SDK manages them', () => {
  it('creates, lists, describes, renames and drops them', async () => {
    await call('POST', 'projection', 'by_int', encodeCreateProjection(['c_int64'], ['c_utf8']));
    await call('POST', 'projection', 'by_text', encodeCreateProjection(['c_utf8', 'c_int32'], []));
    expect(await listed()).toEqual(['by_int', 'by_text']);
    const columns = tableFromIPC((await call('GET', 'projection-columns', 'by_text')).body).schema.fields;
    expect(columns.map((f) => [f.name, f.metadata.get('VAST:sort_index') ?? null])).toEqual([
      ['c_utf8', '0'],
      ['c_int32', '1'],
    ]);
    const stats = FbTable.root((await call('GET', 'projection-stats', 'by_int')).body);
    expect([stats.i64(0), stats.i64(3)]).toEqual([0n, 100n]);
    await call('PUT', 'projection', 'by_text', encodeRename('renamed'));
    await call('DELETE', 'projection', 'by_int');
    expect(await listed()).toEqual(['renamed']);
  });

  it('refuses a name taken, a column missing, a projection unknown, and dropping its column', async () => {
    const body = encodeCreateProjection(['c_bool'], []);
    await call('POST', 'projection', 'once', body);
    expect((await refusal(call('POST', 'projection', 'once', body))).status).toBe(409);
    expect(
      (await refusal(call('POST', 'projection', 'x', encodeCreateProjection(['nope'], [])))).status,
    ).toBe(400);
    expect((await refusal(call('GET', 'projection-stats', 'unknown'))).status).toBe(404);
    const drop = client.transport.request({
      method: 'DELETE',
      path: `/${vast.bucket}/s/t`,
      query: [['column']],
      body: encodeSchemaMessage([COLUMNS[4] as (typeof COLUMNS)[number]]),
    });
    expect((await refusal(drop)).status).toBe(400);
  });
});

/** AlterProjectionTableRequest{new_name} (slot 0), as the SDK's `alter_projection` builds it. */
function encodeRename(name: string): Uint8Array {
  const b = new Builder(64);
  const s = b.createString(name);
  b.startObject(2);
  b.addFieldOffset(0, s, 0);
  b.finish(b.endObject());
  return b.asUint8Array();
}

describe('the VAST engine when the cluster reads a projection', () => {
  const SEGMENTS = {
    name: 'segments',
    columns: [
      { name: 'flow_id', type: 'string', nullable: false },
      { name: 'seg_start', type: 'int64', nullable: false },
      { name: 'seg_end', type: 'int64', nullable: false },
      { name: 'object_id', type: 'string', nullable: false },
    ],
  } as const;

  it('answers the same, in the same round trips, from a projection sorted by Flow and start', async () => {
    await client.createSchema(0n, 'tams');
    const engine = testEngine(vast, 'tams') as VastEngine;
    const db = await TableManager.open(engine, [SEGMENTS]);
    try {
      // Written in time order across Flows, as live ingest writes them.
      const rows = [];
      for (let i = 0; i < 300; i++)
        for (const f of ['f1', 'f2', 'f3'])
          rows.push({
            flow_id: f,
            seg_start: BigInt(i * 10),
            seg_end: BigInt(i * 10 + 10),
            object_id: `${f}-${i}`,
          });
      await db.insert('segments', rows);
      const page = () =>
        db.select('segments', {
          where: where(col('flow_id').eq('f2'), col('seg_start').lt(2000n), col('seg_end').gt(1000n)),
          orderBy: [{ column: 'seg_start', direction: 'desc' }],
          limit: 25,
        });
      const trips = async (op: () => Promise<unknown>) => {
        await engine.settled();
        const before = engine.roundTrips;
        await op();
        await engine.settled();
        return engine.roundTrips - before;
      };
      const fromTable = await page();
      const tripsFromTable = await trips(page);
      expect(vast.stats.projectionReads).toBe(0);
      const body = encodeCreateProjection(['flow_id', 'seg_start'], ['seg_end', 'object_id']);
      await call('POST', 'projection', 'by_flow', body, 'tams/segments');
      const fromProjection = await page();
      expect(vast.stats.projectionReads).toBeGreaterThan(0);
      expect(fromProjection).toEqual(fromTable);
      expect(fromTable.map((r) => r.seg_start)).toEqual(
        Array.from({ length: 25 }, (_, i) => BigInt(1990 - 10 * i)),
      );
      expect(await trips(page)).toBe(tripsFromTable);
      // Paged: every row of a Flow once, whatever order the projection gives.
      const all = await db.select('segments', { where: where(col('flow_id').eq('f3')) });
      expect(new Set(all.map((r) => r.object_id)).size).toBe(300);
    } finally {
      await db.close();
    }
  });
});

describe('fake VAST: projections declared at start', () => {
  it('creates a declared projection with the table it names, holding every other column', async () => {
    const declared = await startFakeVast({
      projections: [{ table: 'tams/segments', name: 'by_flow', sorted: ['c_utf8', 'c_int64'] }],
    });
    const other = new FakeClient(declared);
    try {
      await other.createSchema(0n, 'tams');
      await other.createTable(0n, 'tams', 'segments');
      await other.createTable(0n, 'tams', 'flows');
      const columns = await other.transport.request({
        method: 'GET',
        path: `/${declared.bucket}/tams/segments`,
        query: [['projection-columns'], ['name', 'by_flow']],
      });
      expect(tableFromIPC(columns.body).schema.fields.map((f) => f.name)).toEqual([
        'c_utf8',
        'c_int64',
        ...COLUMNS.map((c) => c.name).filter((n) => n !== 'c_utf8' && n !== 'c_int64'),
      ]);
      const none = await other.transport.request({
        method: 'GET',
        path: `/${declared.bucket}/tams/flows`,
        query: [['projection']],
      });
      expect(FbTable.root(none.body).tables(3)).toEqual([]);
    } finally {
      other.close();
      await declared.close();
    }
  });
});
