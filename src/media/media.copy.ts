import type { Readable } from 'node:stream';
import type { MediaStore } from './media.types.ts';

/** An object's bytes as a stream, with what a copy of it needs. */
export interface ObjectStream {
  body: Readable;
  size: number;
  contentType?: string;
}

/**
 * What a backend offers beside MediaStore for the copies the server makes of objects (TAMS 8.2
 * controlled object instances, ADR 0038): the bytes as a stream, a write from one, and where the
 * backend can, a copy made by the storage itself without the bytes passing through the server.
 */
export interface ObjectCopying {
  /** The object's bytes; null when there is none at `path`. */
  readStream(path: string): Promise<ObjectStream | null>;
  /** Stores the stream at `path`; an object already there with the same size is taken as this copy. */
  writeStream(path: string, source: ObjectStream): Promise<void>;
  /**
   * Copies `from` (a key of backend `source`) to `to` here within the storage (S3 CopyObject on
   * the same endpoint); false where it cannot, and the caller streams the bytes instead.
   */
  copyFrom?(source: MediaStore, from: string, to: string): Promise<boolean>;
}

/** The backend's copying, where it has it (fs and S3 do). */
export function copyingOf(store: MediaStore): (MediaStore & ObjectCopying) | undefined {
  const offered = store as MediaStore & Partial<ObjectCopying>;
  return typeof offered.readStream === 'function' && typeof offered.writeStream === 'function'
    ? (offered as MediaStore & ObjectCopying)
    : undefined;
}

/**
 * Copies object `from` of backend `source` to `to` of backend `target`: within the storage where
 * the target can (`server-side`), else streamed through this process, never held whole in memory.
 */
export async function copyObject(
  source: MediaStore,
  from: string,
  target: MediaStore,
  to: string,
): Promise<'server-side' | 'streamed'> {
  const writer = copyingOf(target);
  const reader = copyingOf(source);
  if (!writer) throw new Error(`storage backend ${target.descriptor.id} cannot take copies`);
  if (writer.copyFrom && (await writer.copyFrom(source, from, to))) return 'server-side';
  if (!reader) throw new Error(`storage backend ${source.descriptor.id} cannot be copied from`);
  const stream = await reader.readStream(from);
  if (!stream) throw new Error(`object ${from} is not in storage backend ${source.descriptor.id}`);
  try {
    await writer.writeStream(to, stream);
  } finally {
    stream.body.destroy();
  }
  return 'streamed';
}
