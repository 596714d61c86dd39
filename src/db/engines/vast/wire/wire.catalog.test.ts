import { readFileSync } from 'node:fs';
import { Builder } from 'flatbuffers';
import { describe, expect, it } from 'vitest';
import {
  decodeCreateSchemaRequest,
  decodeListSchemasResponse,
  decodeListTablesResponse,
  decodeTableStats,
  encodeCreateSchemaRequest,
  encodeListSchemasResponse,
  encodeListTablesResponse,
  encodeTableStats,
  type ObjectDetails,
  type ObjectDetailsInput,
} from './wire.catalog.ts';
import { WireFormatError } from './wire.errors.ts';

/**
 * sdk-catalog.json (test/support/db/engines/vast/wire/fixtures/): catalog messages built with the
 * generated builders of VAST's SDK (vastdb 2.0.14) and checked there with its generated readers and
 * `_parse_table_info`. Decoding them here, and encoding the same values to the same bytes, shows
 * both directions agree with it.
 */
const fx = JSON.parse(
  readFileSync(
    new URL('../../../../../test/support/db/engines/vast/wire/fixtures/sdk-catalog.json', import.meta.url),
    'utf8',
  ),
  (_k, v) => (v !== null && typeof v === 'object' && '$bigint' in v ? BigInt(v.$bigint) : v),
);
const bytes = (h: string) => Uint8Array.from(Buffer.from(h, 'hex'));
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** Fills the defaults the decoder reports for fields the message leaves out. */
function details(d: ObjectDetailsInput): ObjectDetails {
  return {
    properties: '',
    handle: '',
    numRows: 0n,
    sizeInBytes: 0n,
    numPartitions: 0n,
    sortingKeyEnabled: false,
    sortingScore: 0n,
    sortingDone: false,
    writeAmplification: 0n,
    rowInsertionCount: 0n,
    ...d,
  };
}

describe('catalog messages agree with VAST SDK 2.0.14', () => {
  it('CreateSchemaRequest, as VastdbApi.create_schema builds it', () => {
    for (const c of [fx.createSchemaEmpty, fx.createSchema]) {
      expect(hex(encodeCreateSchemaRequest(c.properties))).toBe(c.sdkHex);
      expect(decodeCreateSchemaRequest(bytes(c.sdkHex))).toEqual({ properties: c.properties });
    }
    expect(hex(encodeCreateSchemaRequest())).toBe(fx.createSchemaEmpty.sdkHex);
  });

  it('ListSchemasResponse', () => {
    const c = fx.listSchemas;
    expect(decodeListSchemasResponse(bytes(c.sdkHex))).toEqual({
      bucketName: 'db',
      schemas: c.schemas.map(details),
    });
    expect(hex(encodeListSchemasResponse(c))).toBe(c.sdkHex);
  });

  it('ListTablesResponse, with full uint64 sizes and the sorting bit', () => {
    const c = fx.listTables;
    const decoded = decodeListTablesResponse(bytes(c.sdkHex));
    expect(decoded).toEqual({ bucketName: 'db', schemaName: 'tams', tables: c.tables.map(details) });
    expect(decoded.tables[0]?.sizeInBytes).toBe(2n ** 64n - 1n);
    expect(decoded.tables[1]).toMatchObject({
      sortingScore: 77n,
      sortingDone: true,
      rowInsertionCount: 2n ** 50n,
    });
    expect(hex(encodeListTablesResponse(c))).toBe(c.sdkHex);
  });

  it('GetTableStatsResponse', () => {
    for (const c of [fx.tableStats, fx.sortedTableStats]) {
      const { sdkHex, ...values } = c;
      const decoded = decodeTableStats(bytes(sdkHex));
      expect(decoded).toMatchObject(values);
      expect(hex(encodeTableStats(values))).toBe(sdkHex);
    }
    expect(decodeTableStats(bytes(fx.tableStats.sdkHex))).toEqual({
      numRows: 12345678901n,
      sizeInBytes: 987654321n,
      isExternalRowidAlloc: true,
      addressType: 'ipv4',
      vips: [{ startAddress: '172.16.0.1', addressCount: 8 }],
      sortingKeyEnabled: false,
      sortingScore: 0n,
      sortingDone: false,
      writeAmplification: 0n,
      rowInsertionCount: 0n,
      vectorIndex: null,
    });
  });
});

describe('catalog codec', () => {
  it('round-trips what the fake server will send', () => {
    const tables = [{ name: 'a' }, { name: 'ü', numRows: 3n, sortingScore: 5n, sortingDone: true }];
    expect(
      decodeListTablesResponse(encodeListTablesResponse({ bucketName: 'b', schemaName: 's', tables })),
    ).toEqual({
      bucketName: 'b',
      schemaName: 's',
      tables: tables.map(details),
    });
    expect(decodeListSchemasResponse(encodeListSchemasResponse({ bucketName: 'b', schemas: [] }))).toEqual({
      bucketName: 'b',
      schemas: [],
    });
    expect(decodeTableStats(encodeTableStats({}))).toMatchObject({
      numRows: 0n,
      vips: [],
      vectorIndex: null,
    });
  });

  it('reads absent strings as empty, as the SDK needs them present', () => {
    const b = new Builder(16);
    b.startObject(3);
    b.finish(b.endObject());
    expect(decodeListTablesResponse(b.asUint8Array())).toEqual({
      bucketName: '',
      schemaName: '',
      tables: [],
    });
  });

  it('refuses bodies that are not such messages, without reading out of bounds', () => {
    const good = encodeListTablesResponse({ bucketName: 'db', schemaName: 's', tables: [{ name: 't' }] });
    for (const bad of [new Uint8Array(), new Uint8Array([1, 2]), good.subarray(0, good.length - 12)]) {
      expect(() => decodeListTablesResponse(bad)).toThrow(WireFormatError);
    }
    const huge = new Uint8Array(16);
    new DataView(huge.buffer).setUint32(0, 1 << 30, true);
    expect(() => decodeTableStats(huge)).toThrow(WireFormatError);
  });
});
