import {
  Bool,
  type DataType,
  Field,
  Float64,
  Int32,
  Int64,
  Message,
  Schema,
  TimestampMicrosecond,
  Uint64,
  Utf8,
} from 'apache-arrow';
import type { Field as FbField } from 'apache-arrow/fb/field';
import { FloatingPoint as FbFloatingPoint } from 'apache-arrow/fb/floating-point';
import { Int as FbInt } from 'apache-arrow/fb/int';
import { Message as FbMessage } from 'apache-arrow/fb/message';
import { MessageHeader } from 'apache-arrow/fb/message-header';
import { Precision } from 'apache-arrow/fb/precision';
import { Schema as FbSchema } from 'apache-arrow/fb/schema';
import { TimeUnit } from 'apache-arrow/fb/time-unit';
import { Timestamp as FbTimestamp } from 'apache-arrow/fb/timestamp';
import { Type } from 'apache-arrow/fb/type';
import { ByteBuffer } from 'flatbuffers';
import { WireFormatError } from './wire.errors.ts';
import { encapsulate, readPrefix } from './wire.ipc.ts';
import type { WireField, WireType } from './wire.types.ts';

/**
 * A column of a decoded schema whose Arrow type the engine does not use (a table made by someone
 * else: lists, decimals, zoned timestamps...). It is reported, never decoded: skip it.
 */
export interface ForeignField {
  readonly name: string;
  readonly type: 'foreign';
  readonly nullable: boolean;
  /** The Arrow type as text, for messages: `Int(16, signed)`, `List`, `Timestamp(MICROSECOND, UTC)`. */
  readonly arrowType: string;
}
export type DecodedField = WireField | ForeignField;

export function isWireField(field: DecodedField): field is WireField {
  return field.type !== 'foreign';
}

export function arrowTypeOf(type: WireType): DataType {
  switch (type) {
    case 'utf8':
      return new Utf8();
    case 'int64':
      return new Int64();
    case 'int32':
      return new Int32();
    case 'float64':
      return new Float64();
    case 'bool':
      return new Bool();
    case 'timestamp_us':
      return new TimestampMicrosecond();
    case 'uint64':
      return new Uint64();
  }
}

export function toArrowSchema(fields: readonly WireField[]): Schema {
  return new Schema(fields.map((f) => new Field(f.name, arrowTypeOf(f.type), f.nullable)));
}

/**
 * The body of create table, add column and drop column: what `pa.Schema.serialize()` gives, one
 * encapsulated Schema message (continuation, int32 length, flatbuffer padded so the message is a
 * multiple of 8 bytes) with no body and NO end-of-stream marker after it.
 */
export function encodeSchemaMessage(fields: readonly WireField[]): Uint8Array {
  return encapsulate(Message.encode(Message.from(toArrowSchema(fields))));
}

/** Decodes a body made by `encodeSchemaMessage` or `pa.Schema.serialize()` (the fake's side). */
export function decodeSchemaMessage(body: Uint8Array): DecodedField[] {
  const { fields, end } = readSchemaAt(body);
  if (end !== body.byteLength) {
    throw new WireFormatError(`${body.byteLength - end} bytes after the schema message`);
  }
  return fields;
}

/**
 * The schema of an IPC stream (the list-columns response: only the stream's schema counts, as in
 * the SDK's `pa.ipc.open_stream(body).schema`); what follows the schema message is not read.
 */
export function decodeStreamSchema(body: Uint8Array): DecodedField[] {
  return readSchemaAt(body).fields;
}

/** Reads the schema message at `offset`: its fields and the offset just after it. */
export function readSchemaAt(body: Uint8Array, offset = 0): { fields: DecodedField[]; end: number } {
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const prefix = readPrefix(view, offset, body.byteLength - offset);
  if (!prefix || prefix.metadataLength === 0) throw new WireFormatError('no schema message');
  const start = offset + prefix.prefixLength;
  const end = start + prefix.metadataLength;
  if (end > body.byteLength) throw new WireFormatError('schema message cut short');
  const fields = decodeSchemaMetadata(body.subarray(start, end));
  return { fields, end };
}

/**
 * Fields of a `Message` flatbuffer holding a Schema, read straight off the flatbuffer rather than
 * through Arrow JS's schema decoder, which throws on types it does not know.
 */
export function decodeSchemaMetadata(metadata: Uint8Array): DecodedField[] {
  try {
    const message = FbMessage.getRootAsMessage(new ByteBuffer(metadata));
    if (message.headerType() !== MessageHeader.Schema) {
      throw new WireFormatError(`expected a schema message, got header type ${message.headerType()}`);
    }
    const schema: FbSchema | null = message.header(new FbSchema());
    if (!schema) throw new WireFormatError('schema message without a schema');
    const out: DecodedField[] = [];
    for (let i = 0; i < schema.fieldsLength(); i++) {
      const field = schema.fields(i);
      if (field) out.push(decodeField(field));
    }
    return out;
  } catch (err) {
    if (err instanceof WireFormatError) throw err;
    throw new WireFormatError('unreadable schema message', { cause: err });
  }
}

function decodeField(field: FbField): DecodedField {
  const name = field.name() ?? '';
  const nullable = field.nullable();
  const known = field.dictionary() ? null : wireTypeOf(field);
  if (typeof known === 'string') return { name, type: known, nullable };
  return { name, type: 'foreign', nullable, arrowType: known?.text ?? `Dictionary<${typeText(field)}>` };
}

function wireTypeOf(field: FbField): WireType | { text: string } {
  switch (field.typeType()) {
    case Type.Utf8:
      return 'utf8';
    case Type.Bool:
      return 'bool';
    case Type.Int: {
      const t: FbInt = field.type(new FbInt());
      if (t.bitWidth() === 64) return t.isSigned() ? 'int64' : 'uint64';
      if (t.bitWidth() === 32 && t.isSigned()) return 'int32';
      break;
    }
    case Type.FloatingPoint: {
      const t: FbFloatingPoint = field.type(new FbFloatingPoint());
      if (t.precision() === Precision.DOUBLE) return 'float64';
      break;
    }
    case Type.Timestamp: {
      const t: FbTimestamp = field.type(new FbTimestamp());
      if (t.unit() === TimeUnit.MICROSECOND && !t.timezone()) return 'timestamp_us';
      break;
    }
  }
  return { text: typeText(field) };
}

function typeText(field: FbField): string {
  const kind = Type[field.typeType()] ?? `Type#${field.typeType()}`;
  switch (field.typeType()) {
    case Type.Int: {
      const t: FbInt = field.type(new FbInt());
      return `Int(${t.bitWidth()}, ${t.isSigned() ? 'signed' : 'unsigned'})`;
    }
    case Type.FloatingPoint:
      return `FloatingPoint(${Precision[(field.type(new FbFloatingPoint()) as FbFloatingPoint).precision()]})`;
    case Type.Timestamp: {
      const t: FbTimestamp = field.type(new FbTimestamp());
      const tz = t.timezone();
      return `Timestamp(${TimeUnit[t.unit()]}${tz ? `, ${tz}` : ''})`;
    }
    default:
      return kind;
  }
}
