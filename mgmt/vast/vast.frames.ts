/**
 * A QueryData answer read frame by frame for what the cluster actually sent, independently of the
 * engine's parser (which may convert or refuse what it reads): the Arrow type of each column as
 * the answer declares it, and how the body ends (the completion marker, the failure marker, or
 * nothing), with any bytes after the marker.
 */
import type { Field as FbField } from 'apache-arrow/fb/field';
import { FloatingPoint } from 'apache-arrow/fb/floating-point';
import { Int } from 'apache-arrow/fb/int';
import { Message } from 'apache-arrow/fb/message';
import { MessageHeader } from 'apache-arrow/fb/message-header';
import { Precision } from 'apache-arrow/fb/precision';
import { Schema } from 'apache-arrow/fb/schema';
import { TimeUnit } from 'apache-arrow/fb/time-unit';
import { Timestamp } from 'apache-arrow/fb/timestamp';
import { Type } from 'apache-arrow/fb/type';
import { ByteBuffer } from 'flatbuffers';
import {
  COMPLETED_STREAM_ID,
  FAILED_STREAM_ID,
  KEEP_ALIVE_STREAM_ID,
} from '../../src/db/engines/vast/wire/wire.frames.ts';
import { readMetaAt, readPrefix } from '../../src/db/engines/vast/wire/wire.ipc.ts';

export interface FrameScan {
  /** Each column name with its Arrow type as declared, e.g. `Timestamp(MICROSECOND, no zone)`. */
  readonly columns: ReadonlyMap<string, string>;
  readonly frames: number;
  readonly end: 'completed' | 'failed' | 'none' | 'unreadable';
  /** Bytes after the completion or failure marker. */
  readonly trailing: number;
  /** Why the scan stopped early ('unreadable'). */
  readonly problem?: string;
}

/** An Arrow field's type as text. */
export function describeType(field: FbField): string {
  switch (field.typeType()) {
    case Type.Timestamp: {
      const t = field.type(new Timestamp()) as Timestamp | null;
      const unit = TimeUnit[t?.unit() ?? TimeUnit.MICROSECOND];
      const zone = t?.timezone();
      return `Timestamp(${unit}, ${zone ? `zone ${zone}` : 'no zone'})`;
    }
    case Type.Int: {
      const i = field.type(new Int()) as Int | null;
      return `${i?.isSigned() ? 'Int' : 'UInt'}${i?.bitWidth() ?? '?'}`;
    }
    case Type.FloatingPoint: {
      const f = field.type(new FloatingPoint()) as FloatingPoint | null;
      return `Float(${Precision[f?.precision() ?? Precision.DOUBLE]})`;
    }
    default:
      return Type[field.typeType()] ?? `type ${field.typeType()}`;
  }
}

function schemaColumns(metadata: Uint8Array, out: Map<string, string>): void {
  const message = Message.getRootAsMessage(new ByteBuffer(metadata));
  if (message.headerType() !== MessageHeader.Schema) return;
  const schema = message.header(new Schema()) as Schema | null;
  for (let i = 0; i < (schema?.fieldsLength() ?? 0); i++) {
    const field = schema?.fields(i);
    if (field) out.set(field.name() ?? `(column ${i})`, describeType(field));
  }
}

export function scanFrames(body: Uint8Array): FrameScan {
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const columns = new Map<string, string>();
  let at = 0;
  let frames = 0;
  try {
    while (body.byteLength - at >= 4) {
      const id = view.getUint32(at, true);
      frames++;
      if (id === KEEP_ALIVE_STREAM_ID) {
        at += 4;
        continue;
      }
      if (id === COMPLETED_STREAM_ID || id === FAILED_STREAM_ID) {
        const end = id === COMPLETED_STREAM_ID ? 'completed' : 'failed';
        return { columns, frames, end, trailing: body.byteLength - at - 4 };
      }
      const prefix = readPrefix(view, at + 12, body.byteLength - at - 12);
      if (prefix === null) throw new Error(`frame ${frames} cut short`);
      const metaStart = at + 12 + prefix.prefixLength;
      const metaEnd = metaStart + prefix.metadataLength;
      if (metaEnd > body.byteLength) throw new Error(`frame ${frames} cut short`);
      const bodyLength = prefix.metadataLength === 0 ? 0 : readMetaAt(view, metaStart, metaEnd).bodyLength;
      if (prefix.metadataLength > 0) schemaColumns(body.subarray(metaStart, metaEnd), columns);
      at = metaEnd + bodyLength;
    }
    return { columns, frames, end: 'none', trailing: 0 };
  } catch (e) {
    return {
      columns,
      frames,
      end: 'unreadable',
      trailing: 0,
      problem: e instanceof Error ? e.message : String(e),
    };
  }
}
