import { Builder, type Offset } from 'flatbuffers';
import { WireFormatError } from './wire.errors.ts';
import { FbTable, LAYOUT, UNIONS } from './wire.fb.ts';
import {
  buildArrowField,
  buildArrowSchema,
  nameBytes,
  readArrowFieldType,
  readArrowSchema,
} from './wire.fields.ts';
import type { QueryRequest, WireExpr, WireField, WireType } from './wire.types.ts';

/**
 * Builders and readers of the ComputeIR tables of a QueryData body (fbs/computeir.fbs): a
 * Relation holding one Source{name, filter, schema, projection}. Tables are built in the order
 * VAST's SDK builds them (`Predicate.build_*`, `build_query_data_request`), which makes our bodies
 * identical to the SDK's, byte for byte (wire.sdk-query.test.ts holds us to it).
 */

const REL = LAYOUT['computeir.Relation'];
const SRC = LAYOUT['computeir.Source'];
const EXPR = LAYOUT['computeir.Expression'];
const CALL = LAYOUT['computeir.Call'];
const REF = LAYOUT['computeir.FieldRef'];
const IDX = LAYOUT['computeir.FieldIndex'];
const LIT = LAYOUT['computeir.Literal'];
const VALUE = 0; // the `value` slot of every XxxLiteral table
const EXPR_KIND = UNIONS['computeir.ExpressionImpl'];
const LIT_KIND = UNIONS['computeir.LiteralImpl'];

/** A literal value in its wire form; utf8 also takes raw bytes (prefix range bounds). */
export type LiteralValue = string | Uint8Array | bigint | number | boolean;

/** One builder for every body, cleared before each: its buffer is not grown again each time. */
const builder = new Builder(4096);

function expression(b: Builder, kind: number, impl: Offset): Offset {
  b.startObject(2);
  b.addFieldInt8(EXPR.impl_type, kind, 0);
  b.addFieldOffset(EXPR.impl, impl, 0);
  return b.endObject();
}

function fieldIndex(b: Builder, position: number): Offset {
  b.startObject(1);
  b.addFieldInt32(IDX.position, position, 0);
  return b.endObject();
}

/** Expression{FieldRef{FieldIndex{position}}}. */
export function buildFieldRef(b: Builder, position: number): Offset {
  const index = fieldIndex(b, position);
  b.startObject(3);
  b.addFieldInt8(REF.ref_type, UNIONS['computeir.Deref'].FieldIndex, 0);
  b.addFieldOffset(REF.ref, index, 0);
  return expression(b, EXPR_KIND.FieldRef, b.endObject());
}

function offsetVector(b: Builder, offsets: readonly Offset[]): Offset {
  b.startVector(4, offsets.length, 4);
  for (let i = offsets.length - 1; i >= 0; i--) b.addOffset(offsets[i] as Offset);
  return b.endVector();
}

/** Expression{Call{name, arguments}}. */
export function buildCall(b: Builder, name: string, args: readonly Offset[]): Offset {
  const nameOffset = b.createString(nameBytes(name));
  const argsOffset = offsetVector(b, args);
  b.startObject(3);
  b.addFieldOffset(CALL.name, nameOffset, 0);
  b.addFieldOffset(CALL.arguments, argsOffset, 0);
  return expression(b, EXPR_KIND.Call, b.endObject());
}

function literalImpl(b: Builder, type: WireType, value: LiteralValue): [Offset, number] {
  const bad = () => new WireFormatError(`a ${type} literal cannot hold ${typeof value} ${String(value)}`);
  if (type === 'utf8') {
    if (typeof value !== 'string' && !(value instanceof Uint8Array)) throw bad();
    const s = b.createString(value);
    b.startObject(1);
    b.addFieldOffset(VALUE, s, 0);
    return [b.endObject(), LIT_KIND.StringLiteral];
  }
  b.startObject(1);
  switch (type) {
    case 'bool':
      if (typeof value !== 'boolean') throw bad();
      b.addFieldInt8(VALUE, value ? 1 : 0, 0);
      return [b.endObject(), LIT_KIND.BooleanLiteral];
    case 'int32':
      if (typeof value !== 'number' || !Number.isInteger(value)) throw bad();
      b.addFieldInt32(VALUE, value, 0);
      return [b.endObject(), LIT_KIND.Int32Literal];
    case 'float64':
      if (typeof value !== 'number') throw bad();
      b.addFieldFloat64(VALUE, value, 0);
      return [b.endObject(), LIT_KIND.Float64Literal];
    case 'int64':
    case 'uint64':
    case 'timestamp_us': {
      if (typeof value !== 'bigint') throw bad();
      b.addFieldInt64(VALUE, value, 0n);
      const kind = { int64: LIT_KIND.Int64Literal, uint64: LIT_KIND.UInt64Literal };
      return [b.endObject(), type === 'timestamp_us' ? LIT_KIND.TimestampLiteral : kind[type]];
    }
  }
}

/** Expression{Literal{impl, type}}, typed by the column it is compared with (its Field, unnamed). */
export function buildLiteral(b: Builder, column: WireField, value: LiteralValue): Offset {
  const [impl, kind] = literalImpl(b, column.type, value);
  const type = buildArrowField(b, column, false);
  b.startObject(3);
  b.addFieldInt8(LIT.impl_type, kind, 0);
  b.addFieldOffset(LIT.impl, impl, 0);
  b.addFieldOffset(LIT.type, type, 0);
  return expression(b, EXPR_KIND.Literal, b.endObject());
}

/**
 * Finishes a QueryData body. `build` adds the filter (it runs after the schema, as in the SDK) and
 * returns its Expression offset.
 */
export function buildRelation(
  fields: readonly WireField[],
  projection: readonly number[],
  build: (b: Builder) => Offset,
): Uint8Array {
  const b = builder;
  b.clear();
  const name = b.createString(''); // required, and empty for VAST
  const schema = buildArrowSchema(b, fields);
  const filter = build(b);
  const projectionVector = offsetVector(
    b,
    projection.map((p) => fieldIndex(b, p)),
  );
  b.startObject(5);
  b.addFieldOffset(SRC.name, name, 0);
  b.addFieldOffset(SRC.schema, schema, 0);
  b.addFieldOffset(SRC.filter, filter, 0);
  b.addFieldOffset(SRC.projection, projectionVector, 0);
  const source = b.endObject();
  b.startObject(2);
  b.addFieldInt8(REL.impl_type, UNIONS['computeir.RelationImpl'].Source, 0);
  b.addFieldOffset(REL.impl, source, 0);
  b.finish(b.endObject());
  return b.asUint8Array().slice();
}

/** Reads a QueryData body (the fake server and the golden comparisons use it). */
export function readRelation(body: Uint8Array): QueryRequest {
  const rel = FbTable.root(body);
  if (rel.u8(REL.impl_type) !== UNIONS['computeir.RelationImpl'].Source) {
    throw new WireFormatError(`the relation is not a Source (impl_type ${rel.u8(REL.impl_type)})`);
  }
  const src = need(rel.table(REL.impl), 'Relation.impl');
  const schema = need(src.table(SRC.schema), 'Source.schema');
  const fields = readArrowSchema(schema);
  const projection = src.tables(SRC.projection).map((t) => t.u32(IDX.position));
  for (const p of projection) {
    if (p >= fields.length) throw new WireFormatError(`projection position ${p} is outside the schema`);
  }
  const filter = readExpr(need(src.table(SRC.filter), 'Source.filter'), fields.length, 0);
  return { fields, projection, filter };
}

function need(t: FbTable | null, what: string): FbTable {
  if (t === null) throw new WireFormatError(`${what} is missing`);
  return t;
}

/** Deeper trees than this are refused rather than risking the stack (ours are at most 4 deep). */
const MAX_DEPTH = 64;

function readExpr(e: FbTable, fieldCount: number, depth: number): WireExpr {
  if (depth > MAX_DEPTH) throw new WireFormatError('expression nested too deeply');
  const impl = need(e.table(EXPR.impl), 'Expression.impl');
  switch (e.u8(EXPR.impl_type)) {
    case EXPR_KIND.Call: {
      const name = impl.str(CALL.name);
      if (name === null) throw new WireFormatError('a Call has no name');
      const args = impl.tables(CALL.arguments).map((a) => readExpr(a, fieldCount, depth + 1));
      return { kind: 'call', name, args };
    }
    case EXPR_KIND.FieldRef: {
      if (impl.u8(REF.ref_type) !== UNIONS['computeir.Deref'].FieldIndex) {
        throw new WireFormatError(`a FieldRef is not a FieldIndex (ref_type ${impl.u8(REF.ref_type)})`);
      }
      const position = need(impl.table(REF.ref), 'FieldRef.ref').u32(IDX.position);
      if (position >= fieldCount)
        throw new WireFormatError(`field position ${position} is outside the schema`);
      return { kind: 'field', position };
    }
    case EXPR_KIND.Literal:
      return readLiteral(impl);
    default:
      throw new WireFormatError(`expression kind ${e.u8(EXPR.impl_type)} is not used`);
  }
}

function readLiteral(lit: FbTable): WireExpr {
  const { type } = readArrowFieldType(need(lit.table(LIT.type), 'Literal.type'));
  const kind = lit.u8(LIT.impl_type);
  const impl = need(lit.table(LIT.impl), 'Literal.impl');
  const expected: Record<WireType, number> = {
    utf8: LIT_KIND.StringLiteral,
    bool: LIT_KIND.BooleanLiteral,
    int32: LIT_KIND.Int32Literal,
    int64: LIT_KIND.Int64Literal,
    uint64: LIT_KIND.UInt64Literal,
    float64: LIT_KIND.Float64Literal,
    timestamp_us: LIT_KIND.TimestampLiteral,
  };
  if (kind !== expected[type])
    throw new WireFormatError(`literal kind ${kind} does not match its ${type} type`);
  switch (type) {
    case 'utf8':
      return { kind: 'literal', type, value: decodeStringBound(impl.strBytes(VALUE) ?? new Uint8Array()) };
    case 'bool':
      return { kind: 'literal', type, value: impl.bool(VALUE) };
    case 'int32':
      return { kind: 'literal', type, value: impl.i32(VALUE) };
    case 'float64':
      return { kind: 'literal', type, value: impl.f64(VALUE) };
    case 'uint64':
      return { kind: 'literal', type, value: impl.u64(VALUE) };
    case 'int64':
    case 'timestamp_us':
      return { kind: 'literal', type, value: impl.i64(VALUE) };
  }
}

/**
 * A string literal's text. The upper bound of a prefix range (the prefix with its last byte plus
 * one, as VAST's SDK computes it) is not valid UTF-8 when that byte was 0x7F or 0xBF; such a bound
 * reads as the prefix with its last code point replaced by the next one, which orders the same
 * against every valid string. Other invalid text decodes with U+FFFD replacements.
 */
export function decodeStringBound(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const last = bytes[bytes.length - 1];
    if (last === 0x80 || last === 0xc0) {
      const before = bytes.slice();
      before[before.length - 1] = last - 1;
      try {
        const s = new TextDecoder('utf-8', { fatal: true }).decode(before);
        const cps = [...s];
        const cp = (cps.pop() as string).codePointAt(0) as number;
        const next = cp === 0xd7ff ? 0xe000 : cp + 1;
        if (next <= 0x10ffff) return cps.join('') + String.fromCodePoint(next);
      } catch {
        // not a prefix bound after all
      }
    }
    return new TextDecoder('utf-8').decode(bytes);
  }
}
