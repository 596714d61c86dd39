/**
 * Tables of every Arrow type VAST's SDK can create and read, on the fake: created and listed back
 * with their types, the types VAST refuses refused as it refuses them, and a table written by
 * another tool (flat columns of the engine's types beside lists, structs, maps, decimals, times...)
 * read and written by the VAST engine through its own columns. The SDK-driven test
 * (`npm run vast:sdk:fake`, test/vast/sdk/sdk_types.py) reads every cell of every type back.
 */
import {
  Binary,
  Bool,
  type DataType,
  DateDay,
  DateMillisecond,
  Decimal,
  Dictionary,
  Field,
  FixedSizeBinary,
  FixedSizeList,
  Float16,
  Float32,
  Float64,
  Int8,
  Int16,
  Int32,
  Int64,
  LargeUtf8,
  List,
  Map_,
  Message,
  makeData,
  Null,
  Schema,
  Struct,
  Table,
  TimeMicrosecond,
  TimeMillisecond,
  TimeNanosecond,
  TimeSecond,
  Timestamp,
  TimeUnit,
  tableFromIPC,
  tableToIPC,
  Uint8,
  Uint16,
  Uint32,
  Uint64,
  Utf8,
  Vector,
  vectorFromArray,
} from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  concatBytes,
  encapsulate,
  readMetaAt,
  readPrefix,
} from '../../../src/db/engines/vast/wire/wire.ipc.ts';
import { buildQueryRequest } from '../../../src/db/engines/vast/wire/wire.query.ts';
import { TableManager } from '../../../src/db/manager.ts';
import { col, where } from '../../../src/db/predicate.ts';
import { type FakeVast, startFakeVast } from '../../../tools/vast-fake/fake.server.ts';
import { testEngine } from '../../support/db/engines/vast/vast.testkit.ts';
import { FakeClient, refusal } from './fake.client.testkit.ts';

let vast: FakeVast;
let client: FakeClient;
beforeAll(async () => {
  vast = await startFakeVast();
  client = new FakeClient(vast);
  await client.createSchema(0n, 's');
});
afterAll(async () => {
  client.close();
  await vast.close();
});

const f = (name: string, type: DataType, nullable = true) => new Field(name, type, nullable);

/** The 27 types of the SDK's `get_field_type` that Ibis takes (float16 and fixed-size binary aside). */
const EVERY_TYPE = [
  f('i8', new Int8()),
  f('i16', new Int16()),
  f('i32', new Int32()),
  f('i64', new Int64()),
  f('u8', new Uint8()),
  f('u16', new Uint16()),
  f('u32', new Uint32()),
  f('u64', new Uint64()),
  f('f32', new Float32()),
  f('f64', new Float64()),
  f('s', new Utf8()),
  f('b', new Bool()),
  f('bin', new Binary()),
  f('d', new Decimal(3, 7, 128)),
  f('date', new DateDay()),
  ...[TimeUnit.SECOND, TimeUnit.MILLISECOND, TimeUnit.MICROSECOND, TimeUnit.NANOSECOND].map((u) =>
    f(`ts${u}`, new Timestamp(u)),
  ),
  f('t0', new TimeSecond()),
  f('t3', new TimeMillisecond()),
  f('t6', new TimeMicrosecond()),
  f('t9', new TimeNanosecond()),
  f('l', new List(f('item', new Int32()))),
  f('st', new Struct([f('x', new Int16()), f('q', new Struct([f('q1', new Utf8())]))])),
  f(
    'm',
    new Map_(
      new Field(
        'entries',
        new Struct<{ key: Utf8; value: Float64 }>([
          new Field('key', new Utf8(), false),
          new Field('value', new Float64()),
        ]),
        false,
      ),
    ),
  ),
  f('vec', new FixedSizeList(3, f('item', new Float32(), false))),
];

/** A create-table body: the schema message alone, as `pa.Schema.serialize()` gives it. */
const schemaBody = (fields: readonly Field[]) =>
  encapsulate(Message.encode(Message.from(new Schema([...fields]))));

const create = (table: string, fields: readonly Field[]) =>
  client.transport.request({
    method: 'POST',
    path: `/${vast.bucket}/s/${table}`,
    query: [['table']],
    body: schemaBody(fields),
  });

async function listed(table: string): Promise<string[]> {
  const r = await client.transport.request({
    method: 'GET',
    path: `/${vast.bucket}/s/${table}`,
    query: [['column']],
  });
  return tableFromIPC(r.body).schema.fields.map((x) => `${x.name}: ${x.type}`);
}

describe('fake VAST: every Arrow type the SDK can create and read', () => {
  it('creates a table of the 27 types and lists each column back with its type', async () => {
    expect(EVERY_TYPE).toHaveLength(27);
    await create('every_type', EVERY_TYPE);
    expect(await listed('every_type')).toEqual(EVERY_TYPE.map((x) => `${x.name}: ${x.type}`));
  });

  it('takes float16, fixed-size binary and zoned timestamps too', async () => {
    const more = [
      f('h', new Float16()),
      f('fsb', new FixedSizeBinary(16)),
      f('utc', new Timestamp(TimeUnit.MICROSECOND, 'UTC')),
    ];
    await create('more_types', more);
    expect(await listed('more_types')).toEqual(more.map((x) => `${x.name}: ${x.type}`));
  });

  it.each([
    ['null', new Null()],
    ['dictionary', new Dictionary(new Utf8(), new Int32())],
    ['large string', new LargeUtf8()],
    ['date64', new DateMillisecond()],
    ['decimal256', new Decimal(2, 40, 256)],
    ['a fixed-size list of nullable elements', new FixedSizeList(2, f('item', new Float32(), true))],
    ['a fixed-size list of strings', new FixedSizeList(2, f('item', new Utf8(), false))],
    ['a fixed-size list over a cell', new FixedSizeList(40_000, f('item', new Float64(), false))],
    ['a list of a refused type', new List(f('item', new LargeUtf8()))],
  ])('refuses %s with 400 TabularUnsupportedColumnType', async (_, type) => {
    const e = await refusal(create('refused', [f('u', type)]));
    expect([e.status, e.code]).toEqual([400, 'TabularUnsupportedColumnType']);
  });

  it('refuses a fixed-size list of 0 with 400 TabularInvalidColumnTypeParam', async () => {
    const e = await refusal(create('refused', [f('u', new FixedSizeList(0, f('item', new Int64(), false)))]));
    expect([e.status, e.code]).toEqual([400, 'TabularInvalidColumnTypeParam']);
  });
});

describe('the VAST engine on a table written by another tool', () => {
  const VEC = new FixedSizeList(2, new Field('item', new Float32(), false));
  const TAGS = new List(new Field('item', new Utf8()));
  const ST = new Struct([f('x', new Int16()), f('y', new Utf8())]);
  const NS = new Timestamp(TimeUnit.NANOSECOND);
  const OTHER = [
    f('id', new Int64(), false),
    f('label', new Utf8()),
    f('vec', VEC),
    f('tags', TAGS),
    f('st', ST),
    f('ns', NS),
    f('small', new Uint8()),
  ];

  /** Rows as another tool writes them (Arrow JS's own builders). */
  function otherRows(): Uint8Array {
    const columns = [
      vectorFromArray([1n, 2n], new Int64()),
      vectorFromArray(['one', null], new Utf8()),
      vectorFromArray([new Float32Array([0.5, 1.5]), new Float32Array([2, 3])], VEC),
      vectorFromArray([['a', 'b'], null], TAGS),
      vectorFromArray(
        [
          { x: 1, y: 'p' },
          { x: null, y: 'q' },
        ],
        ST,
      ),
      new Vector([
        makeData({ type: NS, length: 2, data: new BigInt64Array([1n, 1_767_225_600_000_000_123n]) }),
      ]),
      vectorFromArray([7, 255], new Uint8()),
    ];
    const table = new Table(Object.fromEntries(OTHER.map((x, i) => [x.name, columns[i] as Vector])));
    return tableToIPC(table, 'stream');
  }

  it('reads, inserts and updates its own columns, leaving the others as they were', async () => {
    await create('other', OTHER);
    await client.transport.request({
      method: 'POST',
      path: `/${vast.bucket}/s/other`,
      query: [['rows']],
      body: otherRows(),
    });
    const engine = testEngine(vast, 's');
    const db = await TableManager.open(engine, [
      {
        name: 'other',
        columns: [
          { name: 'id', type: 'int64', nullable: false },
          { name: 'label', type: 'string' },
        ],
      },
    ]);
    try {
      expect(await db.select('other', { orderBy: [{ column: 'id' }] })).toEqual([
        { id: 1n, label: 'one' },
        { id: 2n, label: null },
      ]);
      await db.update('other', where(col('id').eq(2n)), { label: 'two' });
      await db.insert('other', [{ id: 3n, label: 'three' }]);
      expect(
        await db.select('other', { where: where(col('id').in([2n, 3n])), orderBy: [{ column: 'id' }] }),
      ).toEqual([
        { id: 2n, label: 'two' },
        { id: 3n, label: 'three' },
      ]);
    } finally {
      await db.close();
    }
    // The other columns, as the fake keeps them (fake.cells.ts): untouched by the update, null in
    // the engine's new row.
    const rows = vast.store.committed.tables.get('s/other')?.rows.all() ?? [];
    const { $row_id: _, ...second } = rows[1] ?? {};
    expect(second).toEqual({
      id: 2n,
      label: 'two',
      vec: '[2,3]',
      tags: null,
      st: '[null,"q"]',
      ns: 1_767_225_600_000_000_123n,
      small: 255,
    });
    expect(rows[2]).toMatchObject({ id: 3n, vec: null, tags: null, st: null, ns: null, small: null });
  });
});

/** The column streams of a QueryData answer, each read by Arrow JS (its own reading of the IPC). */
function answerColumns(body: Uint8Array): Table[] {
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const columns: Table[] = [];
  let messages: Uint8Array[] = [];
  for (let at = 0; at + 4 <= body.byteLength; ) {
    if (view.getUint32(at, true) >= 0xfffffffd) break; // completed or failed
    const prefix = readPrefix(view, at + 12, body.byteLength - at - 12);
    if (!prefix) throw new Error('cut short');
    const start = at + 12 + prefix.prefixLength;
    const meta = prefix.metadataLength === 0 ? null : readMetaAt(view, start, start + prefix.metadataLength);
    const end = start + prefix.metadataLength + (meta?.bodyLength ?? 0);
    messages.push(body.subarray(at + 12, end));
    if (meta === null) {
      columns.push(tableFromIPC(concatBytes(messages)));
      messages = [];
    }
    at = end;
  }
  return columns;
}

describe('fake VAST: a timestamp column named in another unit', () => {
  it("answers in the column's own unit and compares in the request's", async () => {
    const ns = new Timestamp(TimeUnit.NANOSECOND);
    await create('nanos', [f('id', new Int64()), f('at', ns)]);
    const values = new BigInt64Array([1_000_000_001_500n, 2_000_000_000_999n, -1_500n]);
    const rows = new Table({
      id: vectorFromArray([1n, 2n, 3n], new Int64()),
      at: new Vector([makeData({ type: ns, length: 3, data: values })]),
    });
    await client.transport.request({
      method: 'POST',
      path: `/${vast.bucket}/s/nanos`,
      query: [['rows']],
      body: tableToIPC(rows, 'stream'),
    });
    // As the engine names it: timestamp[us]; a literal in microseconds.
    const { body } = buildQueryRequest({
      fields: [
        { name: 'id', type: 'int64', nullable: true },
        { name: 'at', type: 'timestamp_us', nullable: true },
      ],
      where: { all: [{ column: 'at', any: [{ op: 'ge', value: 1_000_000_001n }] }] },
    });
    const r = await client.transport.request({
      method: 'GET',
      path: `/${vast.bucket}/s/nanos`,
      query: [['data']],
      body,
    });
    const [ids, at] = answerColumns(r.body);
    expect(String(at?.schema.fields[0]?.type)).toBe('Timestamp<NANOSECOND>');
    expect(ids?.getChildAt(0)?.toArray()).toEqual(new BigInt64Array([1n, 2n]));
    expect(Array.from(at?.getChildAt(0)?.data[0]?.values as BigInt64Array)).toEqual([
      1_000_000_001_500n,
      2_000_000_000_999n,
    ]);
  });
});
