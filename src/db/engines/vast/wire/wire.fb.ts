import { ByteBuffer } from 'flatbuffers';

/**
 * Slot numbers of the FlatBuffers tables the VAST engine reads or writes, as laid out in
 * fbs/computeir.fbs and fbs/tabular.fbs (a union field takes two slots: its type, then its value).
 * Hand-written accessors rather than flatc output: the set is small, the Arrow Schema/Field tables
 * come from apache-arrow's own generated classes, and no generator has to be pinned and re-run.
 * wire.fbs.test.ts checks every entry here against the .fbs files.
 */
import { WireFormatError } from './wire.errors.ts';
export const LAYOUT = {
  'computeir.Relation': { impl_type: 0, impl: 1 },
  'computeir.Source': { id: 0, name: 1, filter: 2, schema: 3, projection: 4 },
  'computeir.Expression': { impl_type: 0, impl: 1 },
  'computeir.Call': { name: 0, arguments: 1, orderings: 2 },
  'computeir.FieldRef': { ref_type: 0, ref: 1, relation_index: 2 },
  'computeir.FieldIndex': { position: 0 },
  'computeir.Literal': { impl_type: 0, impl: 1, type: 2 },
  'computeir.BooleanLiteral': { value: 0 },
  'computeir.Int32Literal': { value: 0 },
  'computeir.Int64Literal': { value: 0 },
  'computeir.UInt64Literal': { value: 0 },
  'computeir.Float64Literal': { value: 0 },
  'computeir.TimestampLiteral': { value: 0 },
  'computeir.StringLiteral': { value: 0 },
  'tabular.ObjectDetails': {
    name: 0,
    properties: 1,
    handle: 2,
    num_rows: 3,
    size_in_bytes: 4,
    num_partitions: 5,
    sorting_key_enabled: 6,
    sorting_score: 7,
    write_amplification: 8,
    acummulative_row_inserition_count: 9,
  },
  'tabular.ListSchemasResponse': { bucket_name: 0, schemas: 1 },
  'tabular.ListTablesResponse': { bucket_name: 0, schema_name: 1, tables: 2 },
  'tabular.VipRange': { start_address: 0, address_count: 1 },
  'tabular.VectorIndexMetadata': { column_name: 0, distance_metric: 1, sql_function_name: 2 },
  'tabular.GetTableStatsResponse': {
    num_rows: 0,
    size_in_bytes: 1,
    is_external_rowid_alloc: 2,
    address_type: 3,
    vips: 4,
    sorting_key_enabled: 5,
    sorting_score: 6,
    write_amplification: 7,
    acummulative_row_inserition_count: 8,
    vector_index_metadata: 9,
  },
  'tabular.CreateSchemaRequest': { properties: 0 },
} as const;

/** Union discriminants (fbs/computeir.fbs), checked by wire.fbs.test.ts as LAYOUT is. */
export const UNIONS = {
  'computeir.RelationImpl': { Source: 9 },
  'computeir.ExpressionImpl': { Literal: 1, FieldRef: 2, Call: 3 },
  'computeir.Deref': { FieldIndex: 5 },
  'computeir.LiteralImpl': {
    BooleanLiteral: 1,
    Int32Literal: 4,
    Int64Literal: 5,
    UInt64Literal: 9,
    TimestampLiteral: 12,
    Float64Literal: 18,
    StringLiteral: 22,
  },
} as const;

/** A body that is not the FlatBuffer it should be (truncated, out-of-range offsets, wrong kinds). */
/**
 * A table inside a buffer being read. Every offset is checked against the buffer's bounds before
 * it is followed, so a malformed body gives a WireFormatError rather than garbage or a huge loop.
 */
export class FbTable {
  constructor(
    readonly bb: ByteBuffer,
    readonly pos: number,
  ) {
    const vtable = pos - bb.readInt32(checkRange(bb, pos, 4));
    checkRange(bb, vtable, 4);
    const size = bb.readInt16(vtable);
    if (size < 4 || size % 2 !== 0) throw new WireFormatError(`bad vtable at ${vtable}`);
    checkRange(bb, vtable, size);
    this.vtable = vtable;
    this.vtableSize = size;
  }

  private readonly vtable: number;
  private readonly vtableSize: number;

  /** The root table of a finished buffer. */
  static root(bytes: Uint8Array): FbTable {
    const bb = new ByteBuffer(bytes);
    return new FbTable(bb, bb.readInt32(checkRange(bb, 0, 4)));
  }

  /** Absolute position of a slot's value, or 0 when the slot is absent. */
  private at(slot: number, size: number): number {
    const vo = 4 + 2 * slot;
    if (vo >= this.vtableSize) return 0;
    const rel = this.bb.readInt16(this.vtable + vo);
    return rel === 0 ? 0 : checkRange(this.bb, this.pos + rel, size);
  }

  has(slot: number): boolean {
    return this.at(slot, 1) !== 0;
  }
  bool(slot: number): boolean {
    const p = this.at(slot, 1);
    return p !== 0 && this.bb.readUint8(p) !== 0;
  }
  u8(slot: number): number {
    const p = this.at(slot, 1);
    return p === 0 ? 0 : this.bb.readUint8(p);
  }
  u16(slot: number): number {
    const p = this.at(slot, 2);
    return p === 0 ? 0 : this.bb.readUint16(p);
  }
  i32(slot: number): number {
    const p = this.at(slot, 4);
    return p === 0 ? 0 : this.bb.readInt32(p);
  }
  u32(slot: number): number {
    const p = this.at(slot, 4);
    return p === 0 ? 0 : this.bb.readUint32(p);
  }
  i64(slot: number): bigint {
    const p = this.at(slot, 8);
    return p === 0 ? 0n : this.bb.readInt64(p);
  }
  u64(slot: number): bigint {
    const p = this.at(slot, 8);
    return p === 0 ? 0n : this.bb.readUint64(p);
  }
  f64(slot: number): number {
    const p = this.at(slot, 8);
    return p === 0 ? 0 : this.bb.readFloat64(p);
  }

  /** Where an offset field points (a table, vector or string), or 0 when absent. */
  private target(slot: number): number {
    const p = this.at(slot, 4);
    return p === 0 ? 0 : checkRange(this.bb, p + this.bb.readUint32(p), 4);
  }

  strBytes(slot: number): Uint8Array | null {
    const p = this.target(slot);
    if (p === 0) return null;
    const len = this.bb.readUint32(p);
    checkRange(this.bb, p + 4, len);
    return this.bb.bytes().subarray(p + 4, p + 4 + len);
  }
  str(slot: number): string | null {
    const bytes = this.strBytes(slot);
    return bytes === null ? null : new TextDecoder().decode(bytes);
  }
  table(slot: number): FbTable | null {
    const p = this.target(slot);
    return p === 0 ? null : new FbTable(this.bb, p);
  }
  /** A vector of tables; empty when absent. */
  tables(slot: number): FbTable[] {
    const p = this.target(slot);
    if (p === 0) return [];
    const n = this.bb.readUint32(p);
    checkRange(this.bb, p + 4, n * 4);
    const out: FbTable[] = [];
    for (let i = 0; i < n; i++) {
      const e = p + 4 + 4 * i;
      out.push(new FbTable(this.bb, checkRange(this.bb, e + this.bb.readUint32(e), 4)));
    }
    return out;
  }
}

function checkRange(bb: ByteBuffer, pos: number, size: number): number {
  if (!Number.isInteger(pos) || pos < 0 || size < 0 || pos + size > bb.capacity()) {
    throw new WireFormatError(`offset ${pos} (+${size}) is outside the ${bb.capacity()}-byte body`);
  }
  return pos;
}
