import { Builder, type Offset } from 'flatbuffers';
import { FbTable, LAYOUT } from './wire.fb.ts';

/**
 * VAST's tabular catalog messages (fbs/tabular.fbs): create-schema requests, list-schemas and
 * list-tables responses, table stats. Decoders for the engine, encoders for the fake server; both
 * agree with VAST's SDK (wire.catalog.test.ts). Absent strings decode as '' and absent numbers as
 * 0, as the SDK's readers do; the encoders always write name, properties and handle, because the
 * SDK's `_parse_table_info` fails on a missing one.
 */

/** A schema or a table as listed. */
export interface ObjectDetails {
  readonly name: string;
  readonly properties: string;
  readonly handle: string;
  readonly numRows: bigint;
  readonly sizeInBytes: bigint;
  readonly numPartitions: bigint;
  readonly sortingKeyEnabled: boolean;
  /** The low 63 bits of the wire's sorting_score... */
  readonly sortingScore: bigint;
  /** ...and its top bit. */
  readonly sortingDone: boolean;
  readonly writeAmplification: bigint;
  /** `acummulative_row_inserition_count` on the wire. */
  readonly rowInsertionCount: bigint;
}
export type TableDetails = ObjectDetails;
export type SchemaDetails = ObjectDetails;
/** What an encoder needs: a name; everything else defaults to ''/0/false. */
export type ObjectDetailsInput = Pick<ObjectDetails, 'name'> & Partial<ObjectDetails>;

export interface ListSchemasResponse {
  readonly bucketName: string;
  readonly schemas: readonly ObjectDetails[];
}
export interface ListTablesResponse {
  readonly bucketName: string;
  readonly schemaName: string;
  readonly tables: readonly ObjectDetails[];
}
export interface VipRange {
  readonly startAddress: string;
  readonly addressCount: number;
}
export interface VectorIndexMetadata {
  readonly columnName: string;
  readonly distanceMetric: string;
  readonly sqlFunctionName: string;
}
export interface TableStats {
  readonly numRows: bigint;
  readonly sizeInBytes: bigint;
  readonly isExternalRowidAlloc: boolean;
  readonly addressType: string;
  readonly vips: readonly VipRange[];
  readonly sortingKeyEnabled: boolean;
  readonly sortingScore: bigint;
  readonly sortingDone: boolean;
  readonly writeAmplification: bigint;
  readonly rowInsertionCount: bigint;
  readonly vectorIndex: VectorIndexMetadata | null;
}
export type TableStatsInput = Partial<TableStats>;

const OD = LAYOUT['tabular.ObjectDetails'];
const LS = LAYOUT['tabular.ListSchemasResponse'];
const LT = LAYOUT['tabular.ListTablesResponse'];
const VIP = LAYOUT['tabular.VipRange'];
const VIM = LAYOUT['tabular.VectorIndexMetadata'];
const ST = LAYOUT['tabular.GetTableStatsResponse'];
const CS = LAYOUT['tabular.CreateSchemaRequest'];

const TOP_BIT = 1n << 63n;
const LOW_63 = TOP_BIT - 1n;
const score = (raw: bigint) => ({ sortingScore: raw & LOW_63, sortingDone: (raw & TOP_BIT) !== 0n });
const rawScore = (s: bigint | undefined, done: boolean | undefined) =>
  BigInt.asIntN(64, (s ?? 0n) | (done ? TOP_BIT : 0n));

function finish(b: Builder, root: Offset): Uint8Array {
  b.finish(root);
  return b.asUint8Array().slice();
}

function vector(b: Builder, offsets: readonly Offset[]): Offset {
  b.startVector(4, offsets.length, 4);
  for (let i = offsets.length - 1; i >= 0; i--) b.addOffset(offsets[i] as Offset);
  return b.endVector();
}

export function encodeCreateSchemaRequest(properties = ''): Uint8Array {
  const b = new Builder(64);
  const p = b.createString(properties);
  b.startObject(1);
  b.addFieldOffset(CS.properties, p, 0);
  return finish(b, b.endObject());
}

export function decodeCreateSchemaRequest(body: Uint8Array): { properties: string } {
  return { properties: FbTable.root(body).str(CS.properties) ?? '' };
}

function buildDetails(b: Builder, d: ObjectDetailsInput): Offset {
  const name = b.createString(d.name);
  const properties = b.createString(d.properties ?? '');
  const handle = b.createString(d.handle ?? '');
  b.startObject(10);
  b.addFieldOffset(OD.name, name, 0);
  b.addFieldOffset(OD.properties, properties, 0);
  b.addFieldOffset(OD.handle, handle, 0);
  b.addFieldInt64(OD.num_rows, d.numRows ?? 0n, 0n);
  b.addFieldInt64(OD.size_in_bytes, d.sizeInBytes ?? 0n, 0n);
  b.addFieldInt64(OD.num_partitions, d.numPartitions ?? 0n, 0n);
  b.addFieldInt8(OD.sorting_key_enabled, d.sortingKeyEnabled ? 1 : 0, 0);
  b.addFieldInt64(OD.sorting_score, rawScore(d.sortingScore, d.sortingDone), 0n);
  b.addFieldInt64(OD.write_amplification, d.writeAmplification ?? 0n, 0n);
  b.addFieldInt64(OD.acummulative_row_inserition_count, d.rowInsertionCount ?? 0n, 0n);
  return b.endObject();
}

function readDetails(t: FbTable): ObjectDetails {
  return {
    name: t.str(OD.name) ?? '',
    properties: t.str(OD.properties) ?? '',
    handle: t.str(OD.handle) ?? '',
    numRows: t.u64(OD.num_rows),
    sizeInBytes: t.u64(OD.size_in_bytes),
    numPartitions: t.u64(OD.num_partitions),
    sortingKeyEnabled: t.bool(OD.sorting_key_enabled),
    ...score(t.i64(OD.sorting_score)),
    writeAmplification: t.i64(OD.write_amplification),
    rowInsertionCount: t.i64(OD.acummulative_row_inserition_count),
  };
}

export function encodeListSchemasResponse(r: {
  bucketName: string;
  schemas: readonly ObjectDetailsInput[];
}): Uint8Array {
  const b = new Builder(256);
  const bucket = b.createString(r.bucketName);
  const schemas = vector(
    b,
    r.schemas.map((d) => buildDetails(b, d)),
  );
  b.startObject(2);
  b.addFieldOffset(LS.bucket_name, bucket, 0);
  b.addFieldOffset(LS.schemas, schemas, 0);
  return finish(b, b.endObject());
}

export function decodeListSchemasResponse(body: Uint8Array): ListSchemasResponse {
  const t = FbTable.root(body);
  return { bucketName: t.str(LS.bucket_name) ?? '', schemas: t.tables(LS.schemas).map(readDetails) };
}

export function encodeListTablesResponse(r: {
  bucketName: string;
  schemaName: string;
  tables: readonly ObjectDetailsInput[];
}): Uint8Array {
  const b = new Builder(256);
  const bucket = b.createString(r.bucketName);
  const schema = b.createString(r.schemaName);
  const tables = vector(
    b,
    r.tables.map((d) => buildDetails(b, d)),
  );
  b.startObject(3);
  b.addFieldOffset(LT.bucket_name, bucket, 0);
  b.addFieldOffset(LT.schema_name, schema, 0);
  b.addFieldOffset(LT.tables, tables, 0);
  return finish(b, b.endObject());
}

export function decodeListTablesResponse(body: Uint8Array): ListTablesResponse {
  const t = FbTable.root(body);
  return {
    bucketName: t.str(LT.bucket_name) ?? '',
    schemaName: t.str(LT.schema_name) ?? '',
    tables: t.tables(LT.tables).map(readDetails),
  };
}

export function encodeTableStats(s: TableStatsInput): Uint8Array {
  const b = new Builder(128);
  const vipOffsets = (s.vips ?? []).map((v) => {
    const address = b.createString(v.startAddress);
    b.startObject(2);
    b.addFieldOffset(VIP.start_address, address, 0);
    b.addFieldInt16(VIP.address_count, v.addressCount, 0);
    return b.endObject();
  });
  const vips = s.vips === undefined ? 0 : vector(b, vipOffsets);
  const addressType = s.addressType === undefined ? 0 : b.createString(s.addressType);
  let vectorIndex = 0;
  if (s.vectorIndex) {
    const column = b.createString(s.vectorIndex.columnName);
    const metric = b.createString(s.vectorIndex.distanceMetric);
    const fn = b.createString(s.vectorIndex.sqlFunctionName);
    b.startObject(3);
    b.addFieldOffset(VIM.column_name, column, 0);
    b.addFieldOffset(VIM.distance_metric, metric, 0);
    b.addFieldOffset(VIM.sql_function_name, fn, 0);
    vectorIndex = b.endObject();
  }
  b.startObject(10);
  b.addFieldInt64(ST.num_rows, s.numRows ?? 0n, 0n);
  b.addFieldInt64(ST.size_in_bytes, s.sizeInBytes ?? 0n, 0n);
  b.addFieldInt8(ST.is_external_rowid_alloc, s.isExternalRowidAlloc ? 1 : 0, 0);
  b.addFieldOffset(ST.address_type, addressType, 0);
  b.addFieldOffset(ST.vips, vips, 0);
  b.addFieldInt8(ST.sorting_key_enabled, s.sortingKeyEnabled ? 1 : 0, 0);
  b.addFieldInt64(ST.sorting_score, rawScore(s.sortingScore, s.sortingDone), 0n);
  b.addFieldInt64(ST.write_amplification, s.writeAmplification ?? 0n, 0n);
  b.addFieldInt64(ST.acummulative_row_inserition_count, s.rowInsertionCount ?? 0n, 0n);
  b.addFieldOffset(ST.vector_index_metadata, vectorIndex, 0);
  return finish(b, b.endObject());
}

export function decodeTableStats(body: Uint8Array): TableStats {
  const t = FbTable.root(body);
  const vim = t.table(ST.vector_index_metadata);
  return {
    numRows: t.i64(ST.num_rows),
    sizeInBytes: t.i64(ST.size_in_bytes),
    isExternalRowidAlloc: t.bool(ST.is_external_rowid_alloc),
    addressType: t.str(ST.address_type) ?? '',
    vips: t.tables(ST.vips).map((v) => ({
      startAddress: v.str(VIP.start_address) ?? '',
      addressCount: v.u16(VIP.address_count),
    })),
    sortingKeyEnabled: t.bool(ST.sorting_key_enabled),
    ...score(t.i64(ST.sorting_score)),
    writeAmplification: t.i64(ST.write_amplification),
    rowInsertionCount: t.i64(ST.acummulative_row_inserition_count),
    vectorIndex:
      vim === null
        ? null
        : {
            columnName: vim.str(VIM.column_name) ?? '',
            distanceMetric: vim.str(VIM.distance_metric) ?? '',
            sqlFunctionName: vim.str(VIM.sql_function_name) ?? '',
          },
  };
}
