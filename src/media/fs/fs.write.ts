import { createHash, randomUUID } from 'node:crypto';
import { type FileHandle, link, lstat, mkdir, open, rm } from 'node:fs/promises';
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

/** The path already holds an object: objects are written once. */
export class ObjectExistsError extends Error {
  constructor(path: string) {
    super(`storage path ${path} already holds an object, and objects are written once`);
    this.name = 'ObjectExistsError';
  }
}

const CONFLICT_CODES = new Set(['EISDIR', 'ENOTDIR', 'EEXIST', 'ENOTEMPTY']);

function isConflict(error: unknown): boolean {
  return CONFLICT_CODES.has((error as NodeJS.ErrnoException).code ?? '');
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await lstat(path)).isFile();
  } catch {
    return false;
  }
}

async function writeAll(handle: FileHandle, chunk: Buffer): Promise<void> {
  let offset = 0;
  while (offset < chunk.length) {
    const { bytesWritten } = await handle.write(chunk, offset);
    offset += bytesWritten;
  }
}

/**
 * Streams `source` into `target`, once: the bytes go to a temp file next to the target (same
 * filesystem), are fsynced, their sidecar is put in place, and only then is the temp file
 * hard-linked to the target. link() fails when the target exists, so the commit both publishes
 * the object atomically (readers see no object or the whole one) and refuses to replace one
 * (ObjectExistsError); rename() would silently replace it. A failed, aborted or refused upload
 * leaves nothing behind and never touches the existing object or its sidecar (sidecars are
 * named by inode). The MD5 (the ETag) and the size limit are applied while streaming; nothing is
 * buffered whole. `beforeCommit` runs last before the link and may throw to cancel the upload.
 */
export async function writeAtomically(
  target: string,
  contentType: string,
  source: Readable,
  maxBytes: number,
  beforeCommit?: () => Promise<void>,
): Promise<ObjectMeta> {
  try {
    await mkdir(dirname(target), { recursive: true });
  } catch (error) {
    throw isConflict(error) ? new PathConflictError(target) : error;
  }
  const tmp = tempFile(target, randomUUID());
  const handle = await open(tmp, 'wx', 0o644);
  let sidecar: string | undefined;
  let linked = false;
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
    sidecar = await writeMeta(target, meta);
    await beforeCommit?.();
    try {
      await link(tmp, target);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST' && (await isFile(target))) {
        throw new ObjectExistsError(target);
      }
      throw isConflict(error) ? new PathConflictError(target) : error;
    }
    linked = true;
    return meta;
  } finally {
    await handle.close();
    await rm(tmp, { force: true });
    // Only this upload's own sidecar: it is named by the inode of its temp file.
    if (!linked && sidecar !== undefined) await rm(sidecar, { force: true });
  }
}
