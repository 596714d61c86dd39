import { Bool } from 'apache-arrow/fb/bool';
import { Field } from 'apache-arrow/fb/field';
import { FloatingPoint } from 'apache-arrow/fb/floating-point';
import { Int } from 'apache-arrow/fb/int';
import { Precision } from 'apache-arrow/fb/precision';
import { Schema } from 'apache-arrow/fb/schema';
import { TimeUnit } from 'apache-arrow/fb/time-unit';
import { Timestamp } from 'apache-arrow/fb/timestamp';
import { Type } from 'apache-arrow/fb/type';
import { Utf8 } from 'apache-arrow/fb/utf8';
import type { Builder, Offset } from 'flatbuffers';
import { WireFormatError } from './wire.errors.ts';
import type { FbTable } from './wire.fb.ts';
import type { WireField, WireType } from './wire.types.ts';

/**
 * Arrow `Field`/`Schema` FlatBuffer tables (Arrow's format/Schema.fbs, through apache-arrow's
 * generated classes) for the engine's wire types: the QueryData request schema and the `type` of
 * each ComputeIR literal. Built in the order VAST's SDK builds them (`build_field`,
 * `get_field_type`), so that our bodies are byte for byte the SDK's.
 */

/**
 * UTF-8 of the strings every body repeats (function and column names): flatbuffers' createString
 * encodes a string with a TextEncoder call each time, given bytes it copies them as they are.
 */
const names = new Map<string, Uint8Array>();
const encoder = new TextEncoder();

export function nameBytes(name: string): Uint8Array {
  let bytes = names.get(name);
  if (bytes === undefined) {
    if (names.size >= 4096) names.clear();
    bytes = encoder.encode(name);
    names.set(name, bytes);
  }
  return bytes;
}

/** The type table of a field; returns its offset and its `Type` discriminant. */
function buildType(b: Builder, type: WireType): [Offset, Type] {
  switch (type) {
    case 'int64':
    case 'int32':
    case 'uint64':
      Int.startInt(b);
      Int.addBitWidth(b, type === 'int32' ? 32 : 64);
      Int.addIsSigned(b, type !== 'uint64');
      return [Int.endInt(b), Type.Int];
    case 'float64':
      FloatingPoint.startFloatingPoint(b);
      FloatingPoint.addPrecision(b, Precision.DOUBLE);
      return [FloatingPoint.endFloatingPoint(b), Type.FloatingPoint];
    case 'utf8':
      Utf8.startUtf8(b);
      return [Utf8.endUtf8(b), Type.Utf8];
    case 'bool':
      Bool.startBool(b);
      return [Bool.endBool(b), Type.Bool];
    case 'timestamp_us':
      // No time zone: zone-aware timestamps need VAST 5.4+.
      Timestamp.startTimestamp(b);
      Timestamp.addUnit(b, TimeUnit.MICROSECOND);
      return [Timestamp.endTimestamp(b), Type.Timestamp];
  }
}

/** An Arrow Field; a literal's type goes without its name (ComputeIR requires so). */
export function buildArrowField(b: Builder, field: WireField, withName: boolean): Offset {
  const name = withName ? b.createString(nameBytes(field.name)) : 0;
  const [type, typeType] = buildType(b, field.type);
  Field.startField(b);
  if (withName) Field.addName(b, name);
  Field.addNullable(b, field.nullable);
  Field.addTypeType(b, typeType);
  Field.addType(b, type);
  return Field.endField(b);
}

/** An Arrow Schema holding just these fields (little-endian, no metadata). */
export function buildArrowSchema(b: Builder, fields: readonly WireField[]): Offset {
  const offsets = fields.map((f) => buildArrowField(b, f, true));
  const vector = Schema.createFieldsVector(b, offsets);
  Schema.startSchema(b);
  Schema.addFields(b, vector);
  return Schema.endSchema(b);
}

/** The wire type of an Arrow Field table; anything the engine does not use is refused. */
export function readArrowFieldType(t: FbTable): { type: WireType; nullable: boolean; name: string | null } {
  const f = new Field().__init(t.pos, t.bb);
  const name = f.name();
  const nullable = f.nullable();
  const what = `field ${name === null ? '(unnamed)' : JSON.stringify(name)}`;
  switch (f.typeType()) {
    case Type.Int: {
      const i = f.type(new Int()) as Int | null;
      const bits = i?.bitWidth() ?? 0;
      const signed = i?.isSigned() ?? false;
      if (bits === 64 && signed) return { type: 'int64', nullable, name };
      if (bits === 32 && signed) return { type: 'int32', nullable, name };
      if (bits === 64 && !signed) return { type: 'uint64', nullable, name };
      throw new WireFormatError(`${what}: ${signed ? '' : 'u'}int${bits} is not a type the engine uses`);
    }
    case Type.FloatingPoint: {
      const p = (f.type(new FloatingPoint()) as FloatingPoint | null)?.precision();
      if (p === Precision.DOUBLE) return { type: 'float64', nullable, name };
      throw new WireFormatError(`${what}: only double precision floats are used`);
    }
    case Type.Utf8:
      return { type: 'utf8', nullable, name };
    case Type.Bool:
      return { type: 'bool', nullable, name };
    case Type.Timestamp: {
      const ts = f.type(new Timestamp()) as Timestamp | null;
      if (ts?.unit() === TimeUnit.MICROSECOND && ts.timezone() === null) {
        return { type: 'timestamp_us', nullable, name };
      }
      throw new WireFormatError(`${what}: only timestamp[us] without a time zone is used`);
    }
    default:
      throw new WireFormatError(`${what}: Arrow type ${Type[f.typeType()] ?? f.typeType()} is not used`);
  }
}

/** The fields of an Arrow Schema table, all named. */
export function readArrowSchema(t: FbTable): WireField[] {
  // Fields vector: slot 1 of Arrow's Schema (endianness, fields, custom_metadata, features).
  return t.tables(1).map((ft, i) => {
    const { type, nullable, name } = readArrowFieldType(ft);
    if (name === null) throw new WireFormatError(`schema field ${i} has no name`);
    return { name, type, nullable };
  });
}
