import { randomUUID } from 'node:crypto';
import type { BigIntStats } from 'node:fs';
import { open, readFile, rename, rm } from 'node:fs/promises';
import { sidecarFile, tempFile } from './fs.paths.ts';

/**
 * What the fs backend remembers about an object beyond its bytes, in a sidecar next to the data
 * file (`<file>~meta.json`). `ino` ties the sidecar to one version of the data file: uploads
 * rename the sidecar into place just before the data, so a reader that meets an old data file
 * with a newer sidecar (a concurrent overwrite, or a crash between the two renames) sees the
 * mismatch and falls back to DEFAULT_META instead of mislabelling the bytes.
 */
export interface ObjectMeta {
  contentType: string;
  size: number;
  /** The HTTP ETag, quotes included: the MD5 of the bytes, as S3 computes it for simple PUTs. */
  etag: string;
  ino: string;
}

export const DEFAULT_CONTENT_TYPE = 'application/octet-stream';

function isMeta(value: unknown): value is ObjectMeta {
  if (typeof value !== 'object' || value === null) return false;
  const meta = value as Record<string, unknown>;
  return (
    typeof meta.contentType === 'string' &&
    typeof meta.size === 'number' &&
    typeof meta.etag === 'string' &&
    typeof meta.ino === 'string'
  );
}

/** The sidecar of `dataPath` if it describes exactly the file whose stats are `stat`. */
export async function readMeta(dataPath: string, stat: BigIntStats): Promise<ObjectMeta | undefined> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(sidecarFile(dataPath), 'utf8'));
  } catch {
    // Missing or half-written sidecar: the object is still served, with default metadata.
    return undefined;
  }
  if (!isMeta(parsed)) return undefined;
  return parsed.ino === stat.ino.toString() && BigInt(parsed.size) === stat.size ? parsed : undefined;
}

/** Writes the sidecar of `dataPath` atomically and durably (temp file, fsync, rename). */
export async function writeMeta(dataPath: string, meta: ObjectMeta): Promise<void> {
  const target = sidecarFile(dataPath);
  const tmp = tempFile(target, randomUUID());
  try {
    const handle = await open(tmp, 'wx', 0o644);
    try {
      await handle.writeFile(JSON.stringify(meta));
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, target);
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
}
