/**
 * The fake's reading of a QueryData request body (ComputeIR `Relation{Source}`, PROTOCOL.md §1.7)
 * for columns of every type VAST's SDK can query (`build_field`, `get_field_type`,
 * `Predicate.build_literal_impl`), where the engine's own decoder (wire.query.ts) knows the
 * engine's 7 types only.
 *
 * The SDK numbers every level of every field of the request schema depth first (`FieldNode`: a
 * struct, then its fields; a list, then its element; a map, then its entries struct, then key and
 * value), and names positions in that numbering: the projection lists the leaves of the columns
 * it projects, a field reference the leaf a comparison reads (a struct's field by its path, a
 * fixed-size list by its element's position, compared as a whole with a list literal). For a
 * schema of flat columns the numbering is the columns' order, as the engine assumes.
 */
import {
  Binary,
  Bool,
  DataType,
  Date_,
  Decimal,
  Field,
  FixedSizeBinary,
  FixedSizeList,
  Float,
  Int,
  List,
  Map_,
  Struct,
  Time,
  Timestamp,
  Utf8,
  util,
} from 'apache-arrow';
import { Date as FbDate } from 'apache-arrow/fb/date';
import { Decimal as FbDecimal } from 'apache-arrow/fb/decimal';
import { Field as FbField } from 'apache-arrow/fb/field';
import { FixedSizeBinary as FbFixedSizeBinary } from 'apache-arrow/fb/fixed-size-binary';
import { FixedSizeList as FbFixedSizeList } from 'apache-arrow/fb/fixed-size-list';
import { FloatingPoint as FbFloatingPoint } from 'apache-arrow/fb/floating-point';
import { Int as FbInt } from 'apache-arrow/fb/int';
import { Time as FbTime } from 'apache-arrow/fb/time';
import { Timestamp as FbTimestamp } from 'apache-arrow/fb/timestamp';
import { Type } from 'apache-arrow/fb/type';
import { decodeStringBound } from '../../src/db/engines/vast/wire/wire.computeir.ts';
import { WireFormatError } from '../../src/db/engines/vast/wire/wire.errors.ts';
import { FbTable, LAYOUT, UNIONS } from '../../src/db/engines/vast/wire/wire.fb.ts';
import type { Tree } from './fake.cells.ts';
import { type FakeField, fakeField } from './fake.types.ts';

/** A filter as the fake evaluates it; a literal holds its value in the kept form (fake.cells.ts). */
export type FakeExpr =
  | { readonly kind: 'call'; readonly name: string; readonly args: readonly FakeExpr[] }
  | { readonly kind: 'field'; readonly position: number }
  | { readonly kind: 'literal'; readonly value: Tree };

/** What a field reference reads: column `column` of the request schema, then its struct fields. */
export interface Operand {
  readonly column: number;
  readonly path: readonly number[];
}

export interface FakeQuery {
  /** The request schema's columns. */
  readonly fields: readonly FakeField[];
  /** Columns projected, by index in `fields`, in order. */
  readonly projection: readonly number[];
  readonly filter: FakeExpr;
  /** Positions the filter names -> what they read; absent when positions are `fields` indexes. */
  readonly operands?: ReadonlyMap<number, Operand>;
}

const REL = LAYOUT['computeir.Relation'];
const SRC = LAYOUT['computeir.Source'];
const EXPR = LAYOUT['computeir.Expression'];
const CALL = LAYOUT['computeir.Call'];
const REF = LAYOUT['computeir.FieldRef'];
const IDX = LAYOUT['computeir.FieldIndex'];
const LIT = LAYOUT['computeir.Literal'];
const EXPR_KIND = UNIONS['computeir.ExpressionImpl'];
/** LiteralImpl (Arrow 7.0.0 experimental/computeir/Literal.fbs) beyond the engine's UNIONS. */
const LIT_KIND = {
  Boolean: 1,
  Int8: 2,
  Int16: 3,
  Int32: 4,
  Int64: 5,
  UInt8: 6,
  UInt16: 7,
  UInt32: 8,
  UInt64: 9,
  Date: 10,
  Time: 11,
  Timestamp: 12,
  Decimal: 15,
  Float16: 16,
  Float32: 17,
  Float64: 18,
  List: 19,
  String: 22,
  Binary: 23,
} as const;

const bad = (message: string) => new WireFormatError(message);

/** An Arrow field of a ComputeIR schema or literal type, any type VAST's SDK sends. */
function readField(t: FbTable): Field {
  const f = new FbField().__init(t.pos, t.bb);
  return decodeField(f, null);
}

function decodeField(f: FbField, parent: DataType | null): Field {
  const name = f.name() ?? '';
  const children: Field[] = [];
  for (let i = 0; i < f.childrenLength(); i++) {
    const c = f.children(i);
    if (c) children.push(decodeField(c, null));
  }
  // The SDK types a map's entries field as the map itself (`build_field`): it is the struct of
  // key and value whatever its type says.
  if (parent !== null && DataType.isMap(parent)) return new Field(name, new Struct(children), false);
  const type = decodeType(f, children);
  if (DataType.isMap(type)) {
    const entries = f.children(0);
    if (!entries) throw bad(`map ${name} has no entries field`);
    return new Field(name, new Map_(decodeField(entries, type)), f.nullable());
  }
  return new Field(name, type, f.nullable());
}

function decodeType(f: FbField, children: readonly Field[]): DataType {
  switch (f.typeType()) {
    case Type.Int: {
      const t = f.type(new FbInt()) as FbInt;
      return new Int(t.isSigned(), t.bitWidth() as 8 | 16 | 32 | 64);
    }
    case Type.FloatingPoint:
      return new Float((f.type(new FbFloatingPoint()) as FbFloatingPoint).precision());
    case Type.Utf8:
      return new Utf8();
    case Type.Binary:
      return new Binary();
    case Type.Bool:
      return new Bool();
    case Type.Decimal: {
      const t = f.type(new FbDecimal()) as FbDecimal;
      return new Decimal(t.scale(), t.precision(), t.bitWidth());
    }
    case Type.Date:
      return new Date_((f.type(new FbDate()) as FbDate).unit());
    case Type.Time: {
      const t = f.type(new FbTime()) as FbTime;
      return new Time(t.unit(), t.bitWidth() as 32 | 64);
    }
    case Type.Timestamp: {
      const t = f.type(new FbTimestamp()) as FbTimestamp;
      return new Timestamp(t.unit(), t.timezone());
    }
    case Type.FixedSizeBinary:
      return new FixedSizeBinary((f.type(new FbFixedSizeBinary()) as FbFixedSizeBinary).byteWidth());
    case Type.List:
      return new List(need(children[0], 'a list element'));
    case Type.FixedSizeList:
      return new FixedSizeList(
        (f.type(new FbFixedSizeList()) as FbFixedSizeList).listSize(),
        need(children[0], 'a fixed-size list element'),
      );
    case Type.Struct_:
      return new Struct([...children]);
    case Type.Map:
      return new Map_(need(children[0], 'map entries'));
    default:
      throw bad(`Arrow type ${Type[f.typeType()] ?? f.typeType()} is not one VAST's SDK queries`);
  }
}

function need<T>(v: T | null | undefined, what: string): T {
  if (v === null || v === undefined) throw bad(`${what} is missing`);
  return v;
}

/** Where a scalar slot of `t` lies, or 0 when absent (FbTable's reads cover fewer widths). */
function slot(t: FbTable, index: number, size: number): number {
  const vtable = t.pos - t.bb.readInt32(t.pos);
  const at = 4 + 2 * index;
  if (at >= t.bb.readInt16(vtable)) return 0;
  const rel = t.bb.readInt16(vtable + at);
  if (rel === 0) return 0;
  if (t.pos + rel + size > t.bb.capacity()) throw bad('literal out of bounds');
  return t.pos + rel;
}

/** A byte vector in slot `index` of `t`. */
function bytesAt(t: FbTable, index: number): Uint8Array {
  return t.strBytes(index) ?? new Uint8Array(0);
}

function literal(lit: FbTable, depth: number): Tree {
  const type = readField(need(lit.table(LIT.type), 'Literal.type')).type;
  const impl = need(lit.table(LIT.impl), 'Literal.impl');
  const bb = impl.bb;
  const at = (size: number) => slot(impl, 0, size);
  const read = <T>(size: number, get: (p: number) => T, zero: T): T => {
    const p = at(size);
    return p === 0 ? zero : get(p);
  };
  const kind = lit.u8(LIT.impl_type);
  switch (kind) {
    case LIT_KIND.Boolean:
      return impl.bool(0);
    case LIT_KIND.Int8:
      return read(1, (p) => bb.readInt8(p), 0);
    case LIT_KIND.Int16:
      return read(2, (p) => bb.readInt16(p), 0);
    case LIT_KIND.Int32:
      return impl.i32(0);
    case LIT_KIND.UInt8:
      return impl.u8(0);
    case LIT_KIND.UInt16:
      return impl.u16(0);
    case LIT_KIND.UInt32:
      return impl.u32(0);
    case LIT_KIND.Int64:
    case LIT_KIND.Timestamp:
      return impl.i64(0);
    case LIT_KIND.UInt64:
      return impl.u64(0);
    case LIT_KIND.Date:
      return Number(impl.i64(0));
    case LIT_KIND.Time:
      // A time32 column keeps numbers, a time64 one bigints (fake.cells.ts).
      return (type as Time).bitWidth === 32 ? Number(impl.i64(0)) : impl.i64(0);
    case LIT_KIND.Float16:
      return util.uint16ToFloat64(impl.u16(0));
    case LIT_KIND.Float32:
      return read(4, (p) => bb.readFloat32(p), 0);
    case LIT_KIND.Float64:
      return impl.f64(0);
    case LIT_KIND.Decimal: {
      const bytes = bytesAt(impl, 0);
      let v = 0n;
      for (let i = bytes.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[i] as number);
      return BigInt.asIntN(8 * bytes.length || 8, v);
    }
    case LIT_KIND.String:
      return decodeStringBound(bytesAt(impl, 0));
    case LIT_KIND.Binary:
      return String.fromCharCode(...bytesAt(impl, 0));
    case LIT_KIND.List:
      if (depth > 4) throw bad('list literal nested too deeply');
      return impl.tables(0).map((l) => literal(l, depth + 1));
    default:
      throw bad(`literal kind ${kind} is not one VAST's SDK sends`);
  }
}

/** Deeper trees than this are refused rather than risking the stack (the SDK's are 4 deep). */
const MAX_DEPTH = 64;

function expression(e: FbTable, nodes: number, depth: number): FakeExpr {
  if (depth > MAX_DEPTH) throw bad('expression nested too deeply');
  const impl = need(e.table(EXPR.impl), 'Expression.impl');
  switch (e.u8(EXPR.impl_type)) {
    case EXPR_KIND.Call: {
      const name = impl.str(CALL.name);
      if (name === null) throw bad('a Call has no name');
      return {
        kind: 'call',
        name,
        args: impl.tables(CALL.arguments).map((a) => expression(a, nodes, depth + 1)),
      };
    }
    case EXPR_KIND.FieldRef: {
      if (impl.u8(REF.ref_type) !== UNIONS['computeir.Deref'].FieldIndex)
        throw bad('a FieldRef is not a FieldIndex');
      const position = need(impl.table(REF.ref), 'FieldRef.ref').u32(IDX.position);
      if (position >= nodes) throw bad(`field position ${position} is outside the schema`);
      return { kind: 'field', position };
    }
    case EXPR_KIND.Literal:
      return { kind: 'literal', value: literal(impl, 0) };
    default:
      throw bad(`expression kind ${e.u8(EXPR.impl_type)} is not used`);
  }
}

interface Node {
  readonly column: number;
  readonly path: readonly number[];
  readonly type: DataType;
  readonly leaf: boolean;
  /** The node is the element of a fixed-size list: a reference to it reads the whole list. */
  readonly inFixedList: boolean;
}

/** Every level of every column, in the SDK's depth-first numbering. */
function number(fields: readonly Field[]): Node[] {
  const nodes: Node[] = [];
  const walk = (column: number, path: number[], type: DataType, inFixedList: boolean) => {
    const kids = type.children ?? [];
    nodes.push({ column, path, type, leaf: kids.length === 0, inFixedList });
    kids.forEach((k, i) => {
      walk(column, [...path, i], k.type, DataType.isFixedSizeList(type));
    });
  };
  fields.forEach((f, i) => {
    walk(i, [], f.type, false);
  });
  return nodes;
}

/** Reads a QueryData body. */
export function readQuery(body: Uint8Array): FakeQuery {
  const rel = FbTable.root(body);
  if (rel.u8(REL.impl_type) !== UNIONS['computeir.RelationImpl'].Source)
    throw bad('the relation is not a Source');
  const src = need(rel.table(REL.impl), 'Relation.impl');
  const schema = need(src.table(SRC.schema), 'Source.schema');
  const arrow = schema.tables(1).map(readField);
  arrow.forEach((f, i) => {
    if (f.name === '') throw bad(`schema field ${i} has no name`);
  });
  const nodes = number(arrow);
  const projection: number[] = [];
  for (const t of src.tables(SRC.projection)) {
    const node = nodes[t.u32(IDX.position)];
    if (node === undefined) throw bad(`projection position ${t.u32(IDX.position)} is outside the schema`);
    if (!projection.includes(node.column)) projection.push(node.column);
  }
  const filter = expression(need(src.table(SRC.filter), 'Source.filter'), nodes.length, 0);
  const fields = arrow.map(fakeField);
  if (nodes.length === arrow.length) return { fields, projection, filter };
  const operands = new Map<number, Operand>();
  const collect = (e: FakeExpr) => {
    if (e.kind === 'call') e.args.forEach(collect);
    if (e.kind !== 'field') return;
    const node = nodes[e.position] as Node;
    if (!node.leaf)
      throw bad(`a predicate on a nested column (position ${e.position}) cannot be pushed down`);
    // A fixed-size list's element stands for the list (compared with a list literal).
    const path = node.inFixedList ? node.path.slice(0, -1) : node.path;
    operands.set(e.position, { column: node.column, path });
  };
  collect(filter);
  return { fields, projection, filter, operands };
}
