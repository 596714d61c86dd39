import { createHash, randomUUID } from 'node:crypto';
import { type FileHandle, mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Readable } from 'node:stream';
import { type ObjectMeta, writeMeta } from './fs.meta.ts';
import { tempFile } from './fs.paths.ts';

/** The body exceeded the backend's maximum object size. */
export class ObjectTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`objects are limited to ${limit} bytes`);
    this.name = 'ObjectTooLargeError';
  }
}

/** The path is taken by a directory, or a parent of it by an object. */
export class PathConflictError extends Error {
  constructor(path: string) {
    super(`storage path ${path} conflicts with an existing object or directory`);
    this.name = 'PathConflictError';
  }
}

const CONFLICT_CODES = new Set(['EISDIR', 'ENOTDIR', 'EEXIST', 'ENOTEMPTY']);

function isConflict(error: unknown): boolean {
  return CONFLICT_CODES.has((error as NodeJS.ErrnoException).code ?? '');
}

async function writeAll(handle: FileHandle, chunk: Buffer): Promise<void> {
  let offset = 0;
  while (offset < chunk.length) {
    const { bytesWritten } = await handle.write(chunk, offset);
    offset += bytesWritten;
  }
}

/**
 * Streams `source` into `target` atomically: the bytes go to a temp file next to the target
 * (same filesystem), are fsynced, and only then renamed into place, so readers see the old
 * object or the new one and a failed or aborted upload leaves nothing behind. The MD5 (the
 * ETag) and the size limit are applied while streaming; nothing is buffered whole.
 */
export async function writeAtomically(
  target: string,
  contentType: string,
  source: Readable,
  maxBytes: number,
): Promise<ObjectMeta> {
  try {
    await mkdir(dirname(target), { recursive: true });
  } catch (error) {
    throw isConflict(error) ? new PathConflictError(target) : error;
  }
  const tmp = tempFile(target, randomUUID());
  const handle = await open(tmp, 'wx', 0o644);
  let renamed = false;
  try {
    const hash = createHash('md5');
    let size = 0;
    for await (const chunk of source as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > maxBytes) throw new ObjectTooLargeError(maxBytes);
      hash.update(chunk);
      await writeAll(handle, chunk);
    }
    // A 200 tells the client the object exists; it must survive a crash right after.
    await handle.sync();
    const stat = await handle.stat({ bigint: true });
    const meta: ObjectMeta = { contentType, size, etag: `"${hash.digest('hex')}"`, ino: stat.ino.toString() };
    await writeMeta(target, meta);
    try {
      await rename(tmp, target);
    } catch (error) {
      throw isConflict(error) ? new PathConflictError(target) : error;
    }
    renamed = true;
    return meta;
  } finally {
    await handle.close();
    if (!renamed) await rm(tmp, { force: true });
  }
}
