import { Readable } from 'node:stream';
import { NotFoundError } from '../common/errors.ts';
import { copyingOf, type ObjectStream } from '../media/media.copy.ts';
import type { MediaRegistry } from '../media/media.registry.ts';
import type { ExportPart } from './export.plan.ts';

/** Opens an object's bytes as a stream; null when the backend has no object at the path. */
export type OpenObject = (part: ExportPart) => Promise<ObjectStream | null>;

/** Objects read through their backend's streaming read (fs: a file stream; S3: one GetObject). */
export function objectOpener(media: MediaRegistry): OpenObject {
  return async (part) => {
    const reader = media.get(part.storageId);
    const copying = reader && copyingOf(reader);
    if (!copying) throw new Error(`storage backend ${part.storageId} cannot stream objects`);
    return copying.readStream(part.path);
  };
}

async function* concatenated(parts: readonly ExportPart[], open: OpenObject): AsyncGenerator<Buffer> {
  for (const part of parts) {
    const object = await open(part);
    if (object === null) {
      throw new NotFoundError(
        `Object ${part.objectId} (segment ${part.timerange}) has no bytes in storage backend ${part.storageId}`,
      );
    }
    let read = 0;
    try {
      for await (const chunk of object.body) {
        const bytes = chunk as Buffer;
        read += bytes.length;
        yield bytes;
      }
    } finally {
      // Ends the read where the consumer went away (the client left): a file closed, an S3 GET aborted.
      object.body.destroy();
    }
    // A backend's stream that ends early without an error must not make a file that looks whole.
    if (read !== object.size) {
      throw new Error(`object ${part.objectId} ended after ${read} of its ${object.size} bytes`);
    }
  }
}

/**
 * The parts' bytes one object after another, each read as a stream when the one before has
 * ended: one object open at a time, and no more read than the consumer takes (a byte stream's
 * high-water mark ahead). Destroying it (the client went away) stops the read under way and
 * opens no other. A failure (an object missing, a backend error) errors the stream: before the
 * first byte the route answers with an error; after, the response is cut off (see the route).
 */
export function exportStream(parts: readonly ExportPart[], open: OpenObject): Readable {
  return Readable.from(concatenated(parts, open), { objectMode: false });
}
