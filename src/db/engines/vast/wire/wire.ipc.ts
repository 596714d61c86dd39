import { HEADER_DICTIONARY_BATCH, HEADER_RECORD_BATCH, HEADER_SCHEMA, readMessage } from './wire.arrowfb.ts';
import { WireFormatError } from './wire.errors.ts';

/**
 * Encapsulated Arrow IPC messages (the Arrow columnar format, "Encapsulated message format"):
 * `0xFFFFFFFF` continuation, int32 LE metadata length (flatbuffer plus padding to 8 bytes), the
 * `Message` flatbuffer, then `bodyLength` bytes of body. End-of-stream is the continuation and a
 * zero length. Pre-1.0 writers left the continuation out (a bare int32 length; EOS = 4 zero
 * bytes); readers here accept both, as pyarrow does.
 */

export const CONTINUATION = 0xffffffff;
/** The end-of-stream marker every current writer (pyarrow, Arrow JS) appends to a stream. */
export const EOS = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]);

export type MessageKind = 'schema' | 'batch' | 'dictionary' | 'eos' | 'other';

export interface MessagePrefix {
  /** Bytes of the prefix: 8 with the continuation marker, 4 without. */
  readonly prefixLength: number;
  /** Flatbuffer length including its padding; 0 for EOS. */
  readonly metadataLength: number;
}

/**
 * Reads the prefix of a message starting at `offset` of `view`, or null when fewer than the 4 or
 * 8 bytes it needs are there.
 */
export function readPrefix(view: DataView, offset: number, available: number): MessagePrefix | null {
  if (available < 4) return null;
  const first = view.getUint32(offset, true);
  if (first !== CONTINUATION) {
    if (first > 0x7fffffff) throw new WireFormatError(`bad IPC message length ${first}`);
    return { prefixLength: 4, metadataLength: first };
  }
  if (available < 8) return null;
  const length = view.getInt32(offset + 4, true);
  if (length < 0) throw new WireFormatError(`bad IPC message length ${length}`);
  return { prefixLength: 8, metadataLength: length };
}

export interface MessageMeta {
  readonly kind: MessageKind;
  readonly bodyLength: number;
}

/** Reads the kind and body length from a `Message` flatbuffer (without its prefix). */
export function readMeta(metadata: Uint8Array): MessageMeta {
  return readMetaAt(
    new DataView(metadata.buffer, metadata.byteOffset, metadata.byteLength),
    0,
    metadata.byteLength,
  );
}

/** The same for the flatbuffer at [start, end) of `view`. */
export function readMetaAt(view: DataView, start: number, end: number): MessageMeta {
  const { headerType, bodyLength } = readMessage(view, start, end);
  if (!(bodyLength >= 0)) throw new WireFormatError(`bad IPC body length ${bodyLength}`);
  return { kind: kindOf(headerType), bodyLength };
}

function kindOf(header: number): MessageKind {
  switch (header) {
    case HEADER_SCHEMA:
      return 'schema';
    case HEADER_RECORD_BATCH:
      return 'batch';
    case HEADER_DICTIONARY_BATCH:
      return 'dictionary';
    default:
      return 'other';
  }
}

/** Wraps a `Message` flatbuffer (and its body) into an encapsulated message, padded as Arrow does. */
export function encapsulate(metadata: Uint8Array, body?: Uint8Array): Uint8Array {
  const padded = (metadata.byteLength + 8 + 7) & ~7;
  const out = new Uint8Array(padded + (body?.byteLength ?? 0));
  const view = new DataView(out.buffer);
  view.setUint32(0, CONTINUATION, true);
  view.setInt32(4, padded - 8, true);
  out.set(metadata, 8);
  if (body) out.set(body, padded);
  return out;
}

export interface SplitMessage {
  readonly kind: MessageKind;
  /** The whole encapsulated message (prefix, metadata, body): a view into the input. */
  readonly bytes: Uint8Array;
  /** The metadata flatbuffer alone: a view into the input. */
  readonly metadata: Uint8Array;
}

/** Splits a complete IPC stream into its messages, EOS included when present. */
export function splitMessages(stream: Uint8Array): SplitMessage[] {
  const view = new DataView(stream.buffer, stream.byteOffset, stream.byteLength);
  const out: SplitMessage[] = [];
  let offset = 0;
  while (offset < stream.byteLength) {
    const prefix = readPrefix(view, offset, stream.byteLength - offset);
    if (!prefix) throw new WireFormatError('IPC stream ends inside a message prefix');
    const start = offset;
    offset += prefix.prefixLength;
    if (prefix.metadataLength === 0) {
      out.push({
        kind: 'eos',
        bytes: stream.subarray(start, offset),
        metadata: stream.subarray(offset, offset),
      });
      break;
    }
    const metaEnd = offset + prefix.metadataLength;
    if (metaEnd > stream.byteLength) throw new WireFormatError('IPC stream ends inside message metadata');
    const metadata = stream.subarray(offset, metaEnd);
    const meta = readMeta(metadata);
    const end = metaEnd + meta.bodyLength;
    if (end > stream.byteLength) throw new WireFormatError('IPC stream ends inside a message body');
    out.push({ kind: meta.kind, bytes: stream.subarray(start, end), metadata });
    offset = end;
  }
  return out;
}

/** Concatenates byte arrays into one. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let total = 0;
  for (const p of parts) total += p.byteLength;
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}
