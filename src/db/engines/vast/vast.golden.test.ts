/**
 * The engine's requests against VAST's Python SDK's recordings (test/vast/golden): the same
 * method, path, command, `tabular-*` headers (the txid only as zero / non-zero) and bodies that
 * decode to the same structures. Requests are captured at the transport while the engine talks to
 * the fake server over HTTP.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  RecordingTransport,
  type SentRequest,
  testTransport,
} from '../../../../test/support/db/engines/vast/vast.testkit.ts';
import { type FakeVast, startFakeVast } from '../../../../tools/vast-fake/fake.server.ts';
import type { TableDef } from '../../db.types.ts';
import { TableManager } from '../../manager.ts';
import { and, col, or, where } from '../../predicate.ts';
import { tableExists } from './vast.catalog.ts';
import { createVastEngine, type VastEngine } from './vast.engine.ts';
import { beginTx, realEngineTimers, rollbackTx } from './vast.tx.ts';
import { decodeQueryRequest } from './wire/wire.query.ts';
import { decodeRows } from './wire/wire.rows.ts';
import { decodeSchemaMessage } from './wire/wire.schema.ts';
import type { QueryRequest, WireExpr } from './wire/wire.types.ts';

interface Golden {
  method: string;
  path: string;
  query: [string, string | null][];
  headers: [string, string][];
  body_base64: string;
}
const golden = (name: string): Golden =>
  JSON.parse(readFileSync(new URL(`../../../../test/vast/golden/${name}.json`, import.meta.url), 'utf8'));
const goldenBody = (g: Golden) => new Uint8Array(Buffer.from(g.body_base64, 'base64'));

const TABLE: TableDef = {
  name: 'golden_table',
  columns: [
    { name: 'c_utf8', type: 'string' },
    { name: 'c_int64', type: 'int64' },
    { name: 'c_int32', type: 'int32' },
    { name: 'c_float64', type: 'float64' },
    { name: 'c_bool', type: 'boolean' },
    { name: 'c_ts', type: 'timestamp' },
  ],
};
const ROWS = [
  {
    c_utf8: 'alpha',
    c_int64: 1n,
    c_int32: 10,
    c_float64: 0.5,
    c_bool: true,
    c_ts: new Date('2026-01-02T03:04:05.000Z'),
  },
  {
    c_utf8: 'Ωmega — ünïcödé ✓ 東京',
    c_int64: -9007199254740993n,
    c_int32: -2147483648,
    c_float64: -1.25,
    c_bool: false,
    c_ts: new Date(0),
  },
  { c_utf8: null, c_int64: 4611686018427387904n, c_int32: null, c_float64: null, c_bool: null, c_ts: null },
];

/** Request line and `tabular-*` headers; the txid as zero or not (ids differ between servers). */
function shape(
  method: string,
  path: string,
  query: readonly (readonly (string | null)[])[],
  headers: [string, string][],
) {
  const tabular = headers
    .filter(([k]) => k.toLowerCase().startsWith('tabular-'))
    .map(([k, v]) => [k.toLowerCase(), k.toLowerCase() === 'tabular-txid' ? (v === '0' ? '0' : 'txid') : v]);
  return {
    method,
    path,
    query: query.map(([k, v]) => [k, v ?? null]),
    headers: Object.fromEntries(tabular),
  };
}
const goldenShape = (g: Golden) => shape(g.method, g.path, g.query, g.headers);
const sentShape = (s: SentRequest) =>
  shape(
    s.method,
    s.path,
    s.query.map(([k, v]) => [k as string, v ?? null]),
    Object.entries(s.headers),
  );

/** A QueryData request with field positions replaced by names (predicate-only column order varies). */
function named(q: QueryRequest) {
  const name = (i: number) => q.fields[i]?.name;
  const expr = (e: WireExpr): unknown =>
    e.kind === 'field'
      ? { field: name(e.position) }
      : e.kind === 'literal'
        ? e
        : { call: e.name, args: e.args.map(expr) };
  return {
    fields: [...q.fields].sort((a, b) => a.name.localeCompare(b.name)),
    projection: q.projection.map(name),
    filter: expr(q.filter),
  };
}

let vast: FakeVast;
let recorder: RecordingTransport;
let db: TableManager;
let engine: VastEngine;
beforeAll(async () => {
  vast = await startFakeVast({ bucket: 'tams-golden' });
  recorder = new RecordingTransport(testTransport(vast));
  engine = createVastEngine({ transport: recorder, bucket: 'tams-golden', schema: 'golden_schema' });
  db = await TableManager.open(engine, [TABLE]);
  await db.insert('golden_table', ROWS);
});
afterAll(async () => {
  await db?.close();
  await vast?.close();
});

const find = (command: string, method: string) =>
  recorder.sent.filter((s) => s.method === method && s.query[0]?.[0] === command);

describe('VAST engine requests match the Python SDK recordings', () => {
  it('begins and commits transactions as the SDK does', () => {
    expect(sentShape(find('transaction', 'POST')[0] as SentRequest)).toEqual(
      goldenShape(golden('begin_transaction')),
    );
    expect(sentShape(find('transaction', 'PUT')[0] as SentRequest)).toEqual(
      goldenShape(golden('commit_transaction')),
    );
  });

  it('looks a table up by exact name as the SDK does', async () => {
    const tx = await beginTx(engine.api, realEngineTimers, 0);
    const before = recorder.sent.length;
    expect(await tableExists(engine.api, tx.txid, 'golden_table')).toBe(true);
    await rollbackTx(engine.api, tx);
    const [sent] = recorder.sent.slice(before) as [SentRequest];
    expect(sentShape(sent)).toEqual(goldenShape(golden('list_tables_exact')));
  });

  it('creates the table with the same Arrow schema', () => {
    const [sent] = find('table', 'POST') as [SentRequest];
    const g = golden('create_table');
    expect(sentShape(sent)).toEqual(goldenShape(g));
    expect(decodeSchemaMessage(sent.body)).toEqual(decodeSchemaMessage(goldenBody(g)));
  });

  it('inserts the same Arrow batch', () => {
    const [sent] = find('rows', 'POST') as [SentRequest];
    const g = golden('insert_rows');
    expect(sentShape(sent)).toEqual(goldenShape(g));
    const ours = decodeRows(sent.body);
    const theirs = decodeRows(goldenBody(g));
    expect(ours.fields).toEqual(theirs.fields);
    // The SDK's first timestamp has microseconds (…05.000006); the engine's Dates have milliseconds.
    const ms = (rows: typeof ours.rows) =>
      rows.map((r) => ({ ...r, c_ts: typeof r.c_ts === 'bigint' ? r.c_ts / 1000n : r.c_ts }));
    expect(ms(ours.rows)).toEqual(ms(theirs.rows));
  });

  const selects: [string, () => Promise<unknown>][] = [
    ['select_all_columns', () => db.select('golden_table')],
    ['select_projection', () => db.select('golden_table', { columns: ['c_utf8', 'c_int64'] })],
    ['select_lt_int32', () => db.select('golden_table', { where: where(col('c_int32').lt(0)) })],
    [
      'select_startswith_utf8',
      () => db.select('golden_table', { where: where(col('c_utf8').startsWith('Ωme')) }),
    ],
    [
      'select_isin_utf8',
      () => db.select('golden_table', { where: where(col('c_utf8').in(['alpha', 'beta'])) }),
    ],
    [
      'select_contains_utf8',
      () => db.select('golden_table', { where: where(col('c_utf8').contains('lph')) }),
    ],
    ['select_isnull_float64', () => db.select('golden_table', { where: where(col('c_float64').isNull()) })],
    [
      'select_and_of_or_groups',
      () =>
        db.select('golden_table', {
          columns: ['c_int32'],
          where: and(
            or(col('c_int64').eq(1n), col('c_int64').eq(2n)),
            or(col('c_utf8').eq('alpha'), col('c_utf8').isNull()),
            col('c_ts').ge(new Date(Date.UTC(2026, 0, 1))),
          ),
        }),
    ],
  ];
  for (const [name, run] of selects) {
    it(`selects as ${name}`, async () => {
      const before = recorder.sent.length;
      await run();
      const sent = recorder.sent.slice(before).filter((s) => s.query[0]?.[0] === 'data');
      expect(sent).toHaveLength(1);
      const g = golden(name);
      expect(sentShape(sent[0] as SentRequest)).toEqual(goldenShape(g));
      expect(named(decodeQueryRequest((sent[0] as SentRequest).body))).toEqual(
        named(decodeQueryRequest(goldenBody(g))),
      );
    });
  }

  it('updates by $row_id: the same body schema, ids sorted', async () => {
    const before = recorder.sent.length;
    expect(await db.update('golden_table', where(col('c_int64').gt(0n)), { c_utf8: 'x', c_int64: 3n })).toBe(
      2,
    );
    const [sent] = recorder.sent
      .slice(before)
      .filter((s) => s.method === 'PUT' && s.query[0]?.[0] === 'rows');
    const g = golden('update_rows');
    expect(sentShape(sent as SentRequest)).toEqual(goldenShape(g));
    const ours = decodeRows((sent as SentRequest).body);
    expect(ours.fields).toEqual(decodeRows(goldenBody(g)).fields);
    const ids = ours.rows.map((r) => r.$row_id as bigint);
    expect(ids).toEqual([...ids].sort((a, b) => (a < b ? -1 : 1)));
  });

  it('deletes by $row_id: the same body schema, ids sorted', async () => {
    const before = recorder.sent.length;
    expect(await db.delete('golden_table', where(col('c_int64').le(3n)))).toBe(3);
    const [sent] = recorder.sent
      .slice(before)
      .filter((s) => s.method === 'DELETE' && s.query[0]?.[0] === 'rows');
    const g = golden('delete_rows');
    expect(sentShape(sent as SentRequest)).toEqual(goldenShape(g));
    const ours = decodeRows((sent as SentRequest).body);
    expect(ours.fields).toEqual(decodeRows(goldenBody(g)).fields);
    const ids = ours.rows.map((r) => r.$row_id as bigint);
    expect(ids).toHaveLength(3);
    expect(ids).toEqual([...ids].sort((a, b) => (a < b ? -1 : 1)));
  });
});
