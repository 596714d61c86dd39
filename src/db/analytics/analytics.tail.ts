import { open, unlink } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';

const CHUNK = 256 * 1024;
/** How long the reader waits for the writer to add bytes (or to create the file). */
const POLL_MS = 20;

/**
 * The bytes of a file another party is writing, streamed while it grows: read to the current
 * end, wait a moment, read again, until the writer has finished (`done` settled) and the end is
 * reached; its failure fails the stream. The file is removed once the stream ends, is destroyed
 * (a client gone), or fails. Bytes are read from disk and handed on: the export is never whole in
 * memory, and the first bytes leave while the writer is still at work.
 */
export function tailFile(path: string, done: Promise<unknown>): Readable {
  let finished = false;
  let failure: unknown;
  done.then(
    () => {
      finished = true;
    },
    (error: unknown) => {
      finished = true;
      failure = error ?? new Error('export failed');
    },
  );
  async function* read(): AsyncGenerator<Buffer> {
    let handle: Awaited<ReturnType<typeof open>> | undefined;
    let position = 0;
    try {
      for (;;) {
        // Whether the writer had finished before this read: then a read finding nothing is the end.
        const ended = finished;
        if (failure !== undefined) throw failure;
        if (handle === undefined) {
          handle = await open(path, 'r').catch((error: NodeJS.ErrnoException) => {
            if (error.code === 'ENOENT') return undefined;
            throw error;
          });
          if (handle === undefined) {
            if (ended) throw new Error('the export wrote no file');
            await sleep(POLL_MS);
            continue;
          }
        }
        const buffer = Buffer.allocUnsafe(CHUNK);
        const { bytesRead } = await handle.read(buffer, 0, CHUNK, position);
        if (bytesRead > 0) {
          position += bytesRead;
          yield buffer.subarray(0, bytesRead);
          continue;
        }
        if (ended) return;
        await sleep(POLL_MS);
      }
    } finally {
      await handle?.close();
      const remove = () => unlink(path).catch(() => undefined);
      await remove();
      // A reader gone before the writer made the file: the file is removed once the writer ends.
      if (!finished) void done.then(remove, remove);
    }
  }
  return Readable.from(read(), { objectMode: false });
}
